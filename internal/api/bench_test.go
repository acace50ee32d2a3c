package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/seatledger/seatledger/internal/advice"
	"github.com/seatledger/seatledger/internal/api"
	"github.com/seatledger/seatledger/internal/app"
	"github.com/seatledger/seatledger/internal/config"
	"github.com/seatledger/seatledger/internal/store"
	"github.com/seatledger/seatledger/internal/store/storetest"
)

const (
	benchFindings  = 150_000
	benchTenants   = 150
	benchRate      = 500
	benchPageLimit = 100
)

// benchDuration is 30 s unless SEATLEDGER_BENCH_API_DURATION says otherwise (a
// quick look while changing the query).
func benchDuration(b *testing.B) time.Duration {
	if v := os.Getenv("SEATLEDGER_BENCH_API_DURATION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			b.Fatalf("SEATLEDGER_BENCH_API_DURATION: %v", err)
		}
		return d
	}
	return 30 * time.Second
}

// BenchmarkFindingsPage serves 150,000 findings from PostgreSQL and attacks
// GET /api/v1/findings?limit=100 at 500 requests/s, spreading the requests over
// every page from the first to the last: a keyset page costs the same at any depth,
// so the deep pages must not pull the p99 up.
func BenchmarkFindingsPage(b *testing.B) {
	ctx := context.Background()
	url := storetest.PostgresURL(b)
	s, err := store.Open(ctx, url, store.Options{MaxOpenConns: 32})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	cfg, err := config.Load("", nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	a := &app.App{Config: cfg, Store: s, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Actor: "bench", Now: time.Now}
	started := time.Now()
	perTenant := benchFindings / benchTenants
	for t := range benchTenants {
		tenant := fmt.Sprintf("00000000-0000-4000-8000-%012d", t)
		found := make([]advice.Finding, perTenant)
		for i := range found {
			found[i] = advice.Finding{Fingerprint: fingerprintOf(tenant + strconv.Itoa(i)), TenantID: tenant, Kind: advice.InactiveUser, SKUs: "SPB",
				Subject: fmt.Sprintf("user%d@tenant%d.example", i, t), Seats: 1, Evidence: "no sign-in for 120 days", Action: "remove the licence", Confidence: "high"}
		}
		if _, err := s.ApplyFindings(ctx, tenant, found, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("%d findings stored in %s", benchFindings, time.Since(started).Round(time.Millisecond))
	// A server in use has statistics and a vacuumed table from autovacuum; a table
	// filled a second ago has no statistics yet (the planner would not know the
	// index pays), and autovacuum would vacuum it in the middle of the attack.
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "VACUUM ANALYZE findings"); err != nil {
		b.Fatal(err)
	}
	_ = conn.Close(ctx)
	_, token, err := a.CreateToken(ctx, "bench", store.RoleViewer)
	if err != nil {
		b.Fatal(err)
	}
	h, err := api.New(api.Options{App: a, Log: a.Log})
	if err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	b.Cleanup(func() { _ = srv.Close() })
	base := "http://" + ln.Addr().String() + "/api/v1/findings?limit=" + strconv.Itoa(benchPageLimit)
	header := http.Header{"Authorization": []string{"Bearer " + token}}

	// Every page's address, found by walking the list once.
	targets := []vegeta.Target{{Method: "GET", URL: base, Header: header}}
	for cursor := ""; ; {
		url := base
		if cursor != "" {
			url += "&cursor=" + cursor
		}
		req, _ := http.NewRequest("GET", url, nil)
		req.Header = header
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var page struct {
			Items      []json.RawMessage
			NextCursor *string
		}
		err = json.NewDecoder(res.Body).Decode(&page)
		res.Body.Close()
		if err != nil || res.StatusCode != 200 {
			b.Fatalf("%s: %d %v", url, res.StatusCode, err)
		}
		if page.NextCursor == nil {
			break
		}
		cursor = *page.NextCursor
		targets = append(targets, vegeta.Target{Method: "GET", URL: base + "&cursor=" + cursor, Header: header})
	}
	if want := benchFindings / benchPageLimit; len(targets) != want {
		b.Fatalf("%d pages, want %d", len(targets), want)
	}

	pageIndex := make(map[string]int, len(targets))
	for i, t := range targets {
		pageIndex[t.URL] = i
	}

	// A running service is warm: its connection pools open, the pages the list
	// reads cached. Three seconds at the same rate first, reported apart, so that the
	// measured thirty are the steady state a replica serves in.
	var warm vegeta.Metrics
	warmup := vegeta.NewAttacker(vegeta.Timeout(10*time.Second), vegeta.KeepAlive(true))
	for res := range warmup.Attack(vegeta.NewStaticTargeter(targets...), vegeta.Rate{Freq: benchRate, Per: time.Second}, 3*time.Second, "warm-up") {
		warm.Add(res)
	}
	warm.Close()
	b.Logf("warm-up: %d requests, p50 %s, p99 %s, max %s", warm.Requests, warm.Latencies.P50, warm.Latencies.P99, warm.Latencies.Max)

	b.ResetTimer()
	for range b.N {
		attacker := vegeta.NewAttacker(vegeta.Timeout(10*time.Second), vegeta.KeepAlive(true))
		// The first and the last tenth of the pages, measured apart: keyset pages
		// cost the same at any depth, where OFFSET would make the last tenth slow.
		var m, first, last vegeta.Metrics
		for res := range attacker.Attack(vegeta.NewStaticTargeter(targets...), vegeta.Rate{Freq: benchRate, Per: time.Second}, benchDuration(b), "findings") {
			m.Add(res)
			switch page := pageIndex[res.URL]; {
			case page < len(targets)/10:
				first.Add(res)
			case page >= len(targets)-len(targets)/10:
				last.Add(res)
			}
		}
		m.Close()
		first.Close()
		last.Close()
		b.ReportMetric(float64(first.Latencies.P99.Microseconds())/1000, "p99-first-tenth-ms")
		b.ReportMetric(float64(last.Latencies.P99.Microseconds())/1000, "p99-last-tenth-ms")
		b.ReportMetric(float64(m.Latencies.P99.Microseconds())/1000, "p99-ms")
		b.ReportMetric(float64(m.Latencies.P50.Microseconds())/1000, "p50-ms")
		b.ReportMetric(m.Success*100, "success-%")
		b.ReportMetric(m.Throughput, "req/s")
		first1, lastN := medianLatency(b, targets[0]), medianLatency(b, targets[len(targets)-1])
		b.ReportMetric(float64(first1.Microseconds())/1000, "p50-page1-ms")
		b.ReportMetric(float64(lastN.Microseconds())/1000, "p50-page1500-ms")
		b.Logf("%d requests over %d pages: p50 %s, p99 %s, max %s, success %.2f %%, status codes %v",
			m.Requests, len(targets), m.Latencies.P50, m.Latencies.P99, m.Latencies.Max, m.Success*100, m.StatusCodes)
		if m.Success < 0.999 {
			b.Errorf("success %.3f %%, first errors %v", m.Success*100, m.Errors[:min(3, len(m.Errors))])
		}
	}
}

// medianLatency requests one page 200 times in a row: the median of requests made one
// at a time says what the page costs, whatever else the machine is doing.
func medianLatency(b *testing.B, t vegeta.Target) time.Duration {
	b.Helper()
	took := make([]time.Duration, 200)
	for i := range took {
		req, err := http.NewRequest(t.Method, t.URL, nil)
		if err != nil {
			b.Fatal(err)
		}
		req.Header = t.Header
		start := time.Now()
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		took[i] = time.Since(start)
	}
	slices.Sort(took)
	return took[len(took)/2]
}
