package pricing

import (
	"cmp"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/seatledger/seatledger/internal/money"
)

// CustomerImpact is what the price changes do to one customer, in one currency: the
// sum of its subscriptions' impacts once every change has reached them.
type CustomerImpact struct {
	TenantID string `json:"tenantId"`
	Customer string `json:"customer"`
	Currency string `json:"currency"`
	// Subscriptions counts the subscriptions a change reaches, each once.
	Subscriptions int `json:"subscriptions"`
	// CostChange is the change in the partner's monthly cost for all of them, the sum
	// of the subscriptions' rounded amounts.
	CostChange money.Amount `json:"costChange"`
	// CustomerChange sums the change in the customer's monthly price on lines priced at
	// cost plus markup; nil when no such line is reached.
	CustomerChange *money.Amount `json:"customerChange,omitempty"`
	// FirstReaches is the first day a change reaches one of the subscriptions; zero
	// when no reach date is known.
	FirstReaches time.Time `json:"firstReaches"`
	// Retired counts subscriptions on an offer Microsoft retires, BelowFloor the
	// fixed-price lines whose margin falls under the floor, and Unpriced the
	// subscriptions no list prices in the customer's market or currency.
	Retired    int `json:"retired"`
	BelowFloor int `json:"belowFloor"`
	Unpriced   int `json:"unpriced"`
}

// ByCustomer sums impacts per customer and currency, most costly first: by the rise
// in the partner's monthly cost, then by the first day one lands. Amounts in
// different currencies are ranked as they stand; nothing is converted.
func ByCustomer(impacts []Impact) []CustomerImpact {
	type key struct{ tenant, currency string }
	by := map[key]*CustomerImpact{}
	// A subscription two changes reach (a rise now, another at renewal) counts once.
	seen := map[key]map[string]bool{}
	var order []key
	for _, im := range impacts {
		h := im.Holding
		k := key{h.TenantID, h.Currency}
		c := by[k]
		if c == nil {
			c = &CustomerImpact{TenantID: h.TenantID, Customer: h.Customer, Currency: h.Currency}
			by[k] = c
			seen[k] = map[string]bool{}
			order = append(order, k)
		}
		if !seen[k][h.SubscriptionID] {
			seen[k][h.SubscriptionID] = true
			c.Subscriptions++
		}
		if im.CostChange != nil {
			c.CostChange.Decimal = c.CostChange.Add(im.CostChange.Decimal)
		}
		if im.CustomerChange != nil {
			if c.CustomerChange == nil {
				c.CustomerChange = &money.Amount{Decimal: decimal.Zero}
			}
			c.CustomerChange.Decimal = c.CustomerChange.Add(im.CustomerChange.Decimal)
		}
		if !im.Reaches.IsZero() && (c.FirstReaches.IsZero() || im.Reaches.Before(c.FirstReaches)) {
			c.FirstReaches = im.Reaches
		}
		switch {
		case im.Change.Kind == ChangeRetired:
			c.Retired++
		case im.Change.Kind == "":
			c.Unpriced++
		}
		if im.BelowFloor {
			c.BelowFloor++
		}
	}
	out := make([]CustomerImpact, len(order))
	for i, k := range order {
		out[i] = *by[k]
	}
	slices.SortStableFunc(out, func(x, y CustomerImpact) int {
		return cmp.Or(y.CostChange.Cmp(x.CostChange.Decimal), compareDay(x.FirstReaches, y.FirstReaches),
			cmp.Compare(x.Customer, y.Customer), cmp.Compare(x.Currency, y.Currency))
	})
	return out
}
