package sandbox

import (
	"fmt"

	"github.com/seatledger/seatledger/internal/customers"
)

// markets spreads the simulated customers over the languages notices are written in.
var markets = []struct{ currency, locale, market string }{
	{"EUR", "nl", "NL"}, {"GBP", "en", "GB"}, {"EUR", "de", "DE"}, {"EUR", "fr", "FR"}, {"EUR", "it", "IT"}, {"EUR", "hr", "HR"},
}

// Customers is the partner's customer registry for this world: one customer per
// tenant, with a notice contact in the customer's language.
func (w *World) Customers() []customers.Customer {
	out := make([]customers.Customer, len(w.Tenants))
	for i, t := range w.Tenants {
		m := markets[i%len(markets)]
		out[i] = customers.Customer{
			TenantID: t.ID, Name: t.Name, PrimaryDomain: t.Domain, Currency: m.currency, Locale: m.locale, Market: m.market,
			ExternalRef: fmt.Sprintf("CUST-%04d", i+1),
			Contacts:    []customers.Contact{{Name: "IT " + t.Name, Email: "it@" + t.Domain, Locale: m.locale}},
		}
	}
	return out
}
