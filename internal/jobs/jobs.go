// Package jobs runs seatledger's schedules on River over PostgreSQL: the daily sync
// of every customer tenant (one job per tenant, then its advice), the price-list
// fetch, notice creation and delivery, and the billing catch-up. The jobs call the
// application layer, as the CLI does; the outside systems come in through the
// interfaces the application layer declares, so this package never compiles
// Microsoft's SDKs.
//
// On the embedded SQLite database (one process) the same jobs run on River's SQLite
// driver; see sqlite.go.
package jobs

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"github.com/seatledger/seatledger/internal/app"
	"github.com/seatledger/seatledger/internal/dburl"
	"github.com/seatledger/seatledger/internal/redact"
	"github.com/seatledger/seatledger/internal/store"
)

// ErrNotSignedIn is returned by Options.PartnerAPI when no Partner Center user is
// signed in: the price fetch is skipped, not failed.
var ErrNotSignedIn = errors.New("no Partner Center user is signed in")

// Options wire the scheduler to the application and to the outside systems.
type Options struct {
	// App is the application the jobs call; its Config gives the schedules, the
	// time zone, the markets and the database; its Now dates the periods.
	App *app.App
	// Graph reads the customer tenants.
	Graph app.TenantReader
	// Partner, when set, also reads Partner Center (partner_center.enabled).
	Partner app.PartnerReader
	// PartnerAPI gives the Partner API as the signed-in Partner Center user, or an
	// error wrapping ErrNotSignedIn; nil fetches no price lists.
	PartnerAPI func(ctx context.Context) (app.PartnerAPI, error)
	// Notices gives the delivery of notices and what releases it; nil creates
	// notices but delivers none.
	Notices func(ctx context.Context) (app.SendOptions, func() error, error)
	// Metrics records what the jobs do (default: a fresh set).
	Metrics *Metrics
	Log     *slog.Logger
	// Periodic enqueues the schedules' jobs from River's leader. Off, periods are
	// enqueued only through Enqueue (tests drive simulated days that way).
	Periodic bool
	// RescueStuckJobsAfter is how long a running job may go without finishing before
	// another replica takes it over (default 75 minutes). An attempt is cancelled
	// at three quarters of it, so that a live replica's job is never taken over.
	RescueStuckJobsAfter time.Duration
	// FetchPollInterval is how often an idle replica looks for work (default 1s).
	FetchPollInterval time.Duration
	// ID names this replica in River's tables (default: River's own).
	ID string
}

// Scheduler is a running River client with seatledger's jobs.
type Scheduler struct {
	opts      Options
	app       *app.App
	loc       *time.Location
	client    riverClient
	ping      func(ctx context.Context) error
	closeDB   func()
	schedules []schedule
	metrics   *Metrics
	log       *slog.Logger
	running   atomic.Bool
	// timeout bounds one attempt of any job.
	timeout time.Duration
}

// riverClient is what the scheduler uses of River's client, whichever database
// driver it runs on.
type riverClient interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	StopAndCancel(ctx context.Context) error
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
	InsertMany(ctx context.Context, params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error)
	JobList(ctx context.Context, params *river.JobListParams) (*river.JobListResult, error)
}

