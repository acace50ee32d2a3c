package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/seatledger/seatledger/internal/jobs"
	"github.com/seatledger/seatledger/internal/store/storetest"
)

// serve answers liveness at once, readiness only once its scheduler runs and while
// its schema is current, exposes its metrics, logs jobs as JSON with their ids, and
// stops cleanly when its context ends.
func TestServeHealthReadinessMetrics(t *testing.T) {
	srv, _, files := sandboxEnv(t, 3)
	db := storetest.PostgresURL(t)
	mustRun(t, "--db", db, "migrate", "up")
	mustRun(t, "--db", db, "customers", "import", files.Customers)
	// After the daily sync's hour: the catch-up at start syncs the day.
	t.Setenv("SEATLEDGER_NOW", srv.Now().Add(3*time.Hour).Format(time.RFC3339))
	t.Setenv("SEATLEDGER_LOG_FORMAT", "json")
	t.Setenv("SEATLEDGER_NOTICES_OUTBOX_DIR", t.TempDir())

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Holding River's migration lock keeps the scheduler from starting.
	lock, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close(context.Background())
	if _, err := lock.Exec(ctx, "SELECT pg_advisory_lock($1)", jobs.MigrateLock); err != nil {
		t.Fatal(err)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	logs := &lockedBuffer{}
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"--db", db, "serve", "--addr", addr}, io.Discard, logs) }()
	get := func(path string) (int, string) {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	waitFor(t, 30*time.Second, "/healthz", func() bool { code, _ := get("/healthz"); return code == 200 })
	if code, body := get("/readyz"); code != 503 || !strings.Contains(body, `"scheduler":"not started"`) || !strings.Contains(body, `"database":"ok"`) {
		t.Errorf("/readyz before the scheduler runs = %d %s", code, body)
	}
	if _, err := lock.Exec(ctx, "SELECT pg_advisory_unlock($1)", jobs.MigrateLock); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "/readyz", func() bool { code, _ := get("/readyz"); return code == 200 })

	metrics := []string{
		"seatledger_sync_duration_seconds", "seatledger_jobs_total", "seatledger_job_queue_latency_seconds",
		"seatledger_billing_run_duration_seconds", "seatledger_notices_sent_total", "seatledger_notices_failed_total",
		"seatledger_notices_late_total", `seatledger_outbound_requests_total{service="graph",status="200"}`,
		`seatledger_outbound_throttled_total{service="graph"}`, `seatledger_http_request_duration_seconds_bucket{method="GET",route="GET /readyz",status="200"`,
		"go_goroutines", `seatledger_jobs_total{kind="tenant_sync",state="completed"} 3`,
	}
	var body string
	waitFor(t, 60*time.Second, "the metrics of the day's sync", func() bool {
		_, body = get("/metrics")
		for _, m := range metrics {
			if !strings.Contains(body, m) {
				return false
			}
		}
		return true
	})

	// The JSON API is served beside them, behind its tokens, and sees the scheduler.
	if code, body := get("/openapi.json"); code != 200 || !strings.Contains(body, `"openapi"`) {
		t.Errorf("/openapi.json = %d", code)
	}
	if code, _ := get("/api/v1/customers"); code != 401 {
		t.Errorf("/api/v1/customers without a token = %d, want 401", code)
	}
	token := strings.TrimSpace(mustRun(t, "--db", db, "tokens", "create", "--name", "ops", "--role", "viewer"))
	req, _ := http.NewRequest("GET", "http://"+addr+"/api/v1/jobs/schedule", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	schedule, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(schedule), "sync") {
		t.Errorf("/api/v1/jobs/schedule = %d %s", resp.StatusCode, schedule)
	}
	if _, body := get("/metrics"); !strings.Contains(body, `route="GET /api/v1/jobs/schedule"`) {
		t.Error("API requests are not timed by their route")
	}

	// A schema newer than the binary is not ready.
	if _, err := lock.Exec(ctx, "INSERT INTO goose_db_version (version_id, is_applied) VALUES (9999, true)"); err != nil {
		t.Fatal(err)
	}
	if code, body := get("/readyz"); code != 503 || !strings.Contains(body, "newer than this binary") {
		t.Errorf("/readyz with a newer schema = %d %s", code, body)
	}
	if _, err := lock.Exec(ctx, "DELETE FROM goose_db_version WHERE version_id = 9999"); err != nil {
		t.Fatal(err)
	}

	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve exited %d:\n%s", code, logs.String())
		}
	case <-time.After(40 * time.Second):
		t.Fatal("serve did not stop after its context ended")
	}
	out := logs.String()
	for _, want := range []string{`"job_kind":"tenant_sync"`, `"job_id":`, `"tenant":"`, `"msg":"stopped"`} {
		if !strings.Contains(out, want) {
			t.Errorf("logs lack %s", want)
		}
	}
	if strings.Contains(out, srv.ClientSecret()) {
		t.Error("the client secret is in the log")
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
