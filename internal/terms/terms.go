// Package terms works out a New Commerce subscription's term — how long, when it
// started, when it renews — and when its seats can be reduced: only within 7 days
// (168 hours) of its purchase, its renewal or a seat addition. The term comes from the
// contract line that covers the subscription when there is one; otherwise it is
// inferred from Graph's dates and marked so.
package terms

import (
	"strings"
	"time"
)

// Lengths as Partner Center writes them.
const (
	Monthly   = "P1M"
	Annual    = "P1Y"
	Triennial = "P3Y"
)

// ReductionWindow is how long after a purchase, renewal or seat addition seats can
// still be removed with a prorated refund.
const ReductionWindow = 7 * 24 * time.Hour

// Term is a subscription's current term. End is the last day of the term (terms end
// inclusively, at the end of that day UTC); the renewal takes effect the day after.
type Term struct {
	Length   string    `json:"length"`
	Inferred bool      `json:"inferred"`
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	Renewal  time.Time `json:"renewal"`
}

// Known tells whether the term could be worked out at all.
func (t Term) Known() bool { return t.Length != "" && !t.Renewal.IsZero() }

// Infer guesses a term from Graph's createdDateTime and nextLifecycleDateTime: Graph
// gives no term, but 25–35 days between them is a month, up to 1,089 days a year, and
// more three years.
func Infer(created time.Time, next *time.Time) string {
	if next == nil || created.IsZero() {
		return ""
	}
	days := next.Sub(created).Hours() / 24
	switch {
	case days < 25:
		return ""
	case days <= 35:
		return Monthly
	case days < 1090:
		return Annual
	}
	return Triennial
}

// Of works out the current term from the renewal date Graph gives. contractLength is
// the covering contract line's term, or "" to infer one from the dates.
func Of(created time.Time, next *time.Time, contractLength string) Term {
	t := Term{Length: contractLength}
	if t.Length == "" {
		t.Length, t.Inferred = Infer(created, next), true
	}
	if next == nil || t.Length == "" {
		return t
	}
	t.Renewal = day(*next)
	t.End = t.Renewal.AddDate(0, 0, -1)
	switch t.Length {
	case Monthly:
		t.Start = t.Renewal.AddDate(0, -1, 0)
	case Annual:
		t.Start = t.Renewal.AddDate(-1, 0, 0)
	case Triennial:
		t.Start = t.Renewal.AddDate(-3, 0, 0)
	}
	if c := day(created); t.Start.Before(c) {
		t.Start = c
	}
	return t
}

// Reduction says whether seats can be reduced now and when next.
type Reduction struct {
	// Open is true inside a 7-day window; Until is then when it closes and Reason
	// what opened it (purchase, renewal, seat addition).
	Open   bool      `json:"open"`
	Until  time.Time `json:"until,omitzero"`
	Reason string    `json:"reason,omitempty"`
	// Next is when a reduction next becomes possible: the renewal. A reduction made
	// for the renewal must be scheduled by ScheduleBy, the last day of the term.
	Next       time.Time `json:"next,omitzero"`
	ScheduleBy time.Time `json:"scheduleBy,omitzero"`
}

// ReductionAt works out the reduction windows of a term at time now, given the times
// seats were added during it.
func ReductionAt(t Term, created time.Time, seatAdditions []time.Time, now time.Time) Reduction {
	var r Reduction
	consider := func(at time.Time, reason string) {
		closes := at.Add(ReductionWindow)
		if !now.Before(at) && now.Before(closes) && closes.After(r.Until) {
			r.Open, r.Until, r.Reason = true, closes, reason
		}
	}
	if t.Known() {
		if day(created).Equal(t.Start) {
			consider(created, "purchase")
		} else {
			consider(t.Start, "renewal")
		}
		r.Next, r.ScheduleBy = t.Renewal, t.End
	} else {
		consider(created, "purchase")
	}
	for _, at := range seatAdditions {
		consider(at, "seat addition")
	}
	return r
}

// ActBy is the date by which idle seats must be dealt with: the close of an open
// reduction window, else the last day of the term (schedule the reduction for the
// renewal). Zero when the term is unknown.
func (r Reduction) ActBy() time.Time {
	if r.Open {
		return day(r.Until.Add(-time.Nanosecond))
	}
	return r.ScheduleBy
}

func day(t time.Time) time.Time {
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
