package advice

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/seatledger/seatledger/internal/i18n"
	"github.com/seatledger/seatledger/internal/pools"
	"github.com/seatledger/seatledger/internal/terms"
)

const day = 24 * time.Hour

// seats judges every licence pool: idle seats, seats in grace or lapsed, users
// beyond the seats, trials about to end. Tenant-level capacity (storage, minutes) is
// never seats.
func (a *adviser) seats() {
	for _, acc := range a.accounts {
		if acc.Capacity || !a.paid(acc.SKUID) || a.excluded(acc.SKUID, "") {
			continue
		}
		if acc.Unlisted {
			a.note(fmt.Sprintf("%s hold %s, which no licence pool of the tenant lists", users(acc.Assigned), a.partNumber(acc.SKUID)))
			continue
		}
		if idle := acc.Idle(); idle > 0 {
			a.unassigned(acc, idle)
		}
		a.overAssigned(acc)
		a.trials(acc)
		for _, s := range acc.Subscriptions {
			switch {
			case s.Paid() && s.AutoRenewOff():
				a.expiring(acc, s)
			case s.InGrace():
				a.inGrace(acc, s)
			case s.Lapsed():
				a.lapsed(acc, s)
			}
		}
	}
}

// businessCap reports Business plans above the seat cap, after the seats other
// findings already take away. It runs after the per-user rules, whose removals it
// counts.
func (a *adviser) businessCap() {
	for _, acc := range a.accounts {
		// Business plans are capped at 300 seats per tenant, whatever their variant
		// (no Teams, EEA); above that Microsoft requires Enterprise plans.
		sku, _ := a.t.Catalog.ByID(acc.SKUID)
		alt, capped := a.t.Catalog.BusinessCap(sku)
		if !capped || acc.Capacity || a.excluded(acc.SKUID, "") {
			continue
		}
		alternative := alt.DisplayName
		paid := acc.Paid()
		over := paid - a.th.BusinessSeatCap
		if over <= 0 {
			continue
		}
		idle, removed := acc.Idle(), a.removals[acc.SKUID]
		remain := max(0, paid-idle-removed-a.th.BusinessSeatCap)
		f := Finding{Kind: BusinessCap, SKUs: acc.PartNumber, Seats: remain,
			Evidence:   fmt.Sprintf("%d paid seats of %s, above Microsoft's cap of %d per Business plan", paid, acc.PartNumber, a.th.BusinessSeatCap),
			SavingNote: "none: a licensing-terms fix, it costs more rather than less"}
		switch {
		case idle+removed == 0:
			f.Action = fmt.Sprintf("move %s to %s (or move the tenant to Enterprise plans)", users(over), alternative)
		case remain == 0:
			f.Action = fmt.Sprintf("the other findings bring it under the cap: %s idle and %s advised for removal elsewhere; act on those", seats(idle), users(removed))
		default:
			f.Action = fmt.Sprintf("after the other findings (%s idle, %s advised for removal) %s remain over the cap: move them to %s (or move the tenant to Enterprise plans)",
				seats(idle), users(removed), users(remain), alternative)
		}
		a.add(f, acc.SKUID)
	}
}

// share is the idle seats one subscription can shed.
type share struct {
	sub   *terms.Subscription
	seats int
}

// allocate spreads idle seats over the paid subscriptions, the partner's first and
// then those that can be reduced soonest, each up to its own seats. Seats left over
// belong to no subscription on record.
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
func (a *adviser) unassigned(acc pools.Account, idle int) {
	f := Finding{Kind: UnassignedSeats, SKUs: acc.PartNumber, Seats: idle,
		Evidence: fmt.Sprintf("%d of %d paid seats unassigned (%d assigned)", idle, acc.Paid(), acc.Assigned)}
	if acc.Trial > 0 || acc.Grace > 0 {
		f.Evidence += fmt.Sprintf("; besides them %s on trial and %s in grace, which lapse by themselves", seats(acc.Trial), seats(acc.Grace))
	}
	shares := allocate(acc.Subscriptions, idle)
	allocated := 0
	steps := make([]string, 0, len(shares)+1)
	var actBy time.Time
	for _, sh := range shares {
		allocated += sh.seats
		steps = append(steps, reductionStep(sh, len(shares) > 1 || allocated < idle))
		if at := sh.sub.Reduction.ActBy(); !at.IsZero() && (actBy.IsZero() || at.Before(actBy)) {
			actBy = at
		}
		f.need(termGap(sh.sub.Term))
	}
	f.MonthlySaving, f.SavingNote, f.SavingFor = a.shareSaving(shares, idle-allocated, a.customerIdle(acc.SKUID, acc.Assigned, idle))
	if rest := idle - allocated; rest > 0 {
		steps = append(steps, fmt.Sprintf("remove %s of subscriptions Graph did not list (check in Partner Center when they can be reduced)", seats(rest)))
		f.need(gapSubscriptions)
	}
	if f.MonthlySaving == nil {
		f.need(gapPrice)
	}
	f.Action = strings.Join(steps, "; then ")
	f.ActBy = date(actBy)
	a.add(f, acc.SKUID)

	// Renewals that would lock the idle seats in for another term: each subscription
	// with the seats it would carry over, so that the tenant's idle seats count once.
	for _, sh := range shares {
		s := sh.sub
		if !s.Term.Known() || s.Term.Length == terms.Monthly || s.Reduction.Open || s.AutoRenewOff() {
			continue // a subscription that will not renew carries no seats over
		}
		until := s.Term.Renewal.Sub(terms.Day(a.t.Now))
		if until < 0 || until > time.Duration(a.th.RenewalDays)*day {
			continue
		}
		r := Finding{Kind: RenewalIdleSeats, SKUs: acc.PartNumber, Subject: s.ID, Seats: sh.seats,
			Evidence: fmt.Sprintf("%s term of %s renews on %s with %s of %s unassigned",
				s.Term.Length, seats(s.TotalLicenses), s.Term.Renewal.Format(time.DateOnly), seats(sh.seats), acc.PartNumber),
			Action:     fmt.Sprintf("reduce the subscription before it renews, or the idle seats are paid for another %s", termWords(s.Term.Length)),
			ActBy:      date(s.Term.End),
			SavingNote: "counted in the unassigned-seats finding of " + acc.PartNumber}
		r.need(termGap(s.Term))
		a.add(r, s.ID, s.Term.Renewal.Format(time.DateOnly))
	}
}

