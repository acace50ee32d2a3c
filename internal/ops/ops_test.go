package ops

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

func TestReadinessAndRouteTiming(t *testing.T) {
	var dbErr error
	reg := prometheus.NewRegistry()
	d := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "http_seconds"}, []string{"route", "method", "status"})
	reg.MustRegister(d)
	mux := Mux(Options{Registry: reg, Checks: []Check{
		{"database", func(context.Context) error { return dbErr }},
		{"scheduler", func(context.Context) error { return nil }},
	}})
	var logs bytes.Buffer
	srv := httptest.NewServer(Handler(mux, d, slog.New(slog.NewJSONHandler(&logs, nil))))
	defer srv.Close()
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := get("/healthz"); code != 200 {
		t.Errorf("/healthz = %d", code)
	}
	if code, body := get("/readyz"); code != 200 || !strings.Contains(body, `"ready"`) {
		t.Errorf("/readyz = %d %s", code, body)
	}
	dbErr = errors.New("connection refused")
	code, body := get("/readyz")
	var got struct {
		Status string
		Checks map[string]string
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	if code != 503 || got.Status != "unready" || got.Checks["database"] != "connection refused" || got.Checks["scheduler"] != "ok" {
		t.Errorf("/readyz with the database down = %d %s", code, body)
	}
	// Each request has an id: the load balancer's when it gives one, else its own;
	// the answer carries it and the log line of the request names it.
	req, _ := http.NewRequest("GET", srv.URL+"/nowhere", nil)
	req.Header.Set("X-Request-Id", "lb-0123456789")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("X-Request-Id") != "lb-0123456789" || !strings.Contains(logs.String(), `"request_id":"lb-0123456789"`) {
		t.Errorf("request id answered %q, logged: %s", resp.Header.Get("X-Request-Id"), logs.String())
	}
	req.Header.Set("X-Request-Id", "bad id; with spaces")
	if resp, err = http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if id := resp.Header.Get("X-Request-Id"); len(id) != 16 || strings.Contains(logs.String(), "with spaces") {
		t.Errorf("a malformed request id was kept: %q", id)
	}
	// Made-up methods share one series: a client cannot grow the metrics at will.
	for _, m := range []string{"X0", "X1", "BREW"} {
		req, _ := http.NewRequest(m, srv.URL+"/nothing", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}
	_, metrics := get("/metrics")
	if !strings.Contains(metrics, `method="OTHER"`) || strings.Contains(metrics, `method="BREW"`) {
		t.Error("made-up methods are labelled as sent")
	}
	for _, want := range []string{`route="GET /readyz",status="503"`, `route="GET /healthz",status="200"`, `route="unmatched"`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s:\n%s", want, metrics)
		}
	}
}
