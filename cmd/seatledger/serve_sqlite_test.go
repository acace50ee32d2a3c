package main

import (
	"context"
	"database/sql"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// On the embedded database serve runs the same jobs in one process, and a restart
// the same day does not sync the day again.
func TestServeOnSQLite(t *testing.T) {
	srv, _, files := sandboxEnv(t, 3)
	db := filepath.Join(t.TempDir(), "sl.db")
	mustRun(t, "--db", "sqlite:"+db, "migrate", "up")
	mustRun(t, "--db", "sqlite:"+db, "customers", "import", files.Customers)
	t.Setenv("SEATLEDGER_NOW", srv.Now().Add(3*time.Hour).Format(time.RFC3339))
	t.Setenv("SEATLEDGER_NOTICES_OUTBOX_DIR", t.TempDir())

	serveOnce := func(wait func(get func(string) (int, string)) bool) {
		t.Helper()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		_ = ln.Close()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		logs := &lockedBuffer{}
		done := make(chan int, 1)
		go func() { done <- run(ctx, []string{"--db", "sqlite:" + db, "serve", "--addr", addr}, io.Discard, logs) }()
		get := func(path string) (int, string) {
			resp, err := http.Get("http://" + addr + path)
			if err != nil {
				return 0, err.Error()
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(b)
		}
		waitFor(t, 60*time.Second, "serve on SQLite", func() bool { return wait(get) })
		cancel()
		if code := <-done; code != 0 {
			t.Fatalf("serve exited %d:\n%s", code, logs.String())
		}
	}
	serveOnce(func(get func(string) (int, string)) bool {
		code, _ := get("/readyz")
		_, metrics := get("/metrics")
		return code == 200 && strings.Contains(metrics, `seatledger_jobs_total{kind="advise",state="completed"} 3`)
	})
	ready := time.Time{}
	serveOnce(func(get func(string) (int, string)) bool {
		if code, _ := get("/readyz"); code != 200 {
			return false
		}
		if ready.IsZero() {
			ready = time.Now()
		}
		// Time for the leader to enqueue what it would.
		return time.Since(ready) > 3*time.Second
	})

	conn, err := sql.Open("sqlite", "file:"+db+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var runs, ok int
	if err := conn.QueryRow(`SELECT count(*), count(CASE WHEN status = 'ok' THEN 1 END) FROM sync_tenant_runs`).Scan(&runs, &ok); err != nil {
		t.Fatal(err)
	}
	if runs != 3 || ok != 3 {
		t.Errorf("tenant syncs after two starts on one day: %d (%d ok), want 3", runs, ok)
	}
}
