package advice

import (
	"fmt"
	"time"

	"github.com/seatledger/seatledger/internal/terms"
)

// businessPlans are capped at 300 seats per tenant; above that Microsoft requires
// Enterprise plans. Part numbers of Business Basic, Standard, Premium, Apps for business.
var businessPlans = map[string]string{
	"O365_BUSINESS_ESSENTIALS": "Office 365 E1",
	"O365_BUSINESS_PREMIUM":    "Office 365 E3",
	"SPB":                      "Microsoft 365 E3",
	"O365_BUSINESS":            "Microsoft 365 Apps for enterprise",
}

const day = 24 * time.Hour

func (a *adviser) seats() {
	bySKU := map[string][]terms.Subscription{}
	for _, s := range a.t.Subscriptions {
		bySKU[s.SKUID] = append(bySKU[s.SKUID], s)
	}
	for _, p := range a.t.Pools {
		if !a.paid(p.SKUID) || a.excluded(p.SKUID, "") {
			continue
		}
		subs := bySKU[p.SKUID]
		paidSeats := p.Enabled
		if len(subs) > 0 {
			paidSeats = 0
			for _, s := range subs {
				if s.Paid() {
					paidSeats += s.TotalLicenses
				}
			}
		}
		idle := paidSeats - p.Consumed
		if idle > 0 {
			a.unassigned(p.SKUID, p.PartNumber, idle, paidSeats, p.Consumed, subs)
		}
		a.trials(p.PartNumber, p.Consumed-paidSeats, subs)
		if alternative, capped := businessPlans[p.PartNumber]; capped {
			if over := max(p.Enabled, p.Consumed) - a.th.BusinessSeatCap; over > 0 {
				a.add(Finding{Kind: BusinessCap, SKUs: p.PartNumber, Seats: over,
					Evidence:   fmt.Sprintf("%d seats of %s, above Microsoft's cap of %d per Business plan", max(p.Enabled, p.Consumed), p.PartNumber, a.th.BusinessSeatCap),
					Action:     fmt.Sprintf("move %d users to %s (or move the tenant to Enterprise plans)", over, alternative),
					SavingNote: "none: a licensing-terms fix, it costs more rather than less"}, p.SKUID)
			}
		}
	}
}

// reducible picks the subscription whose seats can go soonest, the partner's own
// before another's.
func reducible(subs []terms.Subscription) *terms.Subscription {
	var best *terms.Subscription
	for i, s := range subs {
		at := s.Reduction.ActBy()
		if !s.Paid() || at.IsZero() {
			continue
		}
		ours, bestOurs := s.Owner == terms.OwnerPartner, best != nil && best.Owner == terms.OwnerPartner
		if best == nil || ours && !bestOurs || ours == bestOurs && at.Before(best.Reduction.ActBy()) {
			best = &subs[i]
		}
	}
	return best
}

