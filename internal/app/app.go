// Package app holds seatledger's use cases. The CLI, the API, the jobs and the demo
// all call these functions; none of them holds business logic of its own.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/seatledger/seatledger/internal/config"
	"github.com/seatledger/seatledger/internal/redact"
	"github.com/seatledger/seatledger/internal/store"
)

// App is an open seatledger: its configuration, its database and who is acting.
type App struct {
	Config *config.Loaded
	Store  *store.Store
	Log    *slog.Logger
	// Actor is written to the audit log for what this App changes.
	Actor string
	HTTP  *http.Client
	// Now is the clock every use case dates and judges by: the wall clock, or the
	// time SEATLEDGER_NOW sets.
	Now func() time.Time
}

// Options for Open.
type Options struct {
	Actor string
	Log   *slog.Logger
	// Migrating skips the schema check, for the commands that bring the schema up to date.
	Migrating bool
	// Create lets a missing SQLite database and its folder be created: only for the
	// commands that create databases (migrate up, demo), so that a typo'd path does
	// not leave an empty database behind.
	Create bool
}

// Open connects to the configured database and, unless migrating, refuses a schema
// that is not exactly the one this binary was built for.
func Open(ctx context.Context, cfg *config.Loaded, opts Options) (*App, error) {
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	if opts.Actor == "" {
		opts.Actor = "seatledger"
	}
	now, fixed, err := clockFromEnv()
	if err != nil {
		return nil, err
	}
	if fixed != nil {
		opts.Log.Info("clock set by "+NowVariable, "now", fixed.Format(time.RFC3339))
	}
	s, err := store.Open(ctx, cfg.Database.URL, store.Options{MaxOpenConns: cfg.Database.MaxOpenConns, Now: now, Create: opts.Create})
	if err != nil {
		return nil, err
	}
	client, err := downloadClient(cfg.Graph.CAFile)
	if err != nil {
		_ = s.Close()
		return nil, err
	}
	if !opts.Migrating {
		if err := s.CheckSchema(ctx); err != nil {
			_ = s.Close()
			return nil, fmt.Errorf("%s database %s: %w", s.Dialect(), redact.URL(cfg.Database.URL), err)
		}
	}
	return &App{
		Config: cfg,
		Store:  s,
		Log:    opts.Log,
		Actor:  opts.Actor,
		HTTP:   client,
		Now:    now,
	}, nil
}

// Close releases the database.
func (a *App) Close() error { return a.Store.Close() }

// MigrateUp applies pending migrations.
func (a *App) MigrateUp(ctx context.Context) ([]store.MigrationState, error) {
	applied, err := a.Store.Migrate(ctx)
	if err != nil {
		return nil, err
	}
	for _, m := range applied {
		a.Log.Info("migration applied", "version", m.Version, "name", m.Name, "database", string(a.Store.Dialect()))
	}
	return applied, nil
}

// MigrationStatus lists the migrations and whether each is applied.
func (a *App) MigrationStatus(ctx context.Context) ([]store.MigrationState, error) {
	return a.Store.MigrationStatus(ctx)
}
