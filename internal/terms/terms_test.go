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
		{"2025-11-20", "2026-11-20", Annual},
		{"2024-01-01", "2027-01-01", Triennial},
		{"2026-11-01", "2026-11-10", ""},
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
	term := Of(d("2025-11-20"), p(d("2026-12-20")), Monthly)
	if term.Inferred || term.Length != Monthly || !term.Start.Equal(d("2026-11-20")) || !term.End.Equal(d("2026-12-19")) {
		t.Errorf("%+v", term)
	}
	term = Of(d("2025-12-20"), p(d("2026-12-20")), "")
	if !term.Inferred || term.Length != Annual || !term.Start.Equal(d("2025-12-20")) {
		t.Errorf("%+v", term)
	}
}

func TestReduction(t *testing.T) {
	noon := func(s string) time.Time { return d(s).Add(12 * time.Hour) }
	cases := []struct {
		name       string
		created    string
		next       string
		length     string
		additions  []time.Time
		now        time.Time
		open       bool
		reason     string
		actBy      string
		scheduleBy string
	}{
		{"annual mid-term", "2026-03-01", "2027-03-01", Annual, nil, noon("2026-11-23"), false, "", "2027-02-28", "2027-02-28"},
		{"days after purchase", "2026-11-20", "2027-11-20", Annual, nil, noon("2026-11-23"), true, "purchase", "2026-11-26", "2027-11-19"},
		{"days after renewal", "2024-11-20", "2027-11-20", Annual, nil, noon("2026-11-23"), true, "renewal", "2026-11-26", "2027-11-19"},
		{"after a seat addition", "2026-03-01", "2027-03-01", Annual, []time.Time{noon("2026-11-20")}, noon("2026-11-23"), true, "seat addition", "2026-11-27", "2027-02-28"},
		{"window just closed", "2026-11-15", "2027-11-15", Annual, nil, noon("2026-11-23"), false, "", "2027-11-14", "2027-11-14"},
		{"monthly acts next month", "2026-11-10", "2026-12-10", Monthly, nil, noon("2026-11-23"), false, "", "2026-12-09", "2026-12-09"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			term := Of(d(c.created), p(d(c.next)), c.length)
			r := ReductionAt(term, d(c.created), c.additions, c.now)
			if r.Open != c.open || r.Reason != c.reason || !r.ActBy().Equal(d(c.actBy)) || !r.ScheduleBy.Equal(d(c.scheduleBy)) {
				t.Errorf("got %+v act by %s", r, r.ActBy().Format(time.DateOnly))
			}
		})
	}
}
