package pools

import (
	"testing"

	"github.com/seatledger/seatledger/internal/inventory"
	"github.com/seatledger/seatledger/internal/terms"
)

func TestAccount(t *testing.T) {
	sub := func(seats int, status, owner string, trial bool) terms.Subscription {
		return terms.Subscription{Subscription: inventory.Subscription{SKUID: "s", PartNumber: "SKU", Status: status, TotalLicenses: seats, IsTrial: trial}, Owner: owner}
	}
	cases := []struct {
		name                               string
		pool                               inventory.Pool
		subs                               []terms.Subscription
		paid, idle, over, onTrial, inGrace int
	}{
		{"seats in grace are usable, not idle", inventory.Pool{Warning: 1100, Consumed: 1100},
			[]terms.Subscription{sub(1100, "Warning", terms.OwnerPartner, false)}, 0, 0, 0, 0, 1100},
		{"capacity is never seats", inventory.Pool{AppliesTo: "Company", Enabled: 500},
			[]terms.Subscription{sub(500, "Enabled", terms.OwnerPartner, false)}, 500, 0, 0, 0, 0},
		{"over-assigned", inventory.Pool{Enabled: 5, Consumed: 7},
			[]terms.Subscription{sub(5, "Enabled", terms.OwnerPartner, false)}, 5, 0, 2, 0, 0},
		{"paid seats fill first, trial seats are never idle", inventory.Pool{Enabled: 30, Consumed: 3},
			[]terms.Subscription{sub(5, "Enabled", terms.OwnerPartner, false), sub(25, "Enabled", "", true)}, 5, 2, 0, 0, 0},
		{"users beyond the paid seats rely on the trial", inventory.Pool{Enabled: 10, Consumed: 3},
			[]terms.Subscription{sub(10, "Enabled", "", true)}, 0, 0, 0, 3, 0},
		{"subscriptions unknown: the pool's seats are paid, seller unknown", inventory.Pool{Enabled: 12, Consumed: 1}, nil, 12, 11, 0, 0, 0},
		{"users on a suspended subscription are not over-assigned", inventory.Pool{Suspended: 2, Consumed: 2},
			[]terms.Subscription{sub(2, "Suspended", terms.OwnerPartner, false)}, 0, 0, 0, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.pool.SKUID, c.pool.PartNumber = "s", "SKU"
			accs := Of([]inventory.Pool{c.pool}, c.subs, nil)
			if len(accs) != 1 {
				t.Fatalf("%d accounts", len(accs))
			}
			a := accs[0]
			if a.Paid() != c.paid || a.Idle() != c.idle || a.OverAssigned() != c.over || a.OnTrial() != c.onTrial || a.InGrace() != c.inGrace {
				t.Errorf("paid %d idle %d over %d on trial %d in grace %d", a.Paid(), a.Idle(), a.OverAssigned(), a.OnTrial(), a.InGrace())
			}
		})
	}
	// A SKU users hold that no pool lists is its own account, never over-assigned.
	accs := Of(nil, nil, map[string]int{"x": 2})
	if len(accs) != 1 || !accs[0].Unlisted || accs[0].Assigned != 2 || accs[0].OverAssigned() != 0 {
		t.Errorf("%+v", accs)
	}
}
