package billing

import (
	"slices"
	"time"

	"github.com/seatledger/seatledger/internal/pricing"
	"github.com/seatledger/seatledger/internal/terms"
)

// seatsOn is the count of a timeline at the end of day d: the span in force then,
// the latest to start when a day saw several. Days no span covers hold 0.
func seatsOn(spans []Span, d time.Time) int {
	end := d.AddDate(0, 0, 1)
	var best *Span
	for i, s := range spans {
		if !s.From.Before(end) || s.To != nil && s.To.Before(end) {
			continue
		}
		if best == nil || s.From.After(best.From) {
			best = &spans[i]
		}
	}
	if best == nil {
		return 0
	}
	return best.Seats
}

// SeatDays is Σ seats × days of a timeline over period p, each day counted at its end.
func SeatDays(spans []Span, p Period) int64 {
	var n int64
	for _, st := range stretchesOf(p, func(at func(time.Time)) { spanChanges(spans, at) }) {
		n += int64(seatsOn(spans, st.from)) * int64(st.days)
	}
	return n
}

// term is one term of a subscription: its first and last day.
type term struct{ start, end time.Time }

func (t term) days() int { return int(t.end.Sub(t.start).Hours()/24) + 1 }

// termOn is the subscription's term that day d lies in: the known term, or one
// before or after it by whole terms. ok is false when the term is unknown.
func termOn(s *Subscription, d time.Time) (term, bool) {
	if s == nil || s.TermStart.IsZero() || pricing.Months(s.Term) == 0 {
		return term{}, false
	}
	n := pricing.Months(s.Term)
	start := terms.Day(s.TermStart)
	renewal := terms.AddMonths(start, n)
	if !s.Renewal.IsZero() {
		renewal = terms.Day(s.Renewal) // a first term co-termed to an end date may be shorter
	}
	// Terms keep the purchase's day of the month: a month's last day standing in for a
	// later day (bought on the 31st: April 30, then May 31) is not the day to step by.
	back, fwd := start.Day(), renewal.Day()
	if fwd > back && monthEnd(start) {
		back = fwd
	}
	if back > fwd && monthEnd(renewal) {
		fwd = back
	}
	switch {
	case d.Before(start):
		for k := 1; ; k++ {
			if from := terms.AddMonthsOnDay(start, -k*n, back); !from.After(d) {
				end := start
				if k > 1 {
					end = terms.AddMonthsOnDay(start, -(k-1)*n, back)
				}
				return term{from, end.AddDate(0, 0, -1)}, true
			}
		}
	case d.Before(renewal):
		return term{start, renewal.AddDate(0, 0, -1)}, true
	}
	// Each step counts from the renewal, so that month ends do not drift.
	for k := 1; ; k++ {
		if next := terms.AddMonthsOnDay(renewal, k*n, fwd); next.After(d) {
			from := renewal
			if k > 1 {
				from = terms.AddMonthsOnDay(renewal, (k-1)*n, fwd)
			}
			return term{from, next.AddDate(0, 0, -1)}, true
		}
	}
}

// monthEnd tells whether d is the last day of its month.
func monthEnd(d time.Time) bool { return d.AddDate(0, 0, 1).Day() == 1 }

// stretch is a run of days, from its first for a number of days.
type stretch struct {
	from time.Time
	days int
}

// last is the stretch's last day.
func (st stretch) last() time.Time { return st.from.AddDate(0, 0, st.days-1) }

// dayOf is the UTC day time t falls in, at midnight.
func dayOf(t time.Time) time.Time {
	// Time counts from midnight UTC of January 1 of year 1, so whole days of it are
	// UTC days.
	return t.UTC().Truncate(24 * time.Hour)
}

// stretchesOf splits period p into stretches at the days changes names (at may be
// given any time of a day, and days outside p): the first day of the period and
// each day named start a stretch.
func stretchesOf(p Period, changes func(at func(time.Time))) []stretch {
	first, end := p.First(), p.Last().AddDate(0, 0, 1)
	second := first.AddDate(0, 0, 1)
	cuts := make([]time.Time, 1, 32)
	cuts[0] = first
	changes(func(t time.Time) {
		// Most changes lie outside the period: they are passed over before the day
		// is worked out. A day after the first and in the period starts in
		// [second, end).
		if !t.Before(second) && t.Before(end) {
			cuts = append(cuts, dayOf(t))
		}
	})
	slices.SortFunc(cuts, time.Time.Compare)
	cuts = slices.CompactFunc(cuts, time.Time.Equal)
	out := make([]stretch, len(cuts))
	for i := len(cuts) - 1; i >= 0; i-- {
		out[i] = stretch{from: cuts[i], days: int(end.Sub(cuts[i]) / (24 * time.Hour))}
		end = cuts[i]
	}
	return out
}

// spanChanges names the days a timeline's count may differ from the day before's:
// a span counts on the days whose end lies in it, so from the day it starts to the
// day before the one it ends.
func spanChanges(spans []Span, at func(time.Time)) {
	for _, x := range spans {
		at(x.From)
		if x.To != nil {
			at(*x.To)
		}
	}
}

// stretches splits period w into stretches over which nothing the seats of holding
// h billed to payer s depend on changes: a contract line of the customer coming into
// or out of force (which decides which line covers a subscription), a seat timeline
// of the holding changing, and the payer's term. Each stretch is then counted at its
// first day; a day named that changes nothing only splits a stretch in two.
func (b *biller) stretches(h *Holding, s *Subscription, w Period) []stretch {
	return stretchesOf(w, func(at func(time.Time)) {
		for i := range b.c.Contract {
			l := &b.c.Contract[i]
			// In force from Start's day, or the next when Start is later that day;
			// out of force from the day after End's.
			at(l.Start)
			at(l.Start.Add(24 * time.Hour))
			if l.End != nil {
				at(l.End.Add(24 * time.Hour))
			}
		}
		spanChanges(h.Assigned, at)
		for i := range h.Subscriptions {
			spanChanges(h.Subscriptions[i].Seats, at)
		}
		if t, ok := termOn(s, w.First()); ok {
			for last := w.Last(); t.end.Before(last); {
				next := t.end.AddDate(0, 0, 1)
				at(next)
				t, _ = termOn(s, next)
			}
		}
	})
}

// SeatsOn is a timeline's seat count at the end of day d (see Span); 0 on days no
// span covers.
func SeatsOn(spans []Span, d time.Time) int { return seatsOn(spans, d) }

// TermOn is the first and last day (inclusive, UTC) of subscription s's term that day
// d lies in, counted as the billing run counts it: from the known term by whole
// terms. ok is false when the term is unknown.
func TermOn(s Subscription, d time.Time) (start, end time.Time, ok bool) {
	t, ok := termOn(&s, d)
	return t.start, t.end, ok
}
