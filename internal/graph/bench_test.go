package graph_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/seatledger/seatledger/internal/app"
	"github.com/seatledger/seatledger/internal/config"
	"github.com/seatledger/seatledger/internal/customers"
	"github.com/seatledger/seatledger/internal/graph"
	"github.com/seatledger/seatledger/internal/sandbox"
	"github.com/seatledger/seatledger/internal/store/storetest"
)

// The benchmarks run the simulated cloud in a child process (this test binary,
// re-executed), so that the peak memory measured is the sync's alone.
const childEnv = "SEATLEDGER_TEST_BENCH_SANDBOX"

type childSpec struct {
	Tenants   int
	UserScale float64
	Giant     int
	Latency   time.Duration
	Dir       string
}

type childInfo struct {
	URL, GraphBaseURL, AuthorityHost, CAFile, CustomersFile, ContractsFile string
	Users                                                                  int
	LargestTenant                                                          int
}

func init() {
	spec := os.Getenv(childEnv)
	if spec == "" {
		return
	}
	if err := serveChild(spec); err != nil {
		fmt.Fprintln(os.Stderr, "sandbox child:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

func serveChild(spec string) error {
	var cs childSpec
	if err := json.Unmarshal([]byte(spec), &cs); err != nil {
		return err
	}
	w, err := sandbox.Generate(sandbox.Options{Seed: 42, Tenants: cs.Tenants, UserScale: cs.UserScale, Giant: cs.Giant > 0, GiantUsers: cs.Giant})
	if err != nil {
		return err
	}
	srv, err := sandbox.NewServer(w, sandbox.ServerOptions{Latency: cs.Latency})
	if err != nil {
		return err
	}
	defer srv.Close()
	info := childInfo{URL: srv.URL(), GraphBaseURL: srv.GraphBaseURL(), AuthorityHost: srv.AuthorityHost(),
		CAFile: filepath.Join(cs.Dir, "ca.pem"), CustomersFile: filepath.Join(cs.Dir, "customers.yaml"), ContractsFile: filepath.Join(cs.Dir, "contracts.csv")}
	for _, t := range w.Tenants {
		info.Users += len(t.Users)
		info.LargestTenant = max(info.LargestTenant, len(t.Users))
	}
	if err := os.WriteFile(info.CAFile, srv.CAPEM(), 0o600); err != nil {
		return err
	}
	data, err := yaml.Marshal(map[string]any{"customers": w.Customers()})
	if err != nil {
		return err
	}
	if err := os.WriteFile(info.CustomersFile, data, 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(info.ContractsFile, w.ContractsCSV(), 0o600); err != nil {
		return err
	}
	if err := json.NewEncoder(os.Stdout).Encode(info); err != nil {
		return err
	}
	// Serve until the parent closes our standard input.
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
	return nil
}

type benchCloud struct {
	childInfo
	cmd  *exec.Cmd
	http *http.Client
}

func startChild(b *testing.B, spec childSpec) *benchCloud {
	b.Helper()
	spec.Dir = b.TempDir()
	raw, _ := json.Marshal(spec)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+string(raw))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = stdin.Close(); _ = cmd.Wait() })
	var c benchCloud
	if err := json.NewDecoder(stdout).Decode(&c.childInfo); err != nil {
		b.Fatalf("sandbox child: %v", err)
	}
	pemBytes, err := os.ReadFile(c.CAFile)
	if err != nil {
		b.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pemBytes)
	c.http = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	return &c
}

func (c *benchCloud) requests(b *testing.B) int64 {
	resp, err := c.http.Get(c.URL + "/sandbox/stats")
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var st map[string]int64
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		b.Fatal(err)
	}
	return st["requests"]
}

// benchApp is seatledger on a PostgreSQL database of its own, with the child's
// tenants registered as customers.
func benchApp(b *testing.B, c *benchCloud, concurrency int) (*app.App, *graph.Client) {
	b.Helper()
	cfg, err := config.Load("", nil, map[string]string{"database.url": storetest.PostgresURL(b), "log.level": "warn", "database.max_open_conns": "64"})
	if err != nil {
		b.Fatal(err)
	}
	a, err := app.Open(context.Background(), cfg, app.Options{Actor: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = a.Close() })
	list, err := customers.ParseFile(c.CustomersFile)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := a.ImportCustomerList(context.Background(), list, "bench"); err != nil {
		b.Fatal(err)
	}
	reader, err := graph.New(graph.Config{ClientID: sandbox.DefaultClientID, ClientSecret: sandbox.DefaultClientSecret,
		BaseURL: c.GraphBaseURL, AuthorityHost: c.AuthorityHost, CAFile: c.CAFile, RequestTimeout: time.Minute})
	if err != nil {
		b.Fatal(err)
	}
	return a, reader
}

// resetPeakRSS starts a new peak-memory measurement (Linux: clear_refs 5 resets
// VmHWM), after handing what the previous phase freed back to the system.
func resetPeakRSS() {
	debug.FreeOSMemory()
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// peakRSS is the process's peak resident memory in MiB since the last reset.
func peakRSS() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
			return kb / 1024
		}
	}
	return 0
}

type phase struct {
	name     string
	users    int
	changes  int
	requests int64
	elapsed  time.Duration
	peakMiB  float64
	failed   int
}

