package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/robfig/cron/v3"

	"github.com/seatledger/seatledger/internal/config"
)

// The periodic jobs, by name.
const (
	JobSync    = "sync"
	JobPrices  = "prices"
	JobNotices = "notices"
	JobBilling = "billing"
)

type schedule struct {
	name, expr string
	cron       cron.Schedule
}

func schedules(cfg *config.Loaded, loc *time.Location) ([]schedule, error) {
	list := []schedule{
		{name: JobSync, expr: cfg.Jobs.SyncSchedule},
		{name: JobPrices, expr: cfg.Jobs.PricesSchedule},
		{name: JobNotices, expr: cfg.Jobs.NoticesSchedule},
		{name: JobBilling, expr: cfg.Jobs.BillingSchedule},
	}
	for i := range list {
		c, err := config.ParseSchedule(list[i].expr, loc)
		if err != nil {
			return nil, fmt.Errorf("jobs.%s_schedule: %q: %w", list[i].name, list[i].expr, err)
		}
		list[i].cron = gapSafe{expr: list[i].expr, loc: loc, inner: c}
	}
	return list, nil
}

// gapSafe is a schedule that a clock change does not make skip a day: a tick whose
// time the clocks jumped over (02:00 on the day they go forward) comes at the first
// moment after the jump, as cron daemons do, instead of on the next day.
type gapSafe struct {
	expr  string
	loc   *time.Location
	inner cron.Schedule
}

func (g gapSafe) Next(t time.Time) time.Time {
	n := g.inner.Next(t)
	// The same schedule on a clock that keeps t's offset does not jump; where it
	// ticks on a day before the real one, the real one skipped that day.
	_, offset := t.In(g.loc).Zone()
	fixed, err := config.ParseSchedule(g.expr, time.FixedZone("", offset))
	if err != nil {
		return n
	}
	if f := fixed.Next(t); !f.IsZero() && f.Before(n) && dayOf(f, g.loc) < dayOf(n, g.loc) {
		return f
	}
	return n
}

// args are the job args of the named periodic job for the period holding now.
func (s *Scheduler) args(name string, now time.Time) (river.JobArgs, error) {
	switch name {
	case JobSync:
		return FleetSyncArgs{Day: dayOf(now, s.loc)}, nil
	case JobPrices:
		return PricesArgs{Day: dayOf(now, s.loc)}, nil
	case JobNotices:
		return NoticesArgs{Slot: slotOf(now, s.loc)}, nil
	case JobBilling:
		// Billing months are UTC months, whatever the schedules' time zone: a month is
		// drafted once it has ended everywhere the billing counts it.
		return BillingArgs{Month: lastMonthOf(now, time.UTC)}, nil
	}
	return nil, fmt.Errorf("jobs: no periodic job %q", name)
}

// constructor is what River's leader calls at each tick and when it is elected:
// the period is read from the application's clock, so that SEATLEDGER_NOW moves it
// as it moves the rest. At election it is the catch-up of a tick that a restart or
// a change of leader missed: a daily job whose time today has passed and whose day
// was not worked yet is enqueued then (the day's uniqueness skips it otherwise),
// and one whose time has not come waits for its tick.
func (s *Scheduler) constructor(sc schedule) river.PeriodicJobConstructor {
	return func() (river.JobArgs, *river.InsertOpts) {
		now := s.app.Now()
		if sc.name == JobSync || sc.name == JobPrices {
			l := now.In(s.loc)
			midnight := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, s.loc)
			if sc.cron.Next(midnight.Add(-time.Second)).After(now) {
				return nil, nil
			}
		}
		args, err := s.args(sc.name, now)
		if err != nil {
			s.log.Error("periodic job not enqueued", "job", sc.name, "error", err)
			return nil, nil
		}
		return args, nil
	}
}

// Enqueue enqueues the named periodic job for the period holding now, as its
// schedule does; a period already enqueued (or worked) is left alone. It reports
// whether a job was inserted.
func (s *Scheduler) Enqueue(ctx context.Context, name string, now time.Time) (bool, error) {
	args, err := s.args(name, now)
	if err != nil {
		return false, err
	}
	res, err := s.client.Insert(ctx, args, nil)
	if err != nil {
		return false, fmt.Errorf("jobs: enqueue %s: %w", name, err)
	}
	return !res.UniqueSkippedAsDuplicate, nil
}