// Start migrates River's tables, starts a River client with seatledger's workers
// and, when asked, its periodic jobs. It runs until Stop, whatever becomes of ctx.
func Start(ctx context.Context, opts Options) (*Scheduler, error) {
	s, err := newScheduler(ctx, opts)
	if err != nil {
		return nil, err
	}
	if err := s.start(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Scheduler) start(ctx context.Context) error {
	// River cancels running jobs when the context it was started with ends; the
	// caller's ending (SIGTERM) must instead begin the graceful Stop.
	if err := s.client.Start(context.WithoutCancel(ctx)); err != nil {
		s.closeDB()
		return fmt.Errorf("jobs: start: %w", err)
	}
	s.running.Store(true)
	s.log.Info("scheduler started", "database", string(s.app.Store.Dialect()), "timezone", s.loc.String(),
		"sync_workers", s.app.Config.Jobs.SyncWorkers, "periodic", s.opts.Periodic)
	return nil
}

// newScheduler is Start without starting the client: jobs can be enqueued, none
// is worked.
func newScheduler(ctx context.Context, opts Options) (*Scheduler, error) {
	a := opts.App
	if a == nil || opts.Graph == nil {
		return nil, errors.New("jobs: an App and a Graph reader are needed")
	}
	cfg := a.Config
	s := &Scheduler{opts: opts, app: a, loc: cmp.Or(cfg.Jobs.Timezone, time.UTC), metrics: opts.Metrics, log: cmp.Or(opts.Log, a.Log)}
	if s.metrics == nil {
		s.metrics = NewMetrics()
	}
	rescue := cmp.Or(opts.RescueStuckJobsAfter, 75*time.Minute)
	s.timeout = rescue * 3 / 4
	var err error
	if s.schedules, err = schedules(cfg, s.loc); err != nil {
		return nil, err
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, &fleetSyncWorker{s: s})
	river.AddWorker(workers, &tenantSyncWorker{s: s})
	river.AddWorker(workers, &adviseWorker{s: s})
	river.AddWorker(workers, &pricesWorker{s: s})
	river.AddWorker(workers, &noticesWorker{s: s})
	river.AddWorker(workers, &billingWorker{s: s})
	rc := &river.Config{
		ID:     opts.ID,
		Logger: s.log.With("component", "river"),
		Queues: map[string]river.QueueConfig{
			river.QueueDefault: {MaxWorkers: 4},
			QueueSync:          {MaxWorkers: max(cfg.Jobs.SyncWorkers, 1)},
		},
		Workers:              workers,
		RescueStuckJobsAfter: rescue,
		JobTimeout:           s.timeout,
		FetchPollInterval:    cmp.Or(opts.FetchPollInterval, time.Second),
		// Finished jobs are what RecentJobs shows, and a finished period must stay
		// on record for a while so that no late tick can enqueue it again.
		CompletedJobRetentionPeriod: 7 * 24 * time.Hour,
	}
	if opts.Periodic {
		for _, sc := range s.schedules {
			rc.PeriodicJobs = append(rc.PeriodicJobs, river.NewPeriodicJob(sc.cron, s.constructor(sc), &river.PeriodicJobOpts{ID: sc.name, RunOnStart: true}))
		}
	}
	if a.Store.Dialect() == store.SQLite {
		err = s.openSQLite(ctx, rc)
	} else {
		err = s.openPostgres(ctx, rc)
	}
	if err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Scheduler) openPostgres(ctx context.Context, rc *river.Config) error {
	cfg := s.app.Config
	poolCfg, err := pgxpool.ParseConfig(dburl.WithTLS(cfg.Database.URL, os.Getenv))
	if err != nil {
		return fmt.Errorf("jobs: database.url: %w", redact.Error(err, redact.Secrets(cfg.Database.URL)...))
	}
	poolCfg.MaxConns = int32(max(cfg.Database.MaxOpenConns, 4))
	pool, err := pgxpool.NewWithConfig(ctx, poolCfg)
	if err != nil {
		return fmt.Errorf("jobs: connect: %w", redact.Error(err, redact.Secrets(cfg.Database.URL)...))
	}
	if err := lockedMigration(ctx, pool, s.log); err != nil {
		pool.Close()
		return err
	}
	client, err := river.NewClient(riverpgxv5.New(pool), rc)
	if err != nil {
		pool.Close()
		return fmt.Errorf("jobs: %w", err)
	}
	s.client, s.ping, s.closeDB = client, pool.Ping, pool.Close
	return nil
}

// MigrateLock is the session lock key that serialises River's migrations between
// replicas starting at once; rivermigrate takes none itself.
const MigrateLock = 0x5ea71ed6e4

func lockedMigration(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("jobs: migrate: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", MigrateLock); err != nil {
		return fmt.Errorf("jobs: migrate: lock: %w", err)
	}
	defer func() { _, _ = conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", MigrateLock) }()
	return migrate(ctx, riverpgxv5.New(pool), log)
}

// migrate brings River's own tables up to date.
func migrate[TTx any](ctx context.Context, driver riverdriver.Driver[TTx], log *slog.Logger) error {
	m, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: log})
	if err != nil {
		return fmt.Errorf("jobs: migrate: %w", err)
	}
	res, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return fmt.Errorf("jobs: migrate River's tables: %w", err)
	}
	for _, v := range res.Versions {
		log.Info("job queue migration applied", "version", v.Version, "name", v.Name)
	}
	return nil
}

// Stop stops fetching new jobs and waits for the running ones until ctx ends; then
// it cancels what still runs, which River retries later on any replica.
func (s *Scheduler) Stop(ctx context.Context) error {
	if !s.running.Swap(false) {
		return nil
	}
	defer s.closeDB()
	err := s.client.Stop(ctx)
	if err == nil {
		s.log.Info("scheduler stopped")
		return nil
	}
	s.log.Warn("jobs still running at the end of the shutdown grace: cancelling them", "error", err)
	cancelCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := s.client.StopAndCancel(cancelCtx); err != nil {
		return fmt.Errorf("jobs: stop: %w", err)
	}
	return nil
}

// Kill cancels the running jobs at once, as a replica that dies would leave them
// (for tests of the takeover).
func (s *Scheduler) Kill(ctx context.Context) error {
	if !s.running.Swap(false) {
		return nil
	}
	defer s.closeDB()
	return s.client.StopAndCancel(ctx)
}

// Ready says whether the scheduler runs and reaches its database.
func (s *Scheduler) Ready(ctx context.Context) error {
	if !s.running.Load() {
		return errors.New("the scheduler is stopped")
	}
	if err := s.ping(ctx); err != nil {
		return fmt.Errorf("the job queue's database: %w", err)
	}
	return nil
}

// Metrics are the scheduler's metrics.
func (s *Scheduler) Metrics() *Metrics { return s.metrics }
