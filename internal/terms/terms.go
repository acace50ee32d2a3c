// Package terms works out a New Commerce subscription's term — how long, when it
// started, when it renews — and when its seats can be reduced: only within 7 days
// (168 hours) of its purchase, its renewal or a seat addition. The term comes from the
// contract line that covers the subscription when there is one; otherwise it is
// inferred from Graph's dates and marked so.
package terms

import (
	"strings"
	"time"

	"github.com/seatledger/seatledger/internal/contracts"
)

// Lengths as Partner Center writes them, the same names contract lines use.
const (
	Monthly   = contracts.TermMonthly
	Annual    = contracts.TermAnnual
	Triennial = contracts.TermTriennial
)

// ReductionWindow is how long after a purchase, renewal or seat addition seats can
// still be removed with a prorated refund.
const ReductionWindow = 7 * 24 * time.Hour

// Sources of a term's length, most trusted first.
const (
	// SourceGraph: inferred from Graph's dates, which say when the commitment
	// renews; the commitment decides reduction windows and renewals.
	SourceGraph = "graph"
	// SourceContract: taken from the partner's contract line because Graph's dates
	// could not tell; the contract's term decides billing and may differ from
	// Microsoft's.
	SourceContract = "contract"
)

// Term is a subscription's current commitment term. End is the last day of the term
// (terms end inclusively, at the end of that day UTC); the renewal takes effect the
// day after. Length is empty when unknown; Source then is empty too.
type Term struct {
	Length  string    `json:"length"`
	Source  string    `json:"source,omitempty"`
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
	Renewal time.Time `json:"renewal"`
}

// Known tells whether the term's length and renewal are both known.
func (t Term) Known() bool { return t.Length != "" && !t.Renewal.IsZero() }

// months is the length of a term in months.
var months = map[string]int{Monthly: 1, Annual: 12, Triennial: 36}

// monthSlack is how far past a month a monthly term's next renewal may lie (a
// month of 31 days and a day or two of drift in Graph's dates).
const monthSlack = 34

// Infer guesses the commitment term from Graph's createdDateTime (the original
// purchase), nextLifecycleDateTime (the next renewal) and the day now; Graph gives
// no term. The distance from now to the renewal is evidence: a monthly term renews
// within a month, an annual one within a year, so a renewal further away rules the
// shorter terms out. Otherwise, whole months from purchase to renewal that are not a
// multiple of 12 can only be a monthly term; exactly 12 is taken for an annual one;
// 24, 36, ... could be monthly, annual or three-year terms renewed, so the term is
// left unknown. A first term of a few months that renews further than a month away
// is an annual term co-termed to an end date.
func Infer(created time.Time, next *time.Time, now time.Time) string {
	if next == nil || created.IsZero() {
		return ""
	}
	c, n, today := Day(created), Day(*next), Day(now)
	m := wholeMonths(c, n)
	if ahead := n.Sub(today).Hours() / 24; n.After(today) && ahead > monthSlack {
		switch {
		case n.After(addMonths(today, 12).AddDate(0, 0, 3)):
			return Triennial
		case !n.After(addMonths(c, 12).AddDate(0, 0, 3)):
			return Annual // the first term, possibly co-termed to a custom end date
		}
		return "" // annual renewed, or three years
	}
	switch {
	case m < 1:
		return ""
	case m%12 != 0:
		return Monthly
	case m == 12:
		return Annual
	}
	return ""
}

// wholeMonths counts the months from a to b, allowing for month ends (Jan 31 to
// Feb 28 is a month) and a day or two of drift in Graph's dates.
func wholeMonths(a, b time.Time) int {
	m := (b.Year()-a.Year())*12 + int(b.Month()-a.Month())
	for _, n := range []int{m, m - 1, m + 1} {
		if diff := b.Sub(addMonths(a, n)).Hours() / 24; diff >= -3 && diff <= 3 {
			return n
		}
	}
	return -1 // not a whole number of months
}

