// Package storetest gives each test a real, migrated database: PostgreSQL (from
// SEATLEDGER_TEST_POSTGRES_URL, or a throwaway cluster started with initdb/pg_ctl) and
// the embedded SQLite. Each test gets its own database, cloned from a migrated template.
//
// Without any PostgreSQL, Postgres tests skip with one loud line, unless
// SEATLEDGER_TEST_REQUIRE_POSTGRES=1, when they fail.
package storetest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/seatledger/seatledger/internal/store"
	"github.com/seatledger/seatledger/migrations"
)

// Main runs the package's tests and then stops the throwaway PostgreSQL cluster, if
// one was started. Call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	stopCluster()
	os.Exit(code)
}

// SQLite returns a migrated store on a fresh SQLite file in the test's temp dir.
func SQLite(t testing.TB) *store.Store {
	t.Helper()
	return open(t, SQLiteURL(t))
}

// SQLiteURL returns the URL of a fresh, migrated SQLite database.
func SQLiteURL(t testing.TB) string {
	t.Helper()
	url := "sqlite:" + filepath.Join(t.TempDir(), "seatledger.db")
	s, err := store.Open(context.Background(), url, store.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	_ = s.Close()
	return url
}

// Postgres returns a migrated store on a PostgreSQL database of the test's own.
func Postgres(t testing.TB) *store.Store {
	t.Helper()
	return open(t, PostgresURL(t))
}

// EachDB runs fn as a subtest on each database, so that one test proves the same
// behaviour on both.
func EachDB(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

func open(t testing.TB, url string) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), url, store.Options{MaxOpenConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// PostgresURL creates a migrated PostgreSQL database for the test, dropped when the
// test ends, and returns its URL.
func PostgresURL(t testing.TB) string {
	t.Helper()
	admin, err := server()
	if err != nil {
		if os.Getenv("SEATLEDGER_TEST_REQUIRE_POSTGRES") == "1" {
			t.Fatalf("PostgreSQL required (SEATLEDGER_TEST_REQUIRE_POSTGRES=1) but not available: %v", err)
		}
		warnOnce.Do(func() {
			fmt.Fprintf(os.Stderr, "\n!!! SKIPPING POSTGRES TESTS: no PostgreSQL available (%v).\n!!! Set SEATLEDGER_TEST_POSTGRES_URL or put initdb/pg_ctl on PATH.\n\n", err)
		})
		t.Skipf("no PostgreSQL: %v", err)
	}
	tmpl, err := template(admin)
	if err != nil {
		t.Fatalf("migrated template database: %v", err)
	}
	name := "seatledger_test_" + randomSuffix()
	ctx := context.Background()
	err = withConn(ctx, admin, func(c *pgx.Conn) error {
		var err error
		// A clone fails while another session is still leaving the template.
		for range 50 {
			if _, err = c.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE "+tmpl); err == nil || !strings.Contains(err.Error(), "being accessed by other users") {
				return err
			}
			time.Sleep(100 * time.Millisecond)
		}
		return err
	})
	if err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		_ = withConn(ctx, admin, func(c *pgx.Conn) error {
			_, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			return err
		})
	})
	return withDatabase(admin, name)
}

var (
	warnOnce     sync.Once
	serverOnce   sync.Once
	serverURL    string
	serverErr    error
	templateOnce sync.Once
	templateName string
	templateErr  error
	clusterDir   string
	clusterCtl   string
	// runAsPostgres runs a cluster command as the user that owns the cluster.
	runAsPostgres = exec.Command
)

// server finds a PostgreSQL to test against and returns the URL of its maintenance
// database.
func server() (string, error) {
	serverOnce.Do(func() {
		if u := os.Getenv("SEATLEDGER_TEST_POSTGRES_URL"); u != "" {
			serverURL = u
			serverErr = withConn(context.Background(), u, func(*pgx.Conn) error { return nil })
			return
		}
		serverURL, serverErr = startCluster()
	})
	return serverURL, serverErr
}

