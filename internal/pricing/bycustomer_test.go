package pricing

import (
	"fmt"
	"testing"
	"time"

	"github.com/seatledger/seatledger/internal/money"
)

// Hand-computed: customer A's two rises (+30.00 from 2027-03-01, +12.50 from
// 2026-12-01) sum to +42.50 a month from 2026-12-01, above B's one subscription's
// +40.00 then −5.00 at its renewal (+35.00); A's
// pound subscription is a customer of its own in GBP; C holds a retired offer and an
// offer no list prices in its market, so it costs nothing yet and ranks last.
func TestByCustomer(t *testing.T) {
	amount := func(s string) *money.Amount { return money.Of(*dec(s)) }
	n := 0
	im := func(tenant, currency, kind, reaches, cost string) Impact {
		n++
		i := Impact{Change: Change{Kind: kind}, Holding: Holding{TenantID: tenant, Customer: "Customer " + tenant, Currency: currency,
			SubscriptionID: fmt.Sprintf("sub-%d", n)}}
		if reaches != "" {
			i.Reaches = isoDay(reaches)
		}
		if cost != "" {
			i.CostChange = amount(cost)
		}
		return i
	}
	below := im("B", "EUR", ChangeUp, "2026-12-22", "40.00")
	below.BelowFloor = true
	markup := im("A", "EUR", ChangeUp, "2027-03-01", "30.00")
	markup.CustomerChange = amount("34.50")
	// B's subscription meets a second, smaller rise at its renewal: one subscription.
	again := im("B", "EUR", ChangeUp, "2027-06-01", "-5.00")
	again.Holding.SubscriptionID = below.Holding.SubscriptionID
	got := ByCustomer([]Impact{
		markup, im("A", "EUR", ChangeUp, "2026-12-01", "12.50"), below, again, im("A", "GBP", ChangeUp, "2027-01-15", "8.80"),
		im("C", "EUR", ChangeRetired, "2027-02-01", ""), im("C", "EUR", "", "", ""),
	})
	want := []struct {
		tenant, currency, cost, customer, first string
		subs, retired, belowFloor, unpriced     int
	}{
		{"A", "EUR", "42.50", "34.50", "2026-12-01", 2, 0, 0, 0},
		{"B", "EUR", "35.00", "", "2026-12-22", 1, 0, 1, 0},
		{"A", "GBP", "8.80", "", "2027-01-15", 1, 0, 0, 0},
		{"C", "EUR", "0.00", "", "2027-02-01", 2, 1, 0, 1},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d customers, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		customer := ""
		if g.CustomerChange != nil {
			customer = g.CustomerChange.String()
		}
		if g.TenantID != w.tenant || g.Currency != w.currency || g.CostChange.String() != w.cost || customer != w.customer ||
			g.FirstReaches.Format(time.DateOnly) != w.first || g.Subscriptions != w.subs || g.Retired != w.retired ||
			g.BelowFloor != w.belowFloor || g.Unpriced != w.unpriced {
			t.Errorf("%d: got %s %s cost %s customer %q first %s subs %d retired %d below %d unpriced %d, want %+v", i, g.TenantID, g.Currency,
				g.CostChange, customer, g.FirstReaches.Format(time.DateOnly), g.Subscriptions, g.Retired, g.BelowFloor, g.Unpriced, w)
		}
	}
}
