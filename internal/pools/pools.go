// Package pools accounts for the seats of each SKU in a customer tenant: what the
// licence pool (Graph's subscribedSkus) and the subscriptions behind it say together.
// Advice, reconciliation and the inventory read the same account, so that they never
// disagree about a pool. Pure: values in, values out.
package pools

import (
	"sort"

	"github.com/seatledger/seatledger/internal/inventory"
	"github.com/seatledger/seatledger/internal/terms"
)

// Account is one SKU's seats in a tenant, in seats (never money).
type Account struct {
	SKUID      string
	PartNumber string
	// Capacity marks a tenant-level pool (appliesTo Company: storage, minutes): its
	// units are never seats, idle or unassigned.
	Capacity         bool
	CapabilityStatus string
	// Unlisted marks a SKU users hold that no pool of the tenant lists.
	Unlisted bool
	// Assigned is Graph's consumedUnits: one per user holding the SKU.
	Assigned int
	// Paid running seats (Enabled, not trials) by who sells them.
	Partner, OtherPartner, Direct int
	// Unknown is the enabled seats no subscription on record explains: their seller
	// and term are unknown (a pool read without its subscriptions).
	Unknown int
	// Trial is the seats of running trials: free now, paid if they convert.
	Trial int
	// Grace is the seats of subscriptions that expired and are in their grace period
	// (Graph's warning units): usable until suspended, no longer billed.
	Grace int
	// Lapsed is the seats of suspended or locked-out subscriptions: users hold them
	// without service.
	Lapsed int
	// Subscriptions are the subscriptions of the SKU.
	Subscriptions []terms.Subscription
}

// Paid is the seats paid for and running, whoever sells them.
func (a Account) Paid() int { return a.Partner + a.OtherPartner + a.Direct + a.Unknown }

// Usable is the seats users can hold today: paid, on trial, or in grace.
func (a Account) Usable() int { return a.Paid() + a.Trial + a.Grace }

// Idle is the paid seats nobody holds. Users fill paid seats first: trial and grace
// seats go away on their own, so they are never idle seats to remove.
func (a Account) Idle() int {
	if a.Capacity {
		return 0
	}
	return max(0, a.Paid()-a.Assigned)
}

// OverAssigned is the users holding the SKU beyond every seat the tenant has. Users
// on the seats of a lapsed subscription are not counted: they hold seats, without
// service, and the lapsed subscription is reported for them.
func (a Account) OverAssigned() int {
	if a.Capacity || a.Unlisted {
		return 0
	}
	return max(0, a.Assigned-a.Usable()-a.Lapsed)
}

// OnTrial is the users that only trial seats cover: they lose the SKU when the trial
// ends without converting.
func (a Account) OnTrial() int { return max(0, min(a.Assigned-a.Paid(), a.Trial)) }

// InGrace is the users that only grace seats cover: they lose service when the
// subscription in grace is suspended.
func (a Account) InGrace() int { return max(0, min(a.Assigned-a.Paid()-a.Trial, a.Grace)) }

// Of builds the accounts of a tenant, one per SKU found in its pools or its
// subscriptions, in part-number order. heldWithoutPool counts, per SKU id, the users
// holding a SKU no pool lists (Graph's consumedUnits cannot say).
func Of(pools []inventory.Pool, subs []terms.Subscription, heldWithoutPool map[string]int) []Account {
	by := map[string]*Account{}
	account := func(skuID, part string) *Account {
		a := by[skuID]
		if a == nil {
			a = &Account{SKUID: skuID, PartNumber: part}
			by[skuID] = a
		}
		if a.PartNumber == "" {
			a.PartNumber = part
		}
		return a
	}
	enabled := map[string]int{}
	for _, p := range pools {
		a := account(p.SKUID, p.PartNumber)
		a.Capacity = p.AppliesTo == "Company"
		a.CapabilityStatus = p.CapabilityStatus
		a.Assigned = p.Consumed
		a.Grace = p.Warning
		a.Lapsed = p.Suspended + p.LockedOut
		enabled[p.SKUID] = p.Enabled
	}
	for skuID, n := range heldWithoutPool {
		if _, listed := by[skuID]; !listed {
			a := account(skuID, "")
			a.Assigned, a.Unlisted = n, true
		}
	}
	explained := map[string]int{}
	for _, s := range subs {
		a := account(s.SKUID, s.PartNumber)
		a.Subscriptions = append(a.Subscriptions, s)
		switch {
		case s.RunningTrial():
			a.Trial += s.TotalLicenses
		case !s.Paid():
			continue
		case s.Owner == terms.OwnerPartner:
			a.Partner += s.TotalLicenses
		case s.Owner == terms.OwnerOtherPartner:
			a.OtherPartner += s.TotalLicenses
		default:
			a.Direct += s.TotalLicenses
		}
		explained[s.SKUID] += s.TotalLicenses
	}
	for skuID, n := range enabled {
		by[skuID].Unknown = max(0, n-explained[skuID])
	}
	out := make([]Account, 0, len(by))
	for _, a := range by {
		out = append(out, *a)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].PartNumber != out[j].PartNumber {
			return out[i].PartNumber < out[j].PartNumber
		}
		return out[i].SKUID < out[j].SKUID
	})
	return out
}