// overAssigned reports users holding a SKU beyond every seat the tenant has.
func (a *adviser) overAssigned(acc pools.Account) {
	over := acc.OverAssigned()
	if over <= 0 {
		return
	}
	holders := a.holdersInError(acc.SKUID)
	who := users(acc.Assigned) + " hold it"
	if len(holders) > 0 {
		who = "assignments in error: " + listed(holders, 10)
	}
	f := Finding{Kind: OverAssigned, SKUs: acc.PartNumber, Seats: over,
		Evidence:   fmt.Sprintf("%s hold %s, %d more than the %s the tenant has (%s)", users(acc.Assigned), acc.PartNumber, over, seats(acc.Usable()), who),
		Action:     fmt.Sprintf("buy %s or take %s from %s: the tenant uses seats it has not bought", seats(over), acc.PartNumber, users(over)),
		SavingNote: "none: a cost to add, not a saving"}
	a.add(f, acc.SKUID)
}

// trials reports trials that end soon: what happens when they end or convert. A
// trial converts to paid seats unless its conversion is turned off, so seats it would
// add are never advised to be bought as well.
func (a *adviser) trials(acc pools.Account) {
	for _, s := range acc.Subscriptions {
		if !s.RunningTrial() || s.NextLifecycle == nil {
			continue
		}
		ends := s.NextLifecycle.UTC()
		left := ends.Sub(a.t.Now)
		if left > time.Duration(a.th.TrialEndingDays)*day {
			continue
		}
		// A trial the records still show running after its end date has converted or
		// ended since the last sync: the finding stays until a sync says which.
		onTrial := acc.OnTrial()
		f := Finding{Kind: TrialEnding, SKUs: acc.PartNumber, Subject: s.ID, Seats: s.TotalLicenses,
			ActBy:      date(ends.Add(-time.Nanosecond)),
			SavingNote: "none: a trial costs nothing until it converts"}
		f.Evidence = fmt.Sprintf("trial of %s of %s ends on %s; %s hold %s, %s paid", seats(s.TotalLicenses), acc.PartNumber,
			ends.Format(time.DateOnly), users(acc.Assigned), acc.PartNumber, seats(acc.Paid()))
		if onTrial > 0 {
			f.Evidence += fmt.Sprintf("; %d of them have only the trial's seats", onTrial)
			f.Action = fmt.Sprintf("before %s choose one: let it convert to %s paid and reduce by %d within 7 days of conversion (keeping the %d in use), or turn its conversion off and buy %s — not both",
				ends.Format(time.DateOnly), seats(s.TotalLicenses), s.TotalLicenses-min(onTrial, s.TotalLicenses), min(onTrial, s.TotalLicenses), seats(onTrial))
		} else {
			f.Evidence += "; nobody relies on the trial"
			f.Action = fmt.Sprintf("turn the trial's conversion off before %s, or it becomes %s paid that nobody needs", ends.Format(time.DateOnly), seats(s.TotalLicenses))
		}
		a.add(f, s.ID)
	}
}

// expiring reports a subscription Partner Center says will not renew, ending within
// the renewal horizon: its users lose the seats only it covers when the term ends.
func (a *adviser) expiring(acc pools.Account, s terms.Subscription) {
	if s.Term.End.IsZero() {
		return
	}
	until := s.Term.End.Sub(terms.Day(a.t.Now))
	if until < 0 || until > time.Duration(a.th.RenewalDays)*day {
		return
	}
	end := s.Term.End.Format(time.DateOnly)
	losing := max(0, min(acc.Assigned-(acc.Paid()-s.TotalLicenses)-acc.Trial-acc.Grace, s.TotalLicenses))
	f := Finding{Kind: SubscriptionExpiring, SKUs: acc.PartNumber, Subject: s.ID, Seats: s.TotalLicenses, ActBy: date(s.Term.End),
		SavingNote: "none: it stops costing money when it ends"}
	f.Evidence = fmt.Sprintf("auto-renew is off (Partner Center): the %s subscription of %s of %s ends on %s", s.Term.Length, seats(s.TotalLicenses), acc.PartNumber, end)
	if losing > 0 {
		f.Evidence += fmt.Sprintf("; %s hold seats only it covers and lose %s then", users(losing), acc.PartNumber)
		f.Action = fmt.Sprintf("turn auto-renew on (for the %s still needed) before %s, or take %s from the %s who no longer need it", seats(losing), end, acc.PartNumber, users(losing))
	} else {
		f.Action = "nothing to do: every user of " + acc.PartNumber + " keeps a seat of another subscription; let it end"
	}
	a.add(f, s.ID, end)
}

