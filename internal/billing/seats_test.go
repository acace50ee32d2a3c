package billing

import (
	"testing"
	"time"
)

// A monthly subscription bought on the 31st: its terms begin on the 31st, or on a
// shorter month's last day, backwards and forwards from the known term.
func TestTermOnKeepsThePurchaseDay(t *testing.T) {
	s := Subscription{Term: "P1M", BillingPlan: "monthly", TermStart: day(2026, 4, 30), Renewal: day(2026, 5, 31)}
	for _, c := range []struct{ on, start, end time.Time }{
		{day(2026, 2, 10), day(2026, 1, 31), day(2026, 2, 27)},
		{day(2026, 3, 1), day(2026, 2, 28), day(2026, 3, 30)},
		{day(2026, 3, 31), day(2026, 3, 31), day(2026, 4, 29)},
		{day(2026, 5, 1), day(2026, 4, 30), day(2026, 5, 30)},
		{day(2026, 6, 30), day(2026, 6, 30), day(2026, 7, 30)},
		{day(2026, 7, 31), day(2026, 7, 31), day(2026, 8, 30)},
	} {
		start, end, ok := TermOn(s, c.on)
		if !ok || !start.Equal(c.start) || !end.Equal(c.end) {
			t.Errorf("term on %s: %s..%s, want %s..%s", c.on.Format(time.DateOnly), start.Format(time.DateOnly), end.Format(time.DateOnly),
				c.start.Format(time.DateOnly), c.end.Format(time.DateOnly))
		}
	}
}