// addMonths moves t by n calendar months, keeping to the last day of a shorter month
// (March 31 minus a month is February 28, not March 3).
func addMonths(t time.Time, n int) time.Time { return addMonthsOnDay(t, n, t.Day()) }

// AddMonths moves t by n calendar months, keeping to the last day of a shorter month
// (January 31 plus a month is February 28), as renewals do.
func AddMonths(t time.Time, n int) time.Time { return addMonths(t, n) }

// AddMonthsOnDay moves t by n calendar months onto the given day of the month, or
// the month's last day when it is shorter: a subscription bought on the 31st renews
// on February 28 and then on March 31.
func AddMonthsOnDay(t time.Time, n, day int) time.Time { return addMonthsOnDay(t, n, day) }

// addMonthsOnDay moves t by n calendar months onto the given day of the month, or
// the month's last day when it is shorter.
func addMonthsOnDay(t time.Time, n, day int) time.Time {
	first := time.Date(t.Year(), t.Month()+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(day, last), 0, 0, 0, 0, time.UTC)
}

// RenewalDay is the day of the month a subscription renews on (see renewalDay).
func RenewalDay(created, next time.Time) int { return renewalDay(created, next) }

// renewalDay is the day of the month a subscription renews on: Graph's renewal
// date, unless that is a short month's last day standing in for the purchase's day
// (bought January 31, renewing February 28, then March 31).
func renewalDay(created, next time.Time) int {
	c, n := Day(created), Day(next)
	if c.Day() > n.Day() && n.AddDate(0, 0, 1).Day() == 1 {
		return c.Day()
	}
	return n.Day()
}

// Of works out the current term on day now from the renewal date Graph gives.
// length and source are the term's length and where it came from ("" to leave it
// unknown). A renewal date already past (a stale read) is moved on by the term's
// length; when the length is unknown, so is the renewal after it.
func Of(created time.Time, next *time.Time, length, source string, now time.Time) Term {
	t := Term{Length: length, Source: source}
	if length == "" {
		t.Source = ""
	}
	if next == nil {
		return t
	}
	anchor, day := Day(*next), renewalDay(created, *next)
	n, known := months[t.Length]
	t.Renewal = anchor
	// Each step counts from Graph's date on the renewal day, so that month ends do
	// not drift (January 31 rolls to February 28, then March 31).
	for k := 1; known && !t.Renewal.After(Day(now)); k++ {
		t.Renewal = addMonthsOnDay(anchor, k*n, day)
	}
	if !t.Renewal.After(Day(now)) {
		t.Renewal = time.Time{} // passed, and the term that followed is unknown
		return t
	}
	t.End = t.Renewal.AddDate(0, 0, -1)
	if known {
		t.Start = addMonthsOnDay(t.Renewal, -n, day)
		if c := Day(created); t.Start.Before(c) {
			t.Start = c
		}
	}
	return t
}

// Reduction says whether seats can be reduced now and when next.
type Reduction struct {
	// Open is true inside a 7-day window; Until is then when it closes and Reason
	// what opened it (purchase, renewal, seat addition). After a seat addition only
	// the Seats added can go.
	Open   bool      `json:"open"`
	Until  time.Time `json:"until,omitzero"`
	Reason string    `json:"reason,omitempty"`
	Seats  int       `json:"seats,omitempty"`
	// MaybeUntil is set when the term is unknown and a window would be open now if
	// the term were MaybeLength (a renewal the dates cannot confirm): it closes then.
	MaybeUntil  time.Time `json:"maybeUntil,omitzero"`
	MaybeLength string    `json:"maybeLength,omitempty"`
	MaybeFrom   time.Time `json:"maybeFrom,omitzero"`
	// Next is when a reduction next becomes possible: the renewal. A reduction made
	// for the renewal must be scheduled by ScheduleBy, the last day of the term.
	Next       time.Time `json:"next,omitzero"`
	ScheduleBy time.Time `json:"scheduleBy,omitzero"`
}

