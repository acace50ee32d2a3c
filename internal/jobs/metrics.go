package jobs

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics are the service's Prometheus metrics, in a registry of their own.
type Metrics struct {
	Registry *prometheus.Registry

	syncDuration    *prometheus.HistogramVec
	tenantsFailed   *prometheus.CounterVec
	jobs            *prometheus.CounterVec
	queueLatency    *prometheus.HistogramVec
	billingDuration prometheus.Histogram
	noticesSent     prometheus.Counter
	noticesFailed   prometheus.Counter
	noticesLate     prometheus.Counter
	requests        *prometheus.CounterVec
	throttled       *prometheus.CounterVec
	// HTTPDuration is the service's own HTTP requests, by route pattern.
	HTTPDuration *prometheus.HistogramVec
}

// NewMetrics makes the metrics and registers them, with the Go runtime's and the
// process's, in a new registry.
func NewMetrics() *Metrics {
	slow := []float64{0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800}
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		syncDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "seatledger_sync_duration_seconds", Help: "Time one tenant's sync took, read and store, per tenant.", Buckets: slow,
		}, []string{"tenant"}),
		tenantsFailed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "seatledger_sync_tenant_failures_total", Help: "Tenant syncs that failed, per tenant (each attempt counts).",
		}, []string{"tenant"}),
		jobs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "seatledger_jobs_total", Help: "Job attempts by kind and outcome: completed, failed (retried), discarded, snoozed, interrupted.",
		}, []string{"kind", "state"}),
		queueLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "seatledger_job_queue_latency_seconds", Help: "Time from a job's scheduled time to its attempt, by kind.",
			Buckets: []float64{0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 1800},
		}, []string{"kind"}),
		billingDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "seatledger_billing_run_duration_seconds", Help: "Time a billing draft took to work out and store.", Buckets: slow,
		}),
		noticesSent:   prometheus.NewCounter(prometheus.CounterOpts{Name: "seatledger_notices_sent_total", Help: "Notices delivered."}),
		noticesFailed: prometheus.NewCounter(prometheus.CounterOpts{Name: "seatledger_notices_failed_total", Help: "Notices whose delivery was refused for good."}),
		noticesLate: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "seatledger_notices_late_total", Help: "Notices created after the day they were owed.",
		}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "seatledger_outbound_requests_total", Help: "Requests to Microsoft Graph (graph) and Partner Center (partner_center) by answer status (0: no answer), retries included.",
		}, []string{"service", "status"}),
		throttled: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "seatledger_outbound_throttled_total", Help: "429 answers from Microsoft Graph and Partner Center.",
		}, []string{"service"}),
		HTTPDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "seatledger_http_request_duration_seconds", Help: "Time to answer the service's HTTP requests, by route pattern, method and status.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route", "method", "status"}),
	}
	m.Registry.MustRegister(m.syncDuration, m.tenantsFailed, m.jobs, m.queueLatency, m.billingDuration, m.noticesSent,
		m.noticesFailed, m.noticesLate, m.requests, m.throttled, m.HTTPDuration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	// Zero series, so that a dashboard sees each metric before its first event.
	for _, svc := range []string{"graph", "partner_center"} {
		m.throttled.WithLabelValues(svc)
	}
	return m
}

// Observer counts the answers of an outside service (graph, partner_center); the
// Graph and Partner Center clients take it as their Observe hook.
func (m *Metrics) Observer(service string) func(status int) {
	return func(status int) {
		m.requests.WithLabelValues(service, strconv.Itoa(status)).Inc()
		if status == 429 {
			m.throttled.WithLabelValues(service).Inc()
		}
	}
}
