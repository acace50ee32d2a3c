package jobs

import (
	"testing"
	"time"

	"github.com/seatledger/seatledger/internal/config"
)

// On the day clocks go forward, a 02:00 tick comes right after the jump instead of
// on the next day; on the day they go back it comes once; other days are untouched.
func TestSchedulesSkipNoDayAtClockChanges(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	inner, err := config.ParseSchedule("0 2 * * *", berlin)
	if err != nil {
		t.Fatal(err)
	}
	s := gapSafe{expr: "0 2 * * *", loc: berlin, inner: inner}
	at := func(v string) time.Time {
		t.Helper()
		x, err := time.ParseInLocation("2006-01-02 15:04", v, berlin)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	cases := []struct{ from, want string }{
		{"2026-03-27 03:00", "2026-03-28 02:00"},
		{"2026-03-28 03:00", "2026-03-29 03:00"}, // 02:00 does not exist that day
		{"2026-03-29 03:00", "2026-03-30 02:00"},
		{"2026-10-25 03:00", "2026-10-26 02:00"}, // 02:00 happened twice, ticked once
		{"2026-06-01 12:00", "2026-06-02 02:00"},
	}
	for _, c := range cases {
		if got := s.Next(at(c.from)); !got.Equal(at(c.want)) {
			t.Errorf("Next(%s) = %s, want %s", c.from, got.In(berlin).Format("2006-01-02 15:04 MST"), c.want)
		}
	}
	// 02:00 on October 25 happens twice: the tick is at the first, in summer time.
	if got := s.Next(at("2026-10-24 03:00")); !got.Equal(time.Date(2026, 10, 25, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("Next(2026-10-24 03:00) = %s, want 02:00 CEST", got.In(berlin).Format("2006-01-02 15:04 MST"))
	}
	// The billing catch-up drafts the month that ended in UTC: at 06:00 in Sydney on
	// December 1 November has not ended in UTC yet.
	sydney, err := time.LoadLocation("Australia/Sydney")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	sc := &Scheduler{loc: sydney}
	args, err := sc.args(JobBilling, time.Date(2026, 12, 1, 6, 0, 0, 0, sydney))
	if err != nil || args.(BillingArgs).Month != "2026-10" {
		t.Errorf("billing at 06:00 on 1 December in Sydney drafts %v (%v), want 2026-10", args, err)
	}
}