func runPhase(b *testing.B, name string, c *benchCloud, a *app.App, reader *graph.Client, concurrency int) phase {
	b.Helper()
	before := c.requests(b)
	resetPeakRSS()
	start := time.Now()
	sum, err := a.Sync(context.Background(), reader, app.SyncOptions{Concurrency: concurrency})
	elapsed := time.Since(start)
	if err != nil {
		b.Fatal(err)
	}
	var read, stored time.Duration
	for _, r := range sum.Tenants {
		read, stored = read+r.ReadTime, stored+r.StoreTime
	}
	b.Logf("%s: time in Graph reads %s, in the store %s (summed over tenants)", name, read.Round(time.Millisecond), stored.Round(time.Millisecond))
	p := phase{name: name, users: sum.Users, changes: sum.Changes, requests: c.requests(b) - before, elapsed: elapsed, peakMiB: peakRSS(), failed: sum.Failed}
	b.Logf("%-16s %7d users in %6.2fs = %8.0f users/s, %6d requests = %6.0f requests/s, peak RSS %4.0f MiB, %7d rows written, %d tenants failed",
		name, p.users, elapsed.Seconds(), float64(p.users)/elapsed.Seconds(), p.requests, float64(p.requests)/elapsed.Seconds(), p.peakMiB, p.changes, p.failed)
	if p.failed > 0 {
		b.Fatalf("%s: %d tenants failed", name, p.failed)
	}
	return p
}

// BenchmarkSync: 1,000 tenants with 100,000 users into PostgreSQL, a first sync and
// an unchanged re-sync. Run with `make bench-sync`.
func BenchmarkSync(b *testing.B) {
	for range b.N {
		c := startChild(b, childSpec{Tenants: 1000, UserScale: 0.29})
		conc := 8
		if v, err := strconv.Atoi(os.Getenv("SEATLEDGER_TEST_BENCH_CONCURRENCY")); err == nil {
			conc = v
		}
		a, reader := benchApp(b, c, conc)
		b.Logf("simulated cloud: 1000 tenants, %d users, largest tenant %d users", c.Users, c.LargestTenant)
		first := runPhase(b, "first sync", c, a, reader, conc)
		again := runPhase(b, "unchanged resync", c, a, reader, conc)
		if again.changes != 0 {
			b.Errorf("unchanged re-sync wrote %d rows", again.changes)
		}
		b.ReportMetric(float64(first.users)/first.elapsed.Seconds(), "first-users/s")
		b.ReportMetric(float64(again.users)/again.elapsed.Seconds(), "resync-users/s")
		b.ReportMetric(max(first.peakMiB, again.peakMiB), "peak-MiB")
	}
}

// BenchmarkSyncGiantTenant: the same, with one tenant of 50,000 users added, to show
// whether peak memory follows the largest tenant's size.
func BenchmarkSyncGiantTenant(b *testing.B) {
	for range b.N {
		c := startChild(b, childSpec{Tenants: 1000, UserScale: 0.29, Giant: 50000})
		a, reader := benchApp(b, c, 8)
		b.Logf("simulated cloud: 1001 tenants, %d users, largest tenant %d users", c.Users, c.LargestTenant)
		first := runPhase(b, "first sync", c, a, reader, 8)
		again := runPhase(b, "unchanged resync", c, a, reader, 8)
		b.ReportMetric(max(first.peakMiB, again.peakMiB), "peak-MiB")
	}
}

// BenchmarkSyncLatency: 2,000 small tenants behind 100 ms per request; the wall time
// is compared with the bound requests × latency ÷ concurrency.
func BenchmarkSyncLatency(b *testing.B) {
	const latency, concurrency = 100 * time.Millisecond, 64
	for range b.N {
		c := startChild(b, childSpec{Tenants: 2000, UserScale: 0.1, Latency: latency})
		a, reader := benchApp(b, c, concurrency)
		p := runPhase(b, "latency run", c, a, reader, concurrency)
		bound := time.Duration(p.requests) * latency / concurrency
		ratio := p.elapsed.Seconds() / bound.Seconds()
		b.Logf("wall %s, lower bound %d requests × %s ÷ %d = %s, ratio %.2f", p.elapsed.Round(time.Millisecond), p.requests, latency, concurrency, bound.Round(time.Millisecond), ratio)
		b.ReportMetric(ratio, "wall/bound")
	}
}

// BenchmarkAdvise: the advice rules and the reconciliation over 1,000 tenants and one
// of 50,000 users, after a sync into PostgreSQL: a first run (every finding new) and a
// second (every finding seen again). Run with `make bench-advise`.
func BenchmarkAdvise(b *testing.B) {
	for range b.N {
		c := startChild(b, childSpec{Tenants: 1000, UserScale: 0.29, Giant: 50000})
		a, reader := benchApp(b, c, 8)
		runPhase(b, "first sync", c, a, reader, 8)
		ctx := context.Background()
		if _, err := a.ImportContracts(ctx, c.ContractsFile); err != nil {
			b.Fatal(err)
		}
		a.Config.Partner.TenantID = sandbox.PartnerTenantID
		for _, name := range []string{"first advise", "second advise"} {
			resetPeakRSS()
			start := time.Now()
			results, err := a.Advise(ctx, app.AdviseOptions{})
			elapsed := time.Since(start)
			if err != nil {
				b.Fatal(err)
			}
			findings := 0
			for _, r := range results {
				findings += r.Findings
			}
			b.Logf("%-14s %d tenants, %d users, %d findings in %.2fs = %.0f users/s, peak RSS %.0f MiB",
				name, len(results), c.Users, findings, elapsed.Seconds(), float64(c.Users)/elapsed.Seconds(), peakRSS())
		}
		resetPeakRSS()
		start := time.Now()
		rows, err := a.Reconcile(ctx, "", nil)
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("reconcile      %d customer SKUs in %.2fs, peak RSS %.0f MiB", len(rows), time.Since(start).Seconds(), peakRSS())
		start = time.Now()
		if _, err := a.Findings(ctx, app.FindingsQuery{}); err != nil {
			b.Fatal(err)
		}
		b.Logf("findings list  %.2fs", time.Since(start).Seconds())
	}
}
