package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/seatledger/seatledger/internal/api"
	"github.com/seatledger/seatledger/internal/app"
	"github.com/seatledger/seatledger/internal/graph"
	"github.com/seatledger/seatledger/internal/jobs"
	"github.com/seatledger/seatledger/internal/ops"
	"github.com/seatledger/seatledger/internal/partnercenter"
	"github.com/seatledger/seatledger/internal/store"
)

func newServeCmd(g *globals) *cobra.Command {
	var addr string
	cmd := &cobra.Command{
		Use:   "serve [--addr HOST:PORT]",
		Short: "Run the service: the scheduled sync, advice, price lists, notices and billing, with health, readiness and metrics over HTTP",
		Long: "Applies pending migrations, then runs the schedules of jobs.* until SIGTERM or SIGINT, and serves\n" +
			"/healthz, /readyz and /metrics on server.addr. On PostgreSQL any number of replicas may run: each\n" +
			"period's job runs once among them. On the embedded SQLite database one process runs them, its job\n" +
			"queue in a file beside the database. On SIGTERM running jobs get server.shutdown_grace to finish.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			if addr != "" {
				cfg.Server.Addr = addr
			}
			log := newLogger(cfg, g.stderr)
			// Migrating: the schema is brought up to date below, under its lock.
			a, err := app.Open(cmd.Context(), cfg, app.Options{Actor: "seatledger serve", Log: log, Migrating: true})
			if err != nil {
				return err
			}
			defer a.Close()
			return serve(cmd.Context(), a, nil)
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "", "HOST:PORT to listen on (default server.addr)")
	return cmd
}

// scheduler is what serve runs and asks whether it is ready.
type scheduler interface {
	Ready(ctx context.Context) error
	Stop(ctx context.Context) error
}

// serve runs the service until ctx ends. listening, when set, is told the address
// the server listens on.
func serve(ctx context.Context, a *app.App, listening func(addr string)) error {
	cfg := a.Config
	// The jobs read every tenant through Graph: without the app registration there is
	// nothing to serve, and saying so before listening spares a probe's false hope.
	if _, err := graph.New(graphConfig(a)); err != nil {
		return fmt.Errorf("serve: the scheduled sync reads tenants through Microsoft Graph: %w (set graph.client_id and its secret or certificate)", err)
	}
	if _, err := a.MigrateUp(ctx); err != nil {
		return err
	}
	metrics := jobs.NewMetrics()
	var running atomic.Pointer[scheduler]
	mux := ops.Mux(ops.Options{Registry: metrics.Registry, Log: a.Log, Checks: []ops.Check{
		{Name: "database", Run: func(ctx context.Context) error {
			err := a.Store.CheckSchema(ctx)
			if err == nil || errors.Is(err, store.ErrSchemaBehind) || errors.Is(err, store.ErrSchemaAhead) {
				return err
			}
			// /readyz answers anyone who can reach the port: a driver's error names the
			// database's host and user, so it goes to the log only.
			a.Log.Warn("not ready: database", "error", err)
			return errors.New("unreachable (the service's log says why)")
		}},
		{Name: "scheduler", Run: func(ctx context.Context) error {
			s := running.Load()
			if s == nil {
				return errors.New("not started")
			}
			return (*s).Ready(ctx)
		}},
	}})
	ln, err := net.Listen("tcp", cfg.Server.Addr)
	if err != nil {
		return fmt.Errorf("server.addr: %w", err)
	}
	srv := &http.Server{Handler: ops.Handler(mux, metrics.HTTPDuration, a.Log), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	a.Log.Info("listening", "addr", ln.Addr().String())
	if listening != nil {
		listening(ln.Addr().String())
	}

	js, err := startJobs(ctx, a, metrics, jobs.Options{Periodic: true})
	if err != nil {
		_ = srv.Close()
		return err
	}
	var sched scheduler = js
	running.Store(&sched)
	// The JSON API is mounted once the scheduler it reports on runs; until then its
	// paths are not found, and /readyz says the scheduler has not started.
	apiHandler, err := api.New(api.Options{App: a, Scheduler: apiScheduler{js}, Log: a.Log})
	if err != nil {
		_ = sched.Stop(context.WithoutCancel(ctx))
		_ = srv.Close()
		return err
	}
	mux.Handle("/api/v1/", apiHandler)
	mux.Handle("GET /openapi.json", apiHandler)

	select {
	case <-ctx.Done():
	case err := <-served:
		_ = sched.Stop(context.WithoutCancel(ctx))
		return fmt.Errorf("http server: %w", err)
	}
	a.Log.Info("shutting down", "grace", cfg.Server.ShutdownGrace)
	grace, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.Server.ShutdownGrace)
	defer cancel()
	// New requests stop first; running jobs then get what is left of the grace.
	if err := srv.Shutdown(grace); err != nil {
		a.Log.Warn("http server did not shut down in time", "error", err)
		_ = srv.Close()
	}
	if err := sched.Stop(grace); err != nil {
		return err
	}
	a.Log.Info("stopped")
	return nil
}

