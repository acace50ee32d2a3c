package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/seatledger/seatledger/internal/app"
	"github.com/seatledger/seatledger/internal/config"
	"github.com/seatledger/seatledger/internal/jobs"
	"github.com/seatledger/seatledger/internal/store/storetest"
)

// The daily price job is skipped while nobody is signed in to Partner Center, and
// once a user is, it fetches and imports the markets' lists of the month and the
// next month's previews.
func TestServePriceFetchJob(t *testing.T) {
	srv, _, files := sandboxEnv(t, 2)
	partnerAPIEnv(t, srv)
	downloads := t.TempDir()
	t.Setenv("SEATLEDGER_PARTNER_CENTER_DOWNLOAD_DIR", downloads)
	t.Setenv("SEATLEDGER_JOBS_PRICE_MARKETS", "NL,DE")
	db := storetest.PostgresURL(t)
	mustRun(t, "--db", db, "migrate", "up")
	mustRun(t, "--db", db, "customers", "import", files.Customers)

	ctx := context.Background()
	cfg, err := config.Load("", os.Environ(), map[string]string{"database.url": db})
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.Open(ctx, cfg, app.Options{Log: testLogger(t, "prices")})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	a.Now = srv.Now
	metrics := jobs.NewMetrics()
	s, err := startJobs(ctx, a, metrics, jobs.Options{FetchPollInterval: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop(ctx)
	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	fetch := func(day time.Time) {
		t.Helper()
		if ok, err := s.Enqueue(ctx, jobs.JobPrices, day); err != nil || !ok {
			t.Fatalf("enqueue prices of %s: %v %v", day, ok, err)
		}
		waitFor(t, 60*time.Second, "the price job", func() bool {
			var n int
			err := conn.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = 'price_fetch' AND state <> 'completed'`).Scan(&n)
			return err == nil && n == 0
		})
	}

	fetch(srv.Now())
	if got, _ := filepath.Glob(filepath.Join(downloads, "*")); len(got) != 0 {
		t.Fatalf("fetched without a signed-in user: %v", got)
	}
	mustRun(t, "partner-center", "login")
	fetch(srv.Now().AddDate(0, 0, 1))
	month := srv.Now().Format("2006-01")
	next := srv.Now().AddDate(0, 1, 0).Format("2006-01")
	for _, f := range []string{"pricesheet-NL-" + month + ".csv", "pricesheet-DE-" + month + ".csv", "pricesheet-NL-" + next + "-preview.csv"} {
		if _, err := os.Stat(filepath.Join(downloads, f)); err != nil {
			t.Errorf("not fetched: %v", err)
		}
	}
	var prices int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM prices`).Scan(&prices); err != nil || prices == 0 {
		t.Errorf("prices stored: %d (%v)", prices, err)
	}
	if n := testutil.CollectAndCount(metrics.Registry, "seatledger_outbound_requests_total"); n == 0 {
		t.Error("no Partner Center request counted")
	}
}
