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
		created, next string
		want          string
	}{
		{"2026-10-05", "2026-11-05", Monthly},
		{"2026-02-01", "2026-03-01", Monthly},
		{"2026-01-31", "2026-02-28", Monthly},
		{"2026-08-14", "2026-12-14", Monthly}, // bought 101 days ago, renewed three times
		{"2025-11-20", "2026-11-20", Annual},
		{"2024-11-20", "2026-11-20", ""}, // annual renewed once, or monthly renewed 23 times
		{"2024-01-01", "2027-01-01", ""},
		{"2026-11-01", "2026-11-10", ""},
		{"2026-01-01", "2026-03-17", ""},
		{"2025-03-01", "2025-03-31", Monthly}, // a day or two of drift across a month
		{"2025-01-30", "2025-03-01", Monthly},
	}
	for _, c := range cases {
		if got := Infer(d(c.created), p(d(c.next))); got != c.want {
			t.Errorf("%s..%s: %q, want %q", c.created, c.next, got, c.want)
		}
	}
	if Infer(d("2026-01-01"), nil) != "" {
		t.Error("no renewal date, no term")
	}
}

func TestOfPrefersTheContract(t *testing.T) {
	// A monthly subscription renewed many times looks annual from its dates.
	now := d("2026-11-23")
	// A monthly subscription renewed many times looks annual from its dates.
	term := Of(d("2025-12-20"), p(d("2026-12-20")), Monthly, now)
	if term.Inferred || term.Length != Monthly || !term.Start.Equal(d("2026-11-20")) || !term.End.Equal(d("2026-12-19")) {
		t.Errorf("%+v", term)
	}
	term = Of(d("2025-12-20"), p(d("2026-12-20")), "", now)
	if !term.Inferred || term.Length != Annual || !term.Start.Equal(d("2025-12-20")) {
		t.Errorf("%+v", term)
	}
	// Month ends: the term before a renewal on March 31 began on the last of February.
	term = Of(d("2025-01-31"), p(d("2027-03-31")), Monthly, d("2027-03-08"))
	if !term.Start.Equal(d("2027-02-28")) {
		t.Errorf("month end: %+v", term)
	}
	// A renewal date already past (a stale read) moves on by the term.
	term = Of(d("2025-11-20"), p(d("2026-11-20")), Annual, now)
	if !term.Renewal.Equal(d("2027-11-20")) || !term.Start.Equal(d("2026-11-20")) {
		t.Errorf("stale renewal: %+v", term)
	}
	term = Of(d("2025-01-31"), p(d("2026-01-31")), Monthly, d("2026-04-05"))
	if !term.Renewal.Equal(d("2026-04-30")) {
		t.Errorf("a stale month-end renewal drifted: %+v", term)
	}
	// Unknown length: the renewal date still says when seats can next go.
	term = Of(d("2024-12-20"), p(d("2026-12-20")), "", now)
	if term.Length != "" || !term.Renewal.Equal(d("2026-12-20")) || !term.End.Equal(d("2026-12-19")) {
		t.Errorf("unknown length: %+v", term)
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
			term := Of(d(c.created), p(d(c.next)), c.length, c.now)
			r := ReductionAt(term, d(c.created), c.additions, c.now)
			if r.Open != c.open || r.Reason != c.reason || !r.ActBy().Equal(d(c.actBy)) || !r.ScheduleBy.Equal(d(c.scheduleBy)) ||
				r.Reason == "seat addition" && r.Seats != 2 {
				t.Errorf("got %+v act by %s", r, r.ActBy().Format(time.DateOnly))
			}
		})
	}
}
