package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	// The pure-Go SQLite driver the store uses, registered as "sqlite".
	_ "github.com/glebarez/go-sqlite"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riversqlite"

	"github.com/seatledger/seatledger/internal/privfile"
	"github.com/seatledger/seatledger/internal/store"
)

// On SQLite the jobs run on River's SQLite driver (riversqlite v0.51.2) over the
// same pure-Go driver as the store. It was tried against the fallback of
// robfig/cron in-process with a table of its own: riversqlite at v0.51.2 migrates,
// inserts unique jobs (a duplicate is skipped), works them, snoozes and retries as
// on PostgreSQL, where v0.51.1 had not been usable here. One code path for both
// databases outweighed the fallback's fewer moving parts, so no job_runs table was
// needed.
//
// River's tables live in a file of their own beside the database (seatledger.db →
// seatledger-jobs.db): River polls and writes every second, and SQLite has one
// writer at a time, so sharing the file would make a tenant's long store
// transaction and River's bookkeeping wait on each other. River's documentation
// asks for one connection: its own operations run in parallel and SQLite would
// answer SQLITE_BUSY.
func (s *Scheduler) openSQLite(ctx context.Context, rc *river.Config) error {
	path, err := jobsFile(s.app.Config.Database.URL)
	if err != nil {
		return err
	}
	db, err := sql.Open("sqlite", store.SQLiteDSN(path))
	if err != nil {
		return fmt.Errorf("jobs: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	driver := riversqlite.New(db)
	if err := migrate(ctx, driver, s.log); err != nil {
		_ = db.Close()
		return fmt.Errorf("%w (%s)", err, path)
	}
	client, err := river.NewClient(driver, rc)
	if err != nil {
		_ = db.Close()
		return fmt.Errorf("jobs: %w", err)
	}
	s.client, s.ping, s.closeDB = client, db.PingContext, func() { _ = db.Close() }
	s.log.Info("job queue on SQLite", "file", path)
	return nil
}

// jobsFile is the job queue's file beside the SQLite database, created private:
// it names tenants and holds their errors.
func jobsFile(url string) (string, error) {
	path, err := filepath.Abs(strings.TrimPrefix(url, "sqlite:"))
	if err != nil {
		return "", fmt.Errorf("jobs: %w", err)
	}
	ext := filepath.Ext(path)
	path = strings.TrimSuffix(path, ext) + "-jobs" + ext
	if ext == "" {
		path += ".db"
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, privfile.FileMode)
	if err != nil {
		return "", fmt.Errorf("jobs: the job queue's file: %w", err)
	}
	return path, f.Close()
}