// apiScheduler shows the jobs' scheduler to the JSON API.
type apiScheduler struct{ s *jobs.Scheduler }

func (a apiScheduler) RecentJobs(ctx context.Context, limit int) ([]api.JobRun, error) {
	runs, err := a.s.RecentJobs(ctx, limit)
	out := make([]api.JobRun, len(runs))
	for i, r := range runs {
		out[i] = api.JobRun(r)
	}
	return out, err
}

func (a apiScheduler) NextRuns(ctx context.Context) ([]api.ScheduledJob, error) {
	next, err := a.s.NextRuns(ctx)
	out := make([]api.ScheduledJob, len(next))
	for i, n := range next {
		out[i] = api.ScheduledJob(n)
	}
	return out, err
}

func (a apiScheduler) TriggerSync(ctx context.Context, tenantID string) (api.JobRun, error) {
	r, err := a.s.TriggerSync(ctx, tenantID)
	return api.JobRun(r), err
}

// startJobs wires the application's readers and senders into River's scheduler;
// a Graph reader already in o is kept (tests hold a read there).
func startJobs(ctx context.Context, a *app.App, metrics *jobs.Metrics, o jobs.Options) (*jobs.Scheduler, error) {
	deps, err := jobDeps(a, metrics)
	if err != nil {
		return nil, err
	}
	o.App, o.Metrics = a, metrics
	if o.Graph == nil {
		o.Graph = deps.Graph
	}
	o.Partner, o.PartnerAPI, o.Notices = deps.Partner, deps.PartnerAPI, deps.Notices
	return jobs.Start(ctx, o)
}

// jobDeps builds the outside systems the jobs use from the configuration, each
// reporting its answers to the metrics.
func jobDeps(a *app.App, metrics *jobs.Metrics) (jobs.Options, error) {
	var o jobs.Options
	gc := graphConfig(a)
	gc.Observe = metrics.Observer("graph")
	gr, err := graph.New(gc)
	if err != nil {
		return o, err
	}
	o.Graph = gr
	if a.Config.PartnerCenter.Enabled {
		pc := partnerConfig(a)
		pc.Observe = metrics.Observer("partner_center")
		pr, err := partnercenter.New(pc)
		if err != nil {
			return o, err
		}
		o.Partner = pr
	}
	o.PartnerAPI = func(ctx context.Context) (app.PartnerAPI, error) {
		d, err := newPartnerAPIObserved(a.Config, a.Log, metrics.Observer("partner_center"))
		if err != nil {
			// Without a cache key no sign-in can be kept, so nobody is signed in.
			return nil, fmt.Errorf("%w: %w", jobs.ErrNotSignedIn, err)
		}
		if _, err := d.Status(ctx); errors.Is(err, partnercenter.ErrSignIn) {
			return nil, fmt.Errorf("%w: %w", jobs.ErrNotSignedIn, err)
		} else if err != nil {
			return nil, err
		}
		return d, nil
	}
	o.Notices = func(ctx context.Context) (app.SendOptions, func() error, error) {
		t, err := newNoticeTransport(ctx, a)
		if err != nil {
			return app.SendOptions{}, nil, err
		}
		return app.SendOptions{Transport: t.Transport, TransportName: t.Name}, t.Close, nil
	}
	return o, nil
}
