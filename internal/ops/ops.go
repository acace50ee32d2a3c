// Package ops serves what operators and orchestrators ask a running service:
// liveness, readiness and metrics, and it times every request by route.
package ops

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Check is one condition of readiness; Run returns why it does not hold.
type Check struct {
	Name string
	Run  func(ctx context.Context) error
}

// Options for Handler.
type Options struct {
	// Checks must all pass for /readyz to answer 200.
	Checks []Check
	// Registry is served at /metrics.
	Registry *prometheus.Registry
	// Duration, when set, times every request by route pattern, method and status.
	Duration *prometheus.HistogramVec
	Log      *slog.Logger
}

// Mux serves /healthz, /readyz and /metrics; mount other handlers on it before
// wrapping it with Handler.
func Mux(o Options) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		status, checks := http.StatusOK, map[string]string{}
		for _, c := range o.Checks {
			if err := c.Run(ctx); err != nil {
				status, checks[c.Name] = http.StatusServiceUnavailable, err.Error()
				continue
			}
			checks[c.Name] = "ok"
		}
		body := map[string]any{"status": "ready", "checks": checks}
		if status != http.StatusOK {
			body["status"] = "unready"
		}
		writeJSON(w, status, body)
	})
	if o.Registry != nil {
		mux.Handle("GET /metrics", promhttp.HandlerFor(o.Registry, promhttp.HandlerOpts{ErrorLog: slogErrors{o.Log}}))
	}
	return mux
}

// Handler times each request of mux by the pattern it matched; a request no
// pattern matched counts under "unmatched", so that scans cannot grow the labels.
func Handler(mux *http.ServeMux, d *prometheus.HistogramVec, log *slog.Logger) http.Handler {
	if log == nil {
		log = slog.Default()
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		// A load balancer's request id is kept, so that its logs and ours meet;
		// otherwise one is made. Either way the answer carries it.
		id := r.Header.Get("X-Request-Id")
		if !requestIDPattern.MatchString(id) {
			id = newRequestID()
		}
		w.Header().Set("X-Request-Id", id)
		r = r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id))
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		mux.ServeHTTP(sw, r)
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		took := time.Since(start)
		if d != nil {
			d.WithLabelValues(route, methodLabel(r.Method), strconv.Itoa(sw.status)).Observe(took.Seconds())
		}
		level := slog.LevelInfo
		if route == "GET /healthz" || route == "GET /readyz" || route == "GET /metrics" {
			level = slog.LevelDebug // probes and scrapes every few seconds
		}
		log.Log(r.Context(), level, "http request", "request_id", id, "method", methodLabel(r.Method), "route", route, "status", sw.status, "duration_ms", took.Milliseconds())
	})
}

// methodLabel keeps the metrics' method label to the methods HTTP defines: a client
// may send any token as a method, and each would otherwise be a series of its own.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return m
	}
	return "OTHER"
}

var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{8,64}$`)

type requestIDKey struct{}

// RequestID is the id of the HTTP request ctx belongs to, "" outside one.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

func newRequestID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// slogErrors hands promhttp's errors to the service's log.
type slogErrors struct{ log *slog.Logger }

func (l slogErrors) Println(v ...any) {
	if l.log != nil {
		l.log.Error("metrics", "error", v)
	}
}
