package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/seatledger/seatledger/migrations"
)

// MigrationState is one migration and whether it has been applied.
type MigrationState struct {
	Version   int64     `json:"version"`
	Name      string    `json:"name"`
	Applied   bool      `json:"applied"`
	AppliedAt time.Time `json:"appliedAt,omitzero"`
}

func (s *Store) provider() (*goose.Provider, error) {
	sqlDB, err := s.db.DB()
	if err != nil {
		return nil, err
	}
	return newProvider(s.dialect, sqlDB)
}

func newProvider(d Dialect, sqlDB *sql.DB) (*goose.Provider, error) {
	fsys, err := fs.Sub(migrations.FS, string(d))
	if err != nil {
		return nil, err
	}
	var opts []goose.ProviderOption
	dialect := goose.DialectSQLite3
	if d == Postgres {
		dialect = goose.DialectPostgres
		// Several replicas, or several `migrate up` runs, may start at once: the
		// session lock lets one migrate while the others wait, then find nothing to do.
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 300))
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	return goose.NewProvider(dialect, sqlDB, fsys, opts...)
}

// Migrate applies every pending migration and returns the versions it applied.
func (s *Store) Migrate(ctx context.Context) ([]MigrationState, error) {
	p, err := s.provider()
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	if err := s.refuseNewer(ctx, p); err != nil {
		return nil, err
	}
	results, err := p.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	out := make([]MigrationState, 0, len(results))
	for _, r := range results {
		out = append(out, MigrationState{Version: r.Source.Version, Name: baseName(r.Source.Path), Applied: true, AppliedAt: s.nowUTC()})
	}
	return out, nil
}

// MigrationStatus lists every migration the binary knows and whether it is applied.
func (s *Store) MigrationStatus(ctx context.Context) ([]MigrationState, error) {
	p, err := s.provider()
	if err != nil {
		return nil, fmt.Errorf("migration status: %w", err)
	}
	st, err := p.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("migration status: %w", err)
	}
	out := make([]MigrationState, len(st))
	for i, m := range st {
		out[i] = MigrationState{Version: m.Source.Version, Name: baseName(m.Source.Path), Applied: m.State == goose.StateApplied, AppliedAt: m.AppliedAt.UTC()}
	}
	return out, nil
}

// ErrSchemaBehind means the database needs `seatledger migrate up`.
var ErrSchemaBehind = errors.New("database schema is behind this binary")

// ErrSchemaAhead means the database was migrated by a newer seatledger.
var ErrSchemaAhead = errors.New("database schema is newer than this binary")

// CheckSchema refuses a database whose schema is older or newer than this binary.
func (s *Store) CheckSchema(ctx context.Context) error {
	p, err := s.provider()
	if err != nil {
		return err
	}
	if err := s.refuseNewer(ctx, p); err != nil {
		return err
	}
	current, target, err := p.GetVersions(ctx)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if current < target {
		return fmt.Errorf("%w: it is at version %d, this binary needs %d: run `seatledger migrate up`", ErrSchemaBehind, current, target)
	}
	return nil
}

func (s *Store) refuseNewer(ctx context.Context, p *goose.Provider) error {
	current, target, err := p.GetVersions(ctx)
	if err != nil {
		// A database that has never been migrated has no version table yet.
		return nil
	}
	if current > target {
		return fmt.Errorf("%w: it is at version %d, this binary's is %d: upgrade seatledger", ErrSchemaAhead, current, target)
	}
	return nil
}

func baseName(path string) string {
	for i := len(path) - 1; i >= 0; i-- {
		if path[i] == '/' {
			return path[i+1:]
		}
	}
	return path
}