// template creates, once per schema version, a migrated database to clone. Several
// test binaries may race to create it; an advisory lock lets one do it.
func template(admin string) (string, error) {
	templateOnce.Do(func() {
		templateName = "seatledger_template_" + migrationsHash()
		ctx := context.Background()
		templateErr = withConn(ctx, admin, func(c *pgx.Conn) error {
			if _, err := c.Exec(ctx, "SELECT pg_advisory_lock(7355608)"); err != nil {
				return err
			}
			defer c.Exec(ctx, "SELECT pg_advisory_unlock(7355608)")
			var exists bool
			if err := c.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", templateName).Scan(&exists); err != nil {
				return err
			}
			if exists {
				return nil
			}
			building := templateName + "_building"
			if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+building+" WITH (FORCE)"); err != nil {
				return err
			}
			if _, err := c.Exec(ctx, "CREATE DATABASE "+building); err != nil {
				return err
			}
			s, err := store.Open(ctx, withDatabase(admin, building), store.Options{MaxOpenConns: 1})
			if err != nil {
				return err
			}
			_, err = s.Migrate(ctx)
			_ = s.Close()
			if err != nil {
				return err
			}
			// Renaming only once it is complete means no test ever clones a half-built one.
			_, err = c.Exec(ctx, "ALTER DATABASE "+building+" RENAME TO "+templateName)
			return err
		})
	})
	return templateName, templateErr
}

func migrationsHash() string {
	h := sha256.New()
	var paths []string
	_ = fs.WalkDir(migrations.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			paths = append(paths, p)
		}
		return nil
	})
	sort.Strings(paths)
	for _, p := range paths {
		b, _ := migrations.FS.ReadFile(p)
		h.Write([]byte(p))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

func withConn(ctx context.Context, url string, fn func(*pgx.Conn) error) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer c.Close(context.Background())
	return fn(c)
}

func withDatabase(serverURL, db string) string {
	u, err := url.Parse(serverURL)
	if err != nil {
		return serverURL
	}
	u.Path = "/" + db
	return u.String()
}

func randomSuffix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// startCluster runs initdb and pg_ctl in a temp dir, listening on a Unix socket only.
// initdb refuses to run as root, so as root the cluster belongs to the postgres user.
func startCluster() (string, error) {
	bin, err := findPostgresBin()
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "seatledger-pg-")
	if err != nil {
		return "", err
	}
	asUser := func(name string, args ...string) *exec.Cmd { return exec.Command(name, args...) }
	if os.Geteuid() == 0 {
		pg, err := user.Lookup("postgres")
		if err != nil {
			return "", fmt.Errorf("running as root needs a postgres user for initdb: %w", err)
		}
		uid, _ := strconv.Atoi(pg.Uid)
		gid, _ := strconv.Atoi(pg.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return "", err
		}
		runuser, err := findRunuser()
		if err != nil {
			return "", err
		}
		asUser = func(name string, args ...string) *exec.Cmd {
			return exec.Command(runuser, append([]string{"-u", "postgres", "--", name}, args...)...)
		}
		runAsPostgres = asUser
	}
	data := filepath.Join(dir, "data")
	if out, err := asUser(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions").CombinedOutput(); err != nil {
		return "", fmt.Errorf("initdb: %v: %s", err, out)
	}
	opts := "-c listen_addresses='' -k " + dir + " -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
	ctl := filepath.Join(bin, "pg_ctl")
	if out, err := asUser(ctl, "-D", data, "-o", opts, "-l", filepath.Join(dir, "log"), "-w", "-t", "60", "start").CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		return "", fmt.Errorf("pg_ctl start: %v: %s %s", err, out, log)
	}
	clusterDir, clusterCtl = dir, ctl
	return "postgres://postgres@localhost/postgres?host=" + url.QueryEscape(dir) + "&sslmode=disable", nil
}

func stopCluster() {
	if clusterDir == "" {
		return
	}
	_ = runAsPostgres(clusterCtl, "-D", filepath.Join(clusterDir, "data"), "-m", "immediate", "-w", "stop").Run()
	_ = os.RemoveAll(clusterDir)
}

// findRunuser looks beyond PATH too: sbin folders are often missing from it.
func findRunuser() (string, error) {
	if p, err := exec.LookPath("runuser"); err == nil {
		return p, nil
	}
	for _, p := range []string{"/usr/sbin/runuser", "/sbin/runuser"} {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", errors.New("running as root needs runuser (util-linux) to start PostgreSQL as the postgres user")
}

func findPostgresBin() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		if _, err := exec.LookPath("pg_ctl"); err == nil {
			return filepath.Dir(p), nil
		}
	}
	// Debian keeps the server binaries off PATH, one folder per major version.
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	sort.Slice(matches, func(i, j int) bool { return versionOf(matches[i]) > versionOf(matches[j]) })
	if len(matches) > 0 {
		return filepath.Dir(matches[0]), nil
	}
	return "", errors.New("initdb not found on PATH or in /usr/lib/postgresql/*/bin")
}

func versionOf(path string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(path))))
	return v
}