// SeatAddition is a rise in a subscription's seats: how many, and the earliest time
// it can have happened (the sync before the one that saw it), so that its window is
// never thought open after it closed.
type SeatAddition struct {
	At    time.Time `json:"at"`
	Seats int       `json:"seats"`
}

// ReductionAt works out the reduction windows of a term at time now, given the seat
// additions during it.
func ReductionAt(t Term, created time.Time, additions []SeatAddition, now time.Time) Reduction {
	var r Reduction
	// A window for every seat beats one for the seats just added; among equals the
	// one that stays open longer.
	better := func(closes time.Time, seats int) bool {
		if !r.Open {
			return true
		}
		if (seats == 0) != (r.Seats == 0) {
			return seats == 0
		}
		return closes.After(r.Until)
	}
	consider := func(at time.Time, reason string, seats int) {
		closes := at.Add(ReductionWindow)
		if !now.Before(at) && now.Before(closes) && better(closes, seats) {
			r.Open, r.Until, r.Reason, r.Seats = true, closes, reason, seats
		}
	}
	switch {
	case !t.Start.IsZero() && Day(created).Equal(t.Start):
		consider(created, "purchase", 0)
	case !t.Start.IsZero():
		consider(t.Start, "renewal", 0)
	default:
		consider(created, "purchase", 0)
	}
	for _, a := range additions {
		if !a.At.Before(t.Start) {
			consider(a.At, "seat addition", a.Seats)
		}
	}
	if !t.Renewal.IsZero() {
		r.Next, r.ScheduleBy = t.Renewal, t.End
	}
	if !r.Open && t.Length == "" && !t.Renewal.IsZero() {
		r.maybeRenewed(created, t.Renewal, now)
	}
	return r
}

// maybeRenewed looks, for a term of unknown length, at the renewals it would have
// had if it were monthly or annual: when one of them opened a window that is still
// open, the partner must hear that it may be open, rather than that seats cannot go.
func (r *Reduction) maybeRenewed(created, renewal, now time.Time) {
	today, day := Day(now), renewalDay(created, renewal)
	for _, length := range []string{Monthly, Annual} {
		n := months[length]
		if length == Monthly && renewal.Sub(today).Hours()/24 > monthSlack ||
			length == Annual && renewal.After(addMonths(today, 12).AddDate(0, 0, 3)) {
			continue // a renewal this far away rules the length out
		}
		start := renewal
		for k := 1; start.After(now); k++ {
			start = addMonthsOnDay(renewal, -k*n, day)
		}
		if closes := start.Add(ReductionWindow); start.After(Day(created)) && now.Before(closes) && closes.After(r.MaybeUntil) {
			r.MaybeUntil, r.MaybeLength, r.MaybeFrom = closes, length, start
		}
	}
}

// ActBy is the last day idle seats can be dealt with: the close of an open reduction
// window (or of one that may be open), else the last day of the term (schedule the
// reduction for the renewal). Zero when the renewal is unknown.
func (r Reduction) ActBy() time.Time {
	switch {
	case r.Open:
		return Day(r.Until.Add(-time.Nanosecond))
	case !r.MaybeUntil.IsZero():
		return Day(r.MaybeUntil.Add(-time.Nanosecond))
	}
	return r.ScheduleBy
}

// Day is the UTC calendar day of t, at midnight.
func Day(t time.Time) time.Time {
	u := t.UTC()
	return time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, time.UTC)
}

// Owners of a subscription, from the partner's point of view.
const (
	OwnerPartner      = "partner"
	OwnerOtherPartner = "other-partner"
	OwnerDirect       = "direct"
)

// OwnerOf classifies a subscription by the tenant that created it. With no partner
// tenant configured every partner-created subscription is taken to be ours.
func OwnerOf(ownerTenantID, customerTenantID, partnerTenantID string) string {
	owner := strings.ToLower(ownerTenantID)
	switch {
	case owner == "" || owner == customerTenantID:
		return OwnerDirect
	case partnerTenantID == "" || owner == partnerTenantID:
		return OwnerPartner
	}
	return OwnerOtherPartner
}
