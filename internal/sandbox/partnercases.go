package sandbox

import (
	"time"
)

// Subscriptions whose terms Graph's dates misrepresent, and that only Partner Center
// describes truly, planted in the first tenants after everything else is generated
// (with a random stream of their own, so that the rest of the world stays as it was).
// Graph's side of each stays consistent with what the advice already expects: where
// Graph's dates would mislead it into a different finding, the subscription holds no
// idle seat.

// Partner Center cases, as Subscription.Case names them.
const (
	CaseAnnualSecondYear    = "annual-second-year"
	CaseMonthlyTwelfth      = "monthly-twelfth-month"
	CaseThreeYear           = "three-year"
	CaseAnnualBilledMonthly = "annual-billed-monthly"
	CaseAutoRenewOff        = "auto-renew-off"
	CaseSeatAddition        = "seat-addition"
	CaseOtherID             = "commerce-id-differs"
	CaseIndirectReseller    = "indirect-reseller"
)

// IndirectResellerID is the partner id of the indirect reseller of record of the
// CaseIndirectReseller subscription.
const IndirectResellerID = "4f2b7e1a-9c3d-4e5f-8a6b-7c8d9e0f1a2b"

// PartnerCaseTenants says which tenant carries each case.
var PartnerCaseTenants = map[string]int{
	CaseAnnualSecondYear: 2, CaseMonthlyTwelfth: 3, CaseThreeYear: 4, CaseAnnualBilledMonthly: 6,
	CaseAutoRenewOff: 7, CaseSeatAddition: 8, CaseOtherID: 9, CaseIndirectReseller: 10,
}

func (b *tenantBuilder) partnerCases(i int) {
	r := b.g.rng(uint64(i), 0x9C)
	day := b.day()
	switch i {
	case 2:
		// Bought two years ago and renewed once: Graph's createdDateTime is the first
		// purchase, 24 months before the renewal, which fits monthly, annual and
		// three-year terms alike.
		s := b.partnerSub("P1Y")
		s.Created = s.NextLifecycle.AddDate(-2, 0, 0)
		s.Case = CaseAnnualSecondYear
	case 3:
		// Monthly, bought eleven months and some days ago: twelve months from purchase
		// to the next renewal looks like an annual term in Graph's dates. It holds no
		// idle seat, so that Graph's reading finds nothing it should not.
		s := b.partnerSub("")
		s.Term, s.NextLifecycle = "P1M", day.AddDate(0, 0, 12)
		s.Created = s.NextLifecycle.AddDate(0, -12, 0)
		b.noIdle(s)
		s.Case = CaseMonthlyTwelfth
	case 4:
		// A three-year term bought 200 days ago, every seat in use.
		s := b.partnerSub("P1Y")
		s.Term, s.Created = "P3Y", day.AddDate(0, 0, -200)
		s.NextLifecycle = s.Created.AddDate(3, 0, 0)
		b.noIdle(s)
		s.Case = CaseThreeYear
	case 6:
		s := b.partnerSub("P1Y")
		s.BillingCycle = "monthly"
		s.Case = CaseAnnualBilledMonthly
	case 7:
		// Ends in 10 days (the commitment's last day) and will not renew.
		s := b.partnerSub("P1Y")
		s.NextLifecycle = day.AddDate(0, 0, 11)
		s.Created = s.NextLifecycle.AddDate(-1, 0, 0)
		s.AutoRenewOff = true
		s.Case = CaseAutoRenewOff
	case 8:
		// Three of its seats were added three days ago: only those can be returned,
		// for four more days.
		s := b.partnerSub("P1Y")
		if s.NextLifecycle.AddDate(-1, 0, 0).After(day.AddDate(0, 0, -8)) {
			s.Created = day.AddDate(0, 0, -60)
			s.NextLifecycle = s.Created.AddDate(1, 0, 0)
		}
		if s.Seats < 4 {
			s.Seats = 4
		}
		s.Additions = append(s.Additions, Addition{Seats: 3, At: b.now.AddDate(0, 0, -3)})
		s.Case = CaseSeatAddition
	case 9:
		s := b.partnerSub("")
		s.PartnerCenterID = guid(r)
		s.Case = CaseOtherID
	case 10:
		s := b.partnerSub("")
		s.ResellerID = IndirectResellerID
		s.Case = CaseIndirectReseller
	}
}

// partnerSub is the tenant's first paid, running subscription of seats sold by the
// partner, of the given term when one has it ("" for any), that is no case yet.
func (b *tenantBuilder) partnerSub(term string) *Subscription {
	var first *Subscription
	for _, s := range b.t.Subscriptions {
		sku, _ := b.g.cat.ByID(s.SKUID)
		if s.Trial || sku.Free || s.Status != "Enabled" || s.OwnerTenantID != PartnerTenantID || s.AppliesTo != "" || s.Case != "" || s.Seats == 0 {
			continue
		}
		if term == "" || s.Term == term {
			return s
		}
		if first == nil {
			first = s
		}
	}
	if first == nil {
		panic("sandbox: tenant " + b.t.Name + " has no subscription sold by the partner")
	}
	// None of that term: the first one becomes an annual one bought 100 days ago.
	first.Term, first.Created = term, b.day().AddDate(0, 0, -100)
	first.NextLifecycle = first.Created.AddDate(1, 0, 0)
	return first
}

// noIdle sizes a subscription to the seats its SKU's holders use beyond the other
// subscriptions of the SKU.
func (b *tenantBuilder) noIdle(s *Subscription) {
	p := b.t.pool(s.SKUID)
	others := p.Enabled - s.Seats
	if need := p.Consumed - others; need > 0 {
		s.Seats = need
	}
}

// termStart is the first day of the subscription's current term.
func (s *Subscription) termStart() time.Time {
	var start time.Time
	switch s.Term {
	case "P1M":
		start = s.NextLifecycle.AddDate(0, -1, 0)
	case "P3Y":
		start = s.NextLifecycle.AddDate(-3, 0, 0)
	case "P1Y":
		start = s.NextLifecycle.AddDate(-1, 0, 0)
	default:
		start = s.Created
	}
	if start.Before(s.Created) {
		start = s.Created // a first term co-termed to an earlier end
	}
	return start
}

// billingCycle is how the subscription is billed: its own when set, else its term's.
func (s *Subscription) billingCycle() string {
	switch {
	case s.BillingCycle != "":
		return s.BillingCycle
	case s.Trial:
		return "none"
	case s.Term == "P1M":
		return "monthly"
	case s.Term == "P3Y":
		return "triennial"
	}
	return "annual"
}

// refundable is the seats that can be returned at now, each lot until when: every
// seat for 7 days after the term starts (a purchase or a renewal), and the seats of
// an addition for 7 days after it.
func (s *Subscription) refundable(now time.Time) []Addition {
	const window = 7 * 24 * time.Hour
	if s.Trial || s.Status != "Enabled" {
		return nil
	}
	start := s.termStart()
	added := 0
	var lots []Addition
	for _, a := range s.Additions {
		if a.At.Before(start) {
			continue
		}
		added += a.Seats
		if now.Before(a.At.Add(window)) {
			lots = append(lots, Addition{Seats: a.Seats, At: a.At.Add(window)})
		}
	}
	if now.Before(start.Add(window)) && s.Seats-added > 0 {
		lots = append([]Addition{{Seats: s.Seats - added, At: start.Add(window)}}, lots...)
	}
	return lots
}
