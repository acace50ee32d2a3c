package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/seatledger/seatledger/internal/app"
	"github.com/seatledger/seatledger/internal/config"
	"github.com/seatledger/seatledger/internal/inventory"
	"github.com/seatledger/seatledger/internal/jobs"
	"github.com/seatledger/seatledger/internal/sandbox"
	"github.com/seatledger/seatledger/internal/store/storetest"
)

// Three replicas share one PostgreSQL through ten simulated days and a month end:
// every tenant is synced once a day, last month is drafted once, every notice is
// delivered once, and a replica killed in the middle of a sync loses nothing.
func TestServeReplicasShareTheWork(t *testing.T) {
	start := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	world, err := sandbox.Generate(sandbox.Options{Seed: 3, Tenants: 6, Start: start})
	if err != nil {
		t.Fatal(err)
	}
	srv, files := serveWorld(t, world, sandbox.ServerOptions{Latency: 5 * time.Millisecond})
	outbox := t.TempDir()
	t.Setenv("SEATLEDGER_PARTNER_TENANT_ID", sandbox.PartnerTenantID)
	t.Setenv("SEATLEDGER_NOTICES_OUTBOX_DIR", outbox)
	t.Setenv("SEATLEDGER_NOTICES_PARTNER_NAME", "Contoso IT")
	db := storetest.PostgresURL(t)
	t.Setenv("SEATLEDGER_NOW", srv.Now().Format(time.RFC3339))
	sheets, err := world.PriceSheetFiles(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	mustRun(t, "--db", db, "migrate", "up")
	mustRun(t, "--db", db, "customers", "import", files.Customers)
	_, contracts := plantAsPurchased(t, world)
	mustRun(t, "--db", db, "contracts", "import", contracts)
	mustRun(t, "--db", db, "catalog", "offers", "--file", files.Offers)
	mustRun(t, append([]string{"--db", db, "prices", "import"}, sheets...)...)
	t.Setenv("SEATLEDGER_NOW", "")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg, err := config.Load("", os.Environ(), map[string]string{"database.url": db})
	if err != nil {
		t.Fatal(err)
	}
	replicas := make([]*jobs.Scheduler, 3)
	var hold atomic.Bool
	held := make(chan int, 1)
	for i := range replicas {
		a, err := app.Open(ctx, cfg, app.Options{Actor: "seatledger serve", Log: testLogger(t, fmt.Sprintf("replica-%d", i))})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = a.Close() })
		a.Now = srv.Now
		gr, err := newGraphReader(a)
		if err != nil {
			t.Fatal(err)
		}
		reader := &holdingReader{TenantReader: gr, replica: i, hold: &hold, held: held}
		s, err := startJobs(ctx, a, jobs.NewMetrics(), jobs.Options{ID: fmt.Sprintf("replica-%d", i), Graph: reader,
			RescueStuckJobsAfter: 8 * time.Second, FetchPollInterval: 100 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Stop(context.Background()) })
		replicas[i] = s
	}
	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())

	killed := -1
	var lastDay time.Time
	for day := range 10 {
		now := srv.Now()
		lastDay = now
		hold.Store(day == 3)
		// Every live replica's leader would enqueue the day's periods; all try.
		for i, r := range replicas {
			if i == killed {
				continue
			}
			for _, job := range []string{jobs.JobSync, jobs.JobPrices, jobs.JobNotices, jobs.JobBilling} {
				if _, err := r.Enqueue(ctx, job, now); err != nil {
					t.Fatal(err)
				}
			}
		}
		if day == 3 {
			// One replica's read of a tenant hangs until that replica dies.
			killed = <-held
			if err := replicas[killed].Kill(ctx); err != nil {
				t.Fatal(err)
			}
		}
		waitFor(t, 90*time.Second, fmt.Sprintf("day %d's jobs", day), func() bool {
			var n int
			err := conn.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE state NOT IN ('completed', 'discarded', 'cancelled')`).Scan(&n)
			return err == nil && n == 0
		})
		srv.Advance()
	}

	// Each tenant synced once a day: one successful run per tenant and day.
	rows, err := conn.Query(ctx, `SELECT tenant_id::text, started_at::date, count(*) FILTER (WHERE status = 'ok'), count(*)
		FROM sync_tenant_runs GROUP BY 1, 2 ORDER BY 2, 1`)
	if err != nil {
		t.Fatal(err)
	}
	type dayRuns struct {
		tenant    string
		day       time.Time
		ok, total int
	}
	perDay := map[string]int{}
	interrupted := 0
	for rows.Next() {
		var r dayRuns
		if err := rows.Scan(&r.tenant, &r.day, &r.ok, &r.total); err != nil {
			t.Fatal(err)
		}
		if r.ok != 1 {
			t.Errorf("tenant %s on %s: %d successful syncs, want 1", r.tenant, r.day.Format(time.DateOnly), r.ok)
		}
		interrupted += r.total - r.ok
		perDay[r.day.Format(time.DateOnly)]++
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	if len(perDay) != 10 {
		t.Errorf("synced on %d days, want 10: %v", len(perDay), perDay)
	}
	for d, n := range perDay {
		if n != 6 {
			t.Errorf("%s: %d tenants synced, want 6", d, n)
		}
	}
	if interrupted == 0 {
		t.Errorf("no sync was cut short by the killed replica")
	}
	var advised int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = 'advise' AND state = 'completed'`).Scan(&advised); err != nil || advised != 60 {
		t.Errorf("advice jobs completed = %d (%v), want 60", advised, err)
	}

	// The closed month is drafted once, and stays a draft.
	var billed, runs int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = 'billing_catch_up' AND args->>'month' = '2026-11'`).Scan(&billed); err != nil || billed != 1 {
		t.Errorf("billing jobs of 2026-11 = %d (%v), want 1", billed, err)
	}
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM bill_runs WHERE period = '2026-11' AND status = 'draft'`).Scan(&runs); err != nil || runs != 1 {
		t.Errorf("2026-11 draft runs = %d (%v), want 1", runs, err)
	}

	// Every notice due went out once; those owed later wait.
	var sent, other int
	if err := conn.QueryRow(ctx, `SELECT count(*) FILTER (WHERE status = 'sent'),
		count(*) FILTER (WHERE status <> 'sent' AND NOT (status = 'pending' AND due_on > $1)) FROM notices`, lastDay).Scan(&sent, &other); err != nil {
		t.Fatal(err)
	}
	emls, _ := filepath.Glob(filepath.Join(outbox, "*.eml"))
	if sent == 0 || other != 0 || len(emls) != sent {
		t.Errorf("notices: %d sent, %d not, %d files in the outbox", sent, other, len(emls))
	}
	ids := map[string]bool{}
	for _, f := range emls {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(strings.ToLower(l), "message-id:") {
				if ids[l] {
					t.Errorf("notice delivered twice: %s", l)
				}
				ids[l] = true
			}
		}
	}

	live := replicas[(killed+1)%len(replicas)]
	list, err := live.RecentJobs(ctx, 5)
	if err != nil || len(list) != 5 {
		t.Errorf("recent jobs: %d, %v", len(list), err)
	}
	next, err := live.NextRuns(ctx)
	if err != nil || len(next) != 4 || !next[0].Next.After(srv.Now()) {
		t.Errorf("next runs: %+v, %v", next, err)
	}
}

// holdingReader reads as the Graph reader does, except that the one read taken
// while hold is set waits for its job to be cancelled: a replica dies mid-sync.
type holdingReader struct {
	app.TenantReader
	replica int
	hold    *atomic.Bool
	held    chan<- int
}

func (r *holdingReader) ReadTenant(ctx context.Context, tenantID string, opts inventory.ReadOptions) (*inventory.Snapshot, inventory.ReadStats, error) {
	if r.hold.CompareAndSwap(true, false) {
		r.held <- r.replica
		<-ctx.Done()
		return nil, inventory.ReadStats{}, ctx.Err()
	}
	return r.TenantReader.ReadTenant(ctx, tenantID, opts)
}

func waitFor(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", limit, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// testLogger writes a replica's log to the test's, so a failure shows who did what.
func testLogger(t *testing.T, name string) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t: t, mu: &sync.Mutex{}}, &slog.HandlerOptions{Level: slog.LevelWarn})).With("replica", name)
}

type testWriter struct {
	t  *testing.T
	mu *sync.Mutex
}

func (w testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
