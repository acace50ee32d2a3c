package billing

import (
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
	for _, d := range days(p.First(), p.Last()) {
		n += int64(seatsOn(spans, d))
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
	switch {
	case d.Before(start):
		for k := 1; ; k++ {
			if from := terms.AddMonths(start, -k*n); !from.After(d) {
				return term{from, terms.AddMonths(start, -(k-1)*n).AddDate(0, 0, -1)}, true
			}
		}
	case d.Before(renewal):
		return term{start, renewal.AddDate(0, 0, -1)}, true
	}
	// Each step counts from the renewal, so that month ends do not drift.
	for k := 1; ; k++ {
		if next := terms.AddMonths(renewal, k*n); next.After(d) {
			return term{terms.AddMonths(renewal, (k-1)*n), next.AddDate(0, 0, -1)}, true
		}
	}
}

// days lists the days from a to b inclusive.
func days(a, b time.Time) []time.Time {
	var out []time.Time
	for d := a; !d.After(b); d = d.AddDate(0, 0, 1) {
		out = append(out, d)
	}
	return out
}

// spansOf compresses a count per day into spans of equal counts.
func spansOf(ds []time.Time, count func(time.Time) int) []SeatSpan {
	var out []SeatSpan
	for _, d := range ds {
		n := count(d)
		if k := len(out) - 1; k >= 0 && out[k].Seats == n && out[k].To.AddDate(0, 0, 1).Equal(d) {
			out[k].To = d
			continue
		}
		out = append(out, SeatSpan{From: d, To: d, Seats: n})
	}
	return out
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
