package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/seatledger/seatledger/internal/app"
	"github.com/seatledger/seatledger/internal/inventory"
)

// attempt runs one attempt of a job with an App whose logs carry the job's id, kind
// and tenant, and records its outcome and queue latency.
func (s *Scheduler) attempt(ctx context.Context, job *rivertype.JobRow, tenant string, fn func(ctx context.Context, a *app.App, log *slog.Logger) error) error {
	log := s.log.With("job_id", job.ID, "job_kind", job.Kind, "attempt", job.Attempt)
	if tenant != "" {
		log = log.With("tenant", tenant)
	}
	if job.AttemptedAt != nil {
		s.metrics.queueLatency.WithLabelValues(job.Kind).Observe(max(job.AttemptedAt.Sub(job.ScheduledAt), 0).Seconds())
	}
	// A shallow copy shares the database and the clock; only the logger differs.
	a := *s.app
	a.Log = log
	start := time.Now()
	err := fn(ctx, &a, log)
	took := time.Since(start).Round(time.Millisecond)
	var snooze *river.JobSnoozeError
	switch {
	case err == nil:
		s.metrics.jobs.WithLabelValues(job.Kind, "completed").Inc()
		log.Info("job done", "took", took)
	case errors.As(err, &snooze):
		s.metrics.jobs.WithLabelValues(job.Kind, "snoozed").Inc()
		log.Info("job put off", "for", snooze.Duration, "took", took)
	case ctx.Err() != nil:
		s.metrics.jobs.WithLabelValues(job.Kind, "interrupted").Inc()
		log.Warn("job interrupted: it is retried, here or on another replica", "took", took, "error", err)
	case job.Attempt >= job.MaxAttempts:
		s.metrics.jobs.WithLabelValues(job.Kind, "discarded").Inc()
		log.Error("job failed for the last time", "took", took, "error", err)
	default:
		s.metrics.jobs.WithLabelValues(job.Kind, "failed").Inc()
		log.Warn("job failed: it is retried", "took", took, "error", err, "max_attempts", job.MaxAttempts)
	}
	return err
}

type fleetSyncWorker struct {
	river.WorkerDefaults[FleetSyncArgs]
	s *Scheduler
}

// Work enqueues one sync per customer tenant for the day, in one transaction:
// tenants already enqueued for the day are skipped, so the fan-out can be repeated.
func (w *fleetSyncWorker) Work(ctx context.Context, job *river.Job[FleetSyncArgs]) error {
	return w.s.attempt(ctx, job.JobRow, "", func(ctx context.Context, a *app.App, log *slog.Logger) error {
		if w.s.opts.Partner != nil {
			// New customers are synced the same day; a failure leaves the registry as it was.
			if _, err := a.DiscoverCustomers(ctx, w.s.opts.Partner); err != nil {
				log.Warn("customer discovery failed", "error", err)
			}
		}
		n, err := w.s.fanOut(ctx, a, job.Args.Day)
		if err != nil {
			return err
		}
		log.Info("tenant syncs enqueued", "day", job.Args.Day, "tenants", n)
		return nil
	})
}

// fanOut inserts the day's tenant syncs and returns how many were new.
func (s *Scheduler) fanOut(ctx context.Context, a *app.App, day string) (int, error) {
	list, err := a.Customers(ctx)
	if err != nil {
		return 0, fmt.Errorf("fleet sync: %w", err)
	}
	params := make([]river.InsertManyParams, 0, len(list))
	for _, c := range list {
		params = append(params, river.InsertManyParams{Args: TenantSyncArgs{TenantID: c.TenantID, Day: day}})
	}
	if len(params) == 0 {
		return 0, nil
	}
	// One transaction: a fleet is enqueued whole or not at all.
	res, err := s.client.InsertMany(ctx, params)
	if err != nil {
		return 0, fmt.Errorf("fleet sync: enqueue tenants: %w", err)
	}
	n := 0
	for _, r := range res {
		if !r.UniqueSkippedAsDuplicate {
			n++
		}
	}
	return n, nil
}

// maxSnoozing is how long a tenant's sync is put off for throttling before it
// counts as failing.
const maxSnoozing = 24 * time.Hour

type tenantSyncWorker struct {
	river.WorkerDefaults[TenantSyncArgs]
	s *Scheduler
}

// Work syncs one tenant. Graph throttling that outlasted the client's own retries
// puts the job off by what Graph asked; any other failure is retried by River with
// a growing backoff, and the tenant's previous state stands meanwhile.
func (w *tenantSyncWorker) Work(ctx context.Context, job *river.Job[TenantSyncArgs]) error {
	t := job.Args.TenantID
	return w.s.attempt(ctx, job.JobRow, t, func(ctx context.Context, a *app.App, log *slog.Logger) error {
		reader := &lastError{TenantReader: w.s.opts.Graph}
		start := time.Now()
		sum, err := a.Sync(ctx, reader, app.SyncOptions{Tenants: []string{t}, Partner: w.s.opts.Partner, Concurrency: 1})
		w.s.metrics.syncDuration.WithLabelValues(t).Observe(time.Since(start).Seconds())
		if err != nil {
			return fmt.Errorf("sync tenant %s: %w", t, err)
		}
		if sum.OK == 1 {
			// Failing the job here would sync the tenant a second time that day; the
			// advice of the next sync covers it instead.
			if _, err := w.s.client.Insert(ctx, AdviseArgs{TenantID: t, Day: job.Args.Day, Trigger: job.Args.Trigger}, nil); err != nil {
				log.Error("advice not enqueued after the sync", "error", err)
			}
			return nil
		}
		w.s.metrics.tenantsFailed.WithLabelValues(t).Inc()
		var wait interface{ RetryAfter() time.Duration }
		// A tenant throttled for a day is no longer waited on: the error counts as a
		// failed attempt, so that it backs off, is reported and in the end given up.
		if errors.As(reader.err(), &wait) && time.Since(job.CreatedAt) < maxSnoozing {
			return river.JobSnooze(max(wait.RetryAfter(), time.Second))
		}
		msg := "unknown error"
		if len(sum.Tenants) > 0 {
			msg = sum.Tenants[0].Error
		}
		return fmt.Errorf("sync tenant %s: %s", t, msg)
	})
}

// lastError keeps the error of the last read, which the sync records only as text:
// the job needs its type to tell throttling from failure.
type lastError struct {
	app.TenantReader
	mu  sync.Mutex
	got error
}

func (r *lastError) ReadTenant(ctx context.Context, tenantID string, opts inventory.ReadOptions) (*inventory.Snapshot, inventory.ReadStats, error) {
	snap, st, err := r.TenantReader.ReadTenant(ctx, tenantID, opts)
	r.mu.Lock()
	r.got = err
	r.mu.Unlock()
	return snap, st, err
}

func (r *lastError) err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.got
}

type adviseWorker struct {
	river.WorkerDefaults[AdviseArgs]
	s *Scheduler
}

func (w *adviseWorker) Work(ctx context.Context, job *river.Job[AdviseArgs]) error {
	t := job.Args.TenantID
	return w.s.attempt(ctx, job.JobRow, t, func(ctx context.Context, a *app.App, log *slog.Logger) error {
		res, err := a.Advise(ctx, app.AdviseOptions{Customers: []string{t}})
		if err != nil {
			return fmt.Errorf("advise tenant %s: %w", t, err)
		}
		for _, r := range res {
			log.Info("advice recorded", "customer", r.Customer, "findings", r.Findings, "not_synced", r.NotSynced)
		}
		return nil
	})
}
