package advice

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/seatledger/seatledger/internal/terms"
)

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
		// Business plans, no-Teams and EEA variants included, are capped at 300 seats per
		// tenant; above that Microsoft requires Enterprise plans.
		sku, _ := a.t.Catalog.ByID(p.SKUID)
		if alt, capped := a.t.Catalog.BusinessCap(sku); capped {
			alternative := alt.DisplayName
			if over := max(p.Enabled, p.Consumed) - a.th.BusinessSeatCap; over > 0 {
				a.add(Finding{Kind: BusinessCap, SKUs: p.PartNumber, Seats: over,
					Evidence:   fmt.Sprintf("%d seats of %s, above Microsoft's cap of %d per Business plan", max(p.Enabled, p.Consumed), p.PartNumber, a.th.BusinessSeatCap),
					Action:     fmt.Sprintf("move %d users to %s (or move the tenant to Enterprise plans)", over, alternative),
					SavingNote: "none: a licensing-terms fix, it costs more rather than less"}, p.SKUID)
			}
		}
	}
}

// share is the idle seats one subscription can shed.
type share struct {
	sub   *terms.Subscription
	seats int
}

// allocate spreads idle seats over the paid subscriptions, the partner's first and
// then those that can be reduced soonest, each up to its own seats.
func allocate(subs []terms.Subscription, idle int) []share {
	var order []*terms.Subscription
	for i := range subs {
		if subs[i].Paid() {
			order = append(order, &subs[i])
		}
	}
	sort.SliceStable(order, func(i, j int) bool {
		x, y := order[i], order[j]
		if (x.Owner == terms.OwnerPartner) != (y.Owner == terms.OwnerPartner) {
			return x.Owner == terms.OwnerPartner
		}
		ax, ay := x.Reduction.ActBy(), y.Reduction.ActBy()
		return !ax.IsZero() && (ay.IsZero() || ax.Before(ay))
	})
	var out []share
	for _, s := range order {
		if idle == 0 {
			break
		}
		n := min(idle, s.TotalLicenses)
		out = append(out, share{s, n})
		idle -= n
	}
	return out
}

// unassigned reports idle paid seats, timed to the next moment they can be removed.
func (a *adviser) unassigned(skuID, part string, idle, paidSeats, consumed int, subs []terms.Subscription) {
	f := Finding{Kind: UnassignedSeats, SKUs: part, Seats: idle,
		Evidence: fmt.Sprintf("%d of %d paid seats unassigned (%d assigned)", idle, paidSeats, consumed)}
	shares := allocate(subs, idle)
	if len(shares) == 0 {
		f.MonthlySaving, f.SavingNote = a.saving(seatCost{skuID, idle})
		f.Action = fmt.Sprintf("remove %s; the subscriptions behind the pool are unknown, so check in Partner Center when it can be reduced", seats(idle))
		a.add(f, skuID)
		return
	}
	f.MonthlySaving, f.SavingNote = a.shareSaving(part, shares)
	steps := make([]string, len(shares))
	var actBy time.Time
	for i, sh := range shares {
		steps[i] = reductionStep(sh, len(shares) > 1)
		if at := sh.sub.Reduction.ActBy(); !at.IsZero() && (actBy.IsZero() || at.Before(actBy)) {
			actBy = at
		}
	}
	f.Action = strings.Join(steps, "; then ")
	f.ActBy = date(actBy)
	a.add(f, skuID)

	for _, s := range subs {
		if !s.Paid() || !s.Term.Known() || s.Term.Length == terms.Monthly || s.Reduction.Open {
			continue
		}
		until := s.Term.Renewal.Sub(terms.Day(a.t.Now))
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

// reductionStep says how and when one subscription sheds its share of idle seats.
func reductionStep(sh share, several bool) string {
	r, n := sh.sub.Reduction, sh.seats
	of := ""
	if several {
		of = fmt.Sprintf(" of the %s subscription %s", orUnknown(sh.sub.Term.Length), shortID(sh.sub.ID))
	}
	renewal := "the renewal on " + r.Next.Format(time.DateOnly)
	if r.Next.IsZero() {
		renewal = "its renewal (date unknown: check in Partner Center)"
	}
	var step string
	switch {
	case r.Open && r.Seats > 0 && r.Seats < n:
		step = fmt.Sprintf("reduce by %s%s (the ones added) before %s, when the seat-addition window closes, and schedule the other %d for %s",
			seats(r.Seats), of, closing(r.Until), n-r.Seats, renewal)
	case r.Open:
		step = fmt.Sprintf("reduce by %s%s before %s, when the %s window closes", seats(n), of, closing(r.Until), r.Reason)
	default:
		step = fmt.Sprintf("schedule a reduction of %s%s for %s (%s; seats cannot be removed before)", seats(n), of, renewal, termText(sh.sub.Term))
	}
	if sh.sub.Owner != terms.OwnerPartner {
		step += " — held with " + ownerWords(sh.sub.Owner) + ", so the customer must ask there"
	}
	return step
}

func orUnknown(length string) string {
	if length == "" {
		return "term-unknown"
	}
	return length
}

func shortID(id string) string { return id[:min(8, len(id))] }

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
