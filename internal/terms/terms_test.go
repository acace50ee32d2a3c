package terms

import (
	"testing"
	"time"
)

func d(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func p(t time.Time) *time.Time { return &t }

func TestInfer(t *testing.T) {
	cases := []struct {
		created, next, now string
		want               string
	}{
		{"2026-10-05", "2026-11-05", "2026-10-20", Monthly},
		{"2026-02-01", "2026-03-01", "2026-02-10", Monthly},
		{"2026-01-31", "2026-02-28", "2026-02-10", Monthly},
		{"2026-08-14", "2026-12-14", "2026-11-23", Monthly}, // bought 101 days ago, renewed three times
		{"2025-11-20", "2026-11-20", "2026-11-10", Annual},
		{"2024-11-20", "2026-11-20", "2026-11-10", ""}, // annual renewed once, or monthly renewed 23 times
		{"2024-01-01", "2027-01-01", "2026-12-10", ""},
		{"2026-11-01", "2026-11-10", "2026-11-05", ""},
		{"2026-01-01", "2026-03-17", "2026-03-01", ""},
		{"2025-03-01", "2025-03-31", "2025-03-10", Monthly}, // a day or two of drift across a month
		{"2025-01-30", "2025-03-01", "2025-02-10", Monthly},
		// Co-termed to a custom end date: nine months, but the renewal is months
		// away, and a monthly term never renews more than a month ahead.
		{"2026-05-20", "2027-02-20", "2026-11-30", Annual},
		// An annual commitment renewing in 27 days.
		{"2025-12-27", "2026-12-27", "2026-11-30", Annual},
		// Three years in, renewing in a year: annual renewed, or a three-year term.
		{"2024-11-20", "2027-11-20", "2026-11-30", ""},
		// More than a year ahead: only a three-year term renews that far away.
		{"2026-06-01", "2029-06-01", "2026-11-30", Triennial},
		// A stale read: the renewal passed; only the months between tell.
		{"2025-11-20", "2026-11-20", "2026-11-23", Annual},
	}
	for _, c := range cases {
		if got := Infer(d(c.created), p(d(c.next)), d(c.now)); got != c.want {
			t.Errorf("%s..%s on %s: %q, want %q", c.created, c.next, c.now, got, c.want)
		}
	}
	if Infer(d("2026-01-01"), nil, d("2026-02-01")) != "" {
		t.Error("no renewal date, no term")
	}
}

func TestOf(t *testing.T) {
	now := d("2026-11-23")
	term := Of(d("2025-12-20"), p(d("2026-12-20")), Monthly, SourceContract, now)
	if term.Source != SourceContract || term.Length != Monthly || !term.Start.Equal(d("2026-11-20")) || !term.End.Equal(d("2026-12-19")) {
		t.Errorf("%+v", term)
	}
	term = Of(d("2025-12-20"), p(d("2026-12-20")), Annual, SourceGraph, now)
	if term.Source != SourceGraph || term.Length != Annual || !term.Start.Equal(d("2025-12-20")) {
		t.Errorf("%+v", term)
	}
	// Month ends: the term before a renewal on March 31 began on the last of February.
	term = Of(d("2025-01-31"), p(d("2027-03-31")), Monthly, SourceGraph, d("2027-03-08"))
	if !term.Start.Equal(d("2027-02-28")) {
		t.Errorf("month end: %+v", term)
	}
	// A renewal date already past (a stale read) moves on by the term.
	term = Of(d("2025-11-20"), p(d("2026-11-20")), Annual, SourceGraph, now)
	if !term.Renewal.Equal(d("2027-11-20")) || !term.Start.Equal(d("2026-11-20")) {
		t.Errorf("stale renewal: %+v", term)
	}
	term = Of(d("2025-01-31"), p(d("2026-01-31")), Monthly, SourceGraph, d("2026-04-05"))
	if !term.Renewal.Equal(d("2026-04-30")) {
		t.Errorf("a stale month-end renewal drifted: %+v", term)
	}
	// Unknown length: the renewal date still says when seats can next go.
	term = Of(d("2024-12-20"), p(d("2026-12-20")), "", "", now)
	if term.Length != "" || !term.Renewal.Equal(d("2026-12-20")) || !term.End.Equal(d("2026-12-19")) {
		t.Errorf("unknown length: %+v", term)
	}
	// Unknown length and a renewal date that passed: the next renewal is unknown,
	// never a date in the past.
	term = Of(d("2024-11-20"), p(d("2026-11-20")), "", "", now)
	if !term.Renewal.IsZero() || !term.End.IsZero() {
		t.Errorf("a passed renewal of an unknown term: %+v", term)
	}
}

// Bought on January 31: renewals fall on February 28 (29 in a leap year), March
// 31, April 30 — never drifting to the 28th — whatever date Graph last gave.
func TestMonthEndRenewals(t *testing.T) {
	cases := []struct{ next, now, want string }{
		{"2027-02-28", "2027-02-10", "2027-02-28"},
		{"2027-02-28", "2027-03-05", "2027-03-31"},
		{"2027-02-28", "2027-04-02", "2027-04-30"},
		{"2027-02-28", "2027-05-01", "2027-05-31"},
		{"2028-02-29", "2028-03-01", "2028-03-31"},
		{"2027-04-30", "2027-06-01", "2027-06-30"},
	}
	for _, c := range cases {
		term := Of(d("2026-01-31"), p(d(c.next)), Monthly, SourceGraph, d(c.now))
		if !term.Renewal.Equal(d(c.want)) {
			t.Errorf("Graph's %s on %s: renewal %s, want %s", c.next, c.now, term.Renewal.Format(time.DateOnly), c.want)
		}
		if term.End.Before(d(c.now)) {
			t.Errorf("Graph's %s on %s: act by %s is in the past", c.next, c.now, term.End.Format(time.DateOnly))
		}
	}
}

// A term of unknown length whose dates allow an annual renewal a few days ago: the
// window that renewal would have opened may be open, and the act-by date says so.
func TestReductionMaybeOpen(t *testing.T) {
	created, next := d("2024-11-20"), p(d("2027-11-20"))
	now := d("2026-11-23").Add(12 * time.Hour)
	term := Of(created, next, Infer(created, next, now), "", now)
	r := ReductionAt(term, created, nil, now)
	if r.Open || r.MaybeLength != Annual || !r.MaybeFrom.Equal(d("2026-11-20")) || !r.ActBy().Equal(d("2026-11-26")) {
		t.Errorf("got %+v, act by %s", r, r.ActBy().Format(time.DateOnly))
	}
	// A week later that window would have closed: schedule for the renewal.
	now = d("2026-11-30").Add(12 * time.Hour)
	r = ReductionAt(Of(created, next, "", "", now), created, nil, now)
	if !r.MaybeUntil.IsZero() || !r.ActBy().Equal(d("2027-11-19")) {
		t.Errorf("got %+v", r)
	}
}

func TestReduction(t *testing.T) {
	noon := func(s string) time.Time { return d(s).Add(12 * time.Hour) }
	cases := []struct {
		name       string
		created    string
		next       string
		length     string
		additions  []SeatAddition
		now        time.Time
		open       bool
		reason     string
		actBy      string
		scheduleBy string
	}{
		{"annual mid-term", "2026-03-01", "2027-03-01", Annual, nil, noon("2026-11-23"), false, "", "2027-02-28", "2027-02-28"},
		{"days after purchase", "2026-11-20", "2027-11-20", Annual, nil, noon("2026-11-23"), true, "purchase", "2026-11-26", "2027-11-19"},
		{"days after renewal", "2024-11-20", "2027-11-20", Annual, nil, noon("2026-11-23"), true, "renewal", "2026-11-26", "2027-11-19"},
		{"after a seat addition", "2026-03-01", "2027-03-01", Annual, []SeatAddition{{At: noon("2026-11-20"), Seats: 2}}, noon("2026-11-23"), true, "seat addition", "2026-11-27", "2027-02-28"},
		{"window just closed", "2026-11-15", "2027-11-15", Annual, nil, noon("2026-11-23"), false, "", "2027-11-14", "2027-11-14"},
		{"monthly acts next month", "2026-11-10", "2026-12-10", Monthly, nil, noon("2026-11-23"), false, "", "2026-12-09", "2026-12-09"},
		{"stale renewal date: the renewal window is open", "2025-11-20", "2026-11-20", Annual, nil, noon("2026-11-23"), true, "renewal", "2026-11-26", "2027-11-19"},
		{"a renewal beats a seat addition", "2024-11-20", "2027-11-20", Annual, []SeatAddition{{At: noon("2026-11-22"), Seats: 2}}, noon("2026-11-23"), true, "renewal", "2026-11-26", "2027-11-19"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			term := Of(d(c.created), p(d(c.next)), c.length, SourceContract, c.now)
			r := ReductionAt(term, d(c.created), c.additions, c.now)
			if r.Open != c.open || r.Reason != c.reason || !r.ActBy().Equal(d(c.actBy)) || !r.ScheduleBy.Equal(d(c.scheduleBy)) ||
				r.Reason == "seat addition" && r.Seats != 2 {
				t.Errorf("got %+v act by %s", r, r.ActBy().Format(time.DateOnly))
			}
		})
	}
}
