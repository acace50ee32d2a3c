package ops

import (
	"context"
	"encoding/json"
	"errors"
	"io"
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
	srv := httptest.NewServer(Handler(mux, d))
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
	get("/nowhere")
	_, metrics := get("/metrics")
	for _, want := range []string{`route="GET /readyz",status="503"`, `route="GET /healthz",status="200"`, `route="unmatched"`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s:\n%s", want, metrics)
		}
	}
}