// unassigned reports idle paid seats, timed to the next moment they can be removed.
func (a *adviser) unassigned(skuID, part string, idle, paidSeats, consumed int, subs []terms.Subscription) {
	f := Finding{Kind: UnassignedSeats, SKUs: part, Seats: idle,
		Evidence: fmt.Sprintf("%d of %d paid seats unassigned (%d assigned)", idle, paidSeats, consumed)}
	best := reducible(subs)
	// The contract prices the partner's own seats; idle seats beyond them are held
	// with another partner or Microsoft, at a price seatledger does not know.
	ours := 0
	for _, s := range subs {
		if s.Paid() && s.Owner == terms.OwnerPartner {
			ours += s.TotalLicenses
		}
	}
	switch elsewhere := idle - min(idle, ours); {
	case elsewhere == idle:
		f.SavingNote = "unknown: the seats are held with another partner or bought direct"
	default:
		f.MonthlySaving, f.SavingNote = a.saving(seatCost{skuID, idle - elsewhere})
		if elsewhere > 0 && f.MonthlySaving != nil {
			f.SavingNote = fmt.Sprintf("at least: %d of the idle seats are held with another partner or bought direct, at a price not known", elsewhere)
		}
	}
	switch {
	case best == nil:
		f.Action = fmt.Sprintf("remove %s; the subscription's renewal date is unknown, so check in Partner Center when it can be reduced", seats(idle))
	case best.Reduction.Open && best.Reduction.Seats > 0 && best.Reduction.Seats < idle:
		now := best.Reduction.Seats
		f.Action = fmt.Sprintf("reduce by %s (the ones added) before %s, when the seat-addition window closes; schedule the other %d for the renewal on %s",
			seats(now), closing(best.Reduction.Until), idle-now, best.Reduction.Next.Format(time.DateOnly))
		f.ActBy = date(best.Reduction.ActBy())
	case best.Reduction.Open:
		f.Action = fmt.Sprintf("reduce by %s before %s, when the %s window closes", seats(idle), closing(best.Reduction.Until), best.Reduction.Reason)
		f.ActBy = date(best.Reduction.ActBy())
	default:
		f.Action = fmt.Sprintf("schedule a reduction of %s for the renewal on %s (%s; seats cannot be removed before)",
			seats(idle), best.Reduction.Next.Format(time.DateOnly), termText(best.Term))
		f.ActBy = date(best.Reduction.ActBy())
	}
	if best != nil && best.Owner != terms.OwnerPartner {
		f.Action += "; the subscription is held with " + ownerWords(best.Owner) + ", so the customer must ask there"
	}
	a.add(f, skuID)

	for _, s := range subs {
		if !s.Paid() || !s.Term.Known() || s.Term.Length == terms.Monthly || s.Reduction.Open {
			continue
		}
		until := s.Term.Renewal.Sub(a.t.Now.UTC().Truncate(day))
		if until < 0 || until > time.Duration(a.th.RenewalDays)*day {
			continue
		}
		a.add(Finding{Kind: RenewalIdleSeats, SKUs: part, Subject: s.ID, Seats: min(idle, s.TotalLicenses),
			Evidence: fmt.Sprintf("%s term of %d seats renews on %s while %d seats of %s are unassigned",
				s.Term.Length, s.TotalLicenses, s.Term.Renewal.Format(time.DateOnly), idle, part),
			Action:     fmt.Sprintf("reduce the subscription before it renews, or the idle seats are paid for another %s", termWords(s.Term.Length)),
			ActBy:      date(s.Term.End),
			SavingNote: "counted in the unassigned-seats finding of " + part}, s.ID, s.Term.Renewal.Format(time.DateOnly))
	}
}

// trials reports trials that end soon while users rely on them (more users hold the
// SKU than paid seats cover).
func (a *adviser) trials(part string, onTrial int, subs []terms.Subscription) {
	if onTrial <= 0 {
		return
	}
	for _, s := range subs {
		if !s.IsTrial || s.NextLifecycle == nil || s.Status != "Enabled" {
			continue
		}
		ends := s.NextLifecycle.UTC()
		left := ends.Sub(a.t.Now)
		if left < 0 || left > time.Duration(a.th.TrialEndingDays)*day {
			continue
		}
		last := ends.Add(-time.Nanosecond)
		a.add(Finding{Kind: TrialEnding, SKUs: part, Subject: s.ID, Seats: onTrial,
			Evidence:   fmt.Sprintf("trial of %s ends on %s; %d users hold %s beyond the paid seats", part, ends.Format(time.DateOnly), onTrial, part),
			Action:     fmt.Sprintf("buy %d seats before the trial ends, or remove %s from %d users", onTrial, part, onTrial),
			ActBy:      date(last),
			SavingNote: "none: a trial costs nothing until it converts"}, s.ID)
	}
}

func seats(n int) string {
	if n == 1 {
		return "1 seat"
	}
	return fmt.Sprintf("%d seats", n)
}

// closing names the moment a window closes, to the minute, in UTC.
func closing(t time.Time) string { return t.UTC().Format("2006-01-02 15:04") + " UTC" }

func termText(t terms.Term) string {
	switch {
	case t.Length == "":
		return "term length unknown"
	case t.Inferred:
		return t.Length + " term, inferred from Graph's dates"
	}
	return t.Length + " term per contract"
}

func ownerWords(owner string) string {
	if owner == terms.OwnerDirect {
		return "Microsoft directly"
	}
	return "another partner"
}

func termWords(length string) string {
	switch length {
	case terms.Triennial:
		return "three years"
	case terms.Annual:
		return "year"
	}
	return "month"
}