// inGrace reports an expired subscription whose users keep service only until it is
// suspended. It is not billed and will not renew.
func (a *adviser) inGrace(acc pools.Account, s terms.Subscription) {
	f := Finding{Kind: SubscriptionInGrace, SKUs: acc.PartNumber, Subject: s.ID, Seats: s.TotalLicenses,
		SavingNote: "none: a subscription in grace is no longer billed"}
	losing := acc.InGrace()
	when := "on a date Graph does not give"
	if s.NextLifecycle != nil {
		when = "on " + s.NextLifecycle.UTC().Format(time.DateOnly)
		f.ActBy = date(s.NextLifecycle.UTC().Add(-time.Nanosecond))
	}
	f.Evidence = fmt.Sprintf("subscription of %s of %s expired and is in its grace period; Microsoft suspends it %s", seats(s.TotalLicenses), acc.PartNumber, when)
	if losing > 0 {
		f.Evidence += fmt.Sprintf("; %s hold seats only it covers and lose service then", users(losing))
		f.Action = fmt.Sprintf("buy %s (a new subscription) before it is suspended, or take %s from the %s who no longer need it", seats(losing), acc.PartNumber, users(losing))
	} else {
		f.Action = "nothing to buy: every user of " + acc.PartNumber + " has another seat; let it lapse"
	}
	a.add(f, s.ID)
}

// lapsed reports a suspended or locked-out subscription: its users have lost service
// and nothing is billed, but the data is kept until the subscription is deleted.
func (a *adviser) lapsed(acc pools.Account, s terms.Subscription) {
	f := Finding{Kind: SubscriptionLapsed, SKUs: acc.PartNumber, Subject: s.ID, Seats: s.TotalLicenses,
		SavingNote: "none: a suspended subscription is not billed"}
	state := "suspended (past its grace period)"
	if s.Status == terms.StatusLockedOut {
		state = "locked out by Microsoft (payment or policy)"
	}
	f.Evidence = fmt.Sprintf("subscription of %s of %s is %s: users holding only its seats have no service", seats(s.TotalLicenses), acc.PartNumber, state)
	f.Action = "buy it again to restore service, or remove " + acc.PartNumber + " from the users"
	if s.NextLifecycle != nil {
		d := s.NextLifecycle.UTC()
		f.Evidence += "; its data is deleted on " + d.Format(time.DateOnly)
		f.Action += "; export what must be kept before " + d.Format(time.DateOnly)
		f.ActBy = date(d.Add(-time.Nanosecond))
	}
	a.add(f, s.ID)
}

// seats and users count nouns with the plural machinery customer notices use.
func seats(n int) string { return i18n.N(n, "seat") }

func users(n int) string { return i18n.N(n, "user") }

// listed joins up to n names, saying how many more there are.
func listed(names []string, n int) string {
	if len(names) <= n {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:n], ", "), len(names)-n)
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
	case sh.sub.AutoRenewOff():
		step = fmt.Sprintf("nothing to schedule%s: auto-renew is off, so its seats end with the term on %s (renew only the seats still needed)", of, sh.sub.Term.End.Format(time.DateOnly))
	case !r.MaybeUntil.IsZero():
		step = fmt.Sprintf("the term is unknown: if it is %s, it renewed on %s and seats can be reduced until %s — check in Partner Center and reduce by %s%s now; otherwise schedule the reduction for %s",
			lengthWords(r.MaybeLength), r.MaybeFrom.Format(time.DateOnly), closing(r.MaybeUntil), seats(n), of, renewal)
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
	case t.Source == terms.SourceContract:
		return t.Length + " term taken from the contract, Graph's dates cannot tell"
	case t.Source == terms.SourcePartnerCenter:
		return t.Length + " term per Partner Center"
	}
	return t.Length + " term, inferred from Graph's dates"
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

func lengthWords(length string) string {
	if length == terms.Monthly {
		return "monthly"
	}
	return "annual"
}

// holdersInError lists the users whose assignment of a SKU is in error: over-assigned
// seats show up there (CountViolation) when groups assign them.
func (a *adviser) holdersInError(skuID string) []string {
	var out []string
	for _, u := range a.t.Users {
		for _, as := range u.Assignments {
			if as.SKUID == skuID && as.State == "Error" {
				out = append(out, u.Name())
				break
			}
		}
	}
	return out
}
