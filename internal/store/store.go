// Package store is seatledger's only persistence: one gorm-backed Store over either
// PostgreSQL (production) or the embedded pure-Go SQLite (demo, single machine). Both
// behave the same; the SQL dialect differences live in the migrations.
package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/seatledger/seatledger/internal/dburl"
	"github.com/seatledger/seatledger/internal/redact"
)

// Dialect names the database behind a Store.
type Dialect string

const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// Store reads and writes everything seatledger keeps.
type Store struct {
	db      *gorm.DB
	dialect Dialect
	now     func() time.Time
	// readOnly is why a SQLite database can only be read; "" when it can be written.
	readOnly string
	osUser   string
}

// Options tune a Store.
type Options struct {
	MaxOpenConns int
	// Now is the clock for timestamps the store writes; tests move it instead of
	// sleeping. Defaults to time.Now.
	Now func() time.Time
	// Create lets Open create a missing SQLite database and its folder; only the
	// commands that migrate set it. Without it a missing file is ErrNoDatabase.
	Create bool
	// OSUser is written beside every audit entry's actor. Defaults to
	// CurrentOSUser, the account this process runs as.
	OSUser string
}

// SQLiteDSN turns sqlite:PATH into the driver's DSN. Immediate transactions are what
// make read-then-write transactions wait for each other instead of failing with
// SQLITE_BUSY; WAL lets readers run beside the writer.
func SQLiteDSN(path string) string {
	return "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
}

// sqliteReadOnlyDSN opens a database that cannot be written. Setting the journal mode
// is a write, so it is left as the database was created (WAL). In a folder that cannot
// be written SQLite cannot create the WAL index beside the file, so the file is read
// as immutable: nobody can be writing it there either.
func sqliteReadOnlyDSN(path string, folderWritable bool) string {
	if !folderWritable {
		return "file:" + path + "?mode=ro&immutable=1&_pragma=query_only(1)"
	}
	return "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=query_only(1)"
}

// Open connects to the database named by url: postgres://... or sqlite:PATH. It does
// not migrate; see Migrate and CheckSchema.
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxOpenConns <= 0 {
		opts.MaxOpenConns = 10
	}
	if opts.OSUser == "" {
		opts.OSUser = CurrentOSUser()
	}
	cfg := &gorm.Config{
		Logger:                 logger.Default.LogMode(logger.Silent),
		TranslateError:         true,
		SkipDefaultTransaction: true,
		NowFunc:                func() time.Time { return opts.Now().UTC() },
	}
	var (
		dialector gorm.Dialector
		dialect   Dialect
		readOnly  string
		// sqlitePath is the database file, for messages.
		sqlitePath string
		// secrets are scrubbed from the driver's errors, which may quote the URL.
		secrets []string
	)
	switch {
	case dburl.IsPostgres(url):
		if err := dburl.Check(url); err != nil {
			return nil, fmt.Errorf("open database: %w", err)
		}
		secrets = redact.Secrets(url)
		dialector, dialect = postgres.Open(dburl.WithTLS(url, os.Getenv)), Postgres
	case strings.HasPrefix(url, "sqlite:"):
		path := strings.TrimPrefix(url, "sqlite:")
		if path == "" {
			return nil, errors.New("open database: sqlite: needs a file path")
		}
		abs, why, err := sqliteFile(path, opts.Create)
		if err != nil {
			return nil, err
		}
		sqlitePath, readOnly = abs, why
		dsn := SQLiteDSN(abs)
		if readOnly != "" {
			dsn = sqliteReadOnlyDSN(abs, !strings.HasPrefix(readOnly, "folder"))
		}
		dialector, dialect = sqlite.Open(dsn), SQLite
	default:
		// Not repeated: it may hold a password in a form redact.URL cannot see.
		return nil, errors.New("open database: the URL is neither postgres://... nor sqlite:PATH")
	}
	db, err := gorm.Open(dialector, cfg)
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", dialect, redact.Error(err, secrets...))
	}
	if readOnly != "" {
		if err := refuseWrites(db, sqlitePath, readOnly); err != nil {
			return nil, fmt.Errorf("open %s database: %w", dialect, err)
		}
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", dialect, err)
	}
	sqlDB.SetMaxOpenConns(opts.MaxOpenConns)
	// database/sql keeps only two idle connections by default; every further
	// concurrent transaction would then start a PostgreSQL backend of its own.
	sqlDB.SetMaxIdleConns(opts.MaxOpenConns)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	if err := sqlDB.PingContext(ctx); err != nil {
		_ = sqlDB.Close()
		if dialect == SQLite {
			return nil, fmt.Errorf("cannot open SQLite database %s: %w", sqlitePath, err)
		}
		return nil, fmt.Errorf("connect to %s database: %w", dialect, redact.Error(err, secrets...))
	}
	return &Store{db: db, dialect: dialect, now: opts.Now, readOnly: readOnly, osUser: opts.OSUser}, nil
}

// ReadOnly says why the database can only be read, or "" when it can be written.
func (s *Store) ReadOnly() string { return s.readOnly }

// Dialect tells which database the store uses.
func (s *Store) Dialect() Dialect { return s.dialect }

// Close releases the connections.
func (s *Store) Close() error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

func (s *Store) nowUTC() time.Time { return s.now().UTC().Truncate(time.Microsecond) }
