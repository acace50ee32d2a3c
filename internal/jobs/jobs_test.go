package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/seatledger/seatledger/internal/app"
	"github.com/seatledger/seatledger/internal/config"
	"github.com/seatledger/seatledger/internal/customers"
	"github.com/seatledger/seatledger/internal/inventory"
	"github.com/seatledger/seatledger/internal/store"
	"github.com/seatledger/seatledger/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

func TestPeriods(t *testing.T) {
	ams, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Fatal(err)
	}
	// 23:58 UTC on 30 November is 00:58 on 1 December in Amsterdam.
	at := time.Date(2026, 11, 30, 23, 58, 0, 0, time.UTC)
	for _, tc := range []struct{ got, want string }{
		{dayOf(at, time.UTC), "2026-11-30"},
		{dayOf(at, ams), "2026-12-01"},
		{slotOf(at, time.UTC), "2026-11-30T23:55"},
		{slotOf(at.Add(2*time.Minute), time.UTC), "2026-12-01T00:00"},
		{lastMonthOf(at, time.UTC), "2026-10"},
		{lastMonthOf(at, ams), "2026-11"},
		{lastMonthOf(time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC), time.UTC), "2026-12"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %s, want %s", tc.got, tc.want)
		}
	}
}

// At election, a daily job is caught up only when its hour today has passed.
func TestCatchUpAtElection(t *testing.T) {
	cfg := testConfig(t, "sqlite:unused.db")
	now := time.Date(2026, 12, 1, 1, 30, 0, 0, time.UTC)
	s := &Scheduler{app: &app.App{Now: func() time.Time { return now }}, loc: time.UTC, log: slog.New(slog.DiscardHandler)}
	var err error
	if s.schedules, err = schedules(cfg, time.UTC); err != nil {
		t.Fatal(err)
	}
	enqueued := map[string]bool{}
	for _, sc := range s.schedules {
		args, _ := s.constructor(sc)()
		enqueued[sc.name] = args != nil
	}
	want := map[string]bool{JobSync: false, JobPrices: false, JobNotices: true, JobBilling: true}
	if fmt.Sprint(enqueued) != fmt.Sprint(want) {
		t.Errorf("at 01:30: %v, want %v", enqueued, want)
	}
	now = now.Add(time.Hour)
	args, _ := s.constructor(s.schedules[0])()
	if args != (FleetSyncArgs{Day: "2026-12-01"}) {
		t.Errorf("at 02:30 the sync enqueues %v", args)
	}
}

func testConfig(t testing.TB, db string) *config.Loaded {
	t.Helper()
	cfg, err := config.Load("", nil, map[string]string{"database.url": db})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// registered gives a scheduler, not started, over a database with n customers.
func registered(t testing.TB, n int) (*Scheduler, *app.App) {
	t.Helper()
	ctx := context.Background()
	url := storetest.PostgresURL(t)
	cfg := testConfig(t, url)
	st, err := store.Open(ctx, url, store.Options{MaxOpenConns: 10})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	list := make([]customers.Customer, n)
	for i := range list {
		list[i] = customers.Customer{TenantID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i), Name: fmt.Sprintf("Customer %04d", i),
			Currency: "EUR", Locale: "nl", Market: "NL", Segment: customers.DefaultSegment}
	}
	if _, err := st.ImportCustomers(ctx, list, "test", "test"); err != nil {
		t.Fatal(err)
	}
	a := &app.App{Config: cfg, Store: st, Log: slog.New(slog.DiscardHandler), Actor: "test", Now: time.Now}
	s, err := newScheduler(ctx, Options{App: a, Graph: noReader{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.closeDB)
	return s, a
}

type noReader struct{}

func (noReader) ReadTenant(context.Context, string, inventory.ReadOptions) (*inventory.Snapshot, inventory.ReadStats, error) {
	return nil, inventory.ReadStats{}, os.ErrNotExist
}

// The fan-out of a day is idempotent: enqueued again, it adds nothing.
func TestFanOutOncePerDay(t *testing.T) {
	s, a := registered(t, 25)
	ctx := context.Background()
	for i, want := range []int{25, 0} {
		n, err := s.fanOut(ctx, a, "2026-12-01")
		if err != nil || n != want {
			t.Errorf("fan-out %d: %d new jobs (%v), want %d", i, n, err, want)
		}
	}
	if n, _ := s.fanOut(ctx, a, "2026-12-02"); n != 25 {
		t.Errorf("the next day: %d new jobs, want 25", n)
	}
	// A manual sync is not folded into the day's, nor into another manual one.
	list, _ := a.Customers(ctx)
	for range 2 {
		run, err := s.TriggerSync(ctx, list[0].TenantID)
		if err != nil || run.Kind != "tenant_sync" || run.State != "available" || !strings.Contains(run.Args, list[0].TenantID) {
			t.Errorf("trigger sync: %+v, %v", run, err)
		}
	}
	if _, err := s.TriggerSync(ctx, "11111111-2222-4333-8444-555555555555"); !errors.Is(err, app.ErrUnknownTenant) {
		t.Errorf("trigger sync of a stranger: %v", err)
	}
	for i, want := range []bool{true, false} {
		if ok, err := s.Enqueue(ctx, JobBilling, time.Date(2026, 12, 3, 6, 0, 0, 0, time.UTC)); err != nil || ok != want {
			t.Errorf("billing enqueue %d: %v (%v), want %v", i, ok, err, want)
		}
	}
}

// BenchmarkSchedulerTick is one fleet-sync tick over 2,000 registered tenants: the
// 2,000 per-tenant jobs inserted in one transaction. Target: 2 s a tick.
func BenchmarkSchedulerTick(b *testing.B) {
	s, a := registered(b, 2000)
	ctx := context.Background()
	day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		n, err := s.fanOut(ctx, a, dayOf(day.AddDate(0, 0, i), time.UTC))
		if err != nil || n != 2000 {
			b.Fatalf("tick %d: %d jobs, %v", i, n, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/tick")
}

// throttledReader answers as Graph does when it still throttles after its retries.
type throttledReader struct{ wait time.Duration }

type throttledError struct{ wait time.Duration }

func (e throttledError) Error() string             { return "429 Too Many Requests" }
func (e throttledError) RetryAfter() time.Duration { return e.wait }

func (r throttledReader) ReadTenant(context.Context, string, inventory.ReadOptions) (*inventory.Snapshot, inventory.ReadStats, error) {
	return nil, inventory.ReadStats{Requests: 1}, throttledError{r.wait}
}

// A throttled tenant's job is put off by what Graph asked; a failing one is retried
// later with River's backoff; both are counted and logged as the tenant's.
func TestTenantSyncThrottledAndFailing(t *testing.T) {
	for _, tc := range []struct {
		name   string
		reader app.TenantReader
		state  string
		after  time.Duration
	}{
		{"throttled", throttledReader{wait: 90 * time.Second}, "scheduled", 85 * time.Second},
		{"failing", noReader{}, "retryable", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, a := registered(t, 1)
			s.opts.Graph = tc.reader
			ctx := context.Background()
			if err := s.start(ctx); err != nil {
				t.Fatal(err)
			}
			defer s.Stop(ctx)
			list, _ := a.Customers(ctx)
			res, err := s.client.Insert(ctx, TenantSyncArgs{TenantID: list[0].TenantID, Day: "2026-12-01"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			var got JobRun
			deadline := time.Now().Add(20 * time.Second)
			for got.State != tc.state && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
				jobs, err := s.RecentJobs(ctx, 10)
				if err != nil {
					t.Fatal(err)
				}
				for _, j := range jobs {
					if j.ID == res.Job.ID {
						got = j
					}
				}
			}
			if got.State != tc.state {
				t.Fatalf("job %+v, want state %s", got, tc.state)
			}
			row, err := s.client.(interface {
				JobGet(context.Context, int64) (*rivertype.JobRow, error)
			}).JobGet(ctx, res.Job.ID)
			if err != nil {
				t.Fatal(err)
			}
			if wait := time.Until(row.ScheduledAt); wait < tc.after {
				t.Errorf("next try in %s, want at least %s", wait, tc.after)
			}
			if n := testutil.ToFloat64(s.metrics.tenantsFailed.WithLabelValues(list[0].TenantID)); n < 1 {
				t.Errorf("tenant failures counted: %v", n)
			}
		})
	}
}

// A job left running by a replica that died without a word (no cancellation, no
// error recorded) is rescued after RescueStuckJobsAfter and worked by a live one.
func TestStuckJobRescued(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for River's rescuer, which looks every 30 s")
	}
	s, _ := registered(t, 3)
	ctx := context.Background()
	res, err := s.client.Insert(ctx, FleetSyncArgs{Day: "2026-12-01"}, &river.InsertOpts{ScheduledAt: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, s.app.Config.Database.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `UPDATE river_job SET state = 'running', attempt = 1, attempted_at = now() - interval '1 minute',
		attempted_by = ARRAY['dead-replica'] WHERE id = $1`, res.Job.ID); err != nil {
		t.Fatal(err)
	}
	live, err := newScheduler(ctx, Options{App: s.app, Graph: noReader{}, ID: "live-replica", RescueStuckJobsAfter: 5 * time.Second,
		FetchPollInterval: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := live.start(ctx); err != nil {
		t.Fatal(err)
	}
	defer live.Stop(ctx)
	deadline := time.Now().Add(75 * time.Second)
	for {
		var state string
		var by []string
		if err := conn.QueryRow(ctx, `SELECT state, attempted_by FROM river_job WHERE id = $1`, res.Job.ID).Scan(&state, &by); err != nil {
			t.Fatal(err)
		}
		if state == "completed" {
			if by[len(by)-1] != "live-replica" {
				t.Errorf("worked by %v", by)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the stuck job is %s after 75 s", state)
		}
		time.Sleep(200 * time.Millisecond)
	}
	var tenants int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = 'tenant_sync'`).Scan(&tenants); err != nil || tenants != 3 {
		t.Errorf("tenant syncs enqueued by the rescued fan-out: %d (%v)", tenants, err)
	}
}

// slowReader takes its time, then fails as noReader does, unless cancelled first.
type slowReader struct{ started chan struct{} }

func (r slowReader) ReadTenant(ctx context.Context, _ string, _ inventory.ReadOptions) (*inventory.Snapshot, inventory.ReadStats, error) {
	close(r.started)
	select {
	case <-time.After(time.Second):
		return nil, inventory.ReadStats{}, os.ErrNotExist
	case <-ctx.Done():
		return nil, inventory.ReadStats{}, ctx.Err()
	}
}

// Stop lets a running job finish, even when the context Start was given has ended
// (as serve's does on SIGTERM).
func TestStopLetsRunningJobsFinish(t *testing.T) {
	s, a := registered(t, 1)
	started := make(chan struct{})
	s.opts.Graph = slowReader{started: started}
	ctx, cancel := context.WithCancel(context.Background())
	if err := s.start(ctx); err != nil {
		t.Fatal(err)
	}
	list, _ := a.Customers(ctx)
	res, err := s.client.Insert(ctx, TenantSyncArgs{TenantID: list[0].TenantID, Day: "2026-12-01"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	<-started
	cancel()
	stopCtx, stop := context.WithTimeout(context.Background(), 10*time.Second)
	defer stop()
	if err := s.Stop(stopCtx); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(context.Background(), a.Config.Database.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var state, last string
	if err := conn.QueryRow(context.Background(), `SELECT state, errors[array_length(errors, 1)]->>'error' FROM river_job WHERE id = $1`, res.Job.ID).Scan(&state, &last); err != nil {
		t.Fatal(err)
	}
	if state == "running" || !strings.Contains(last, os.ErrNotExist.Error()) {
		t.Errorf("after a graceful stop the job is %s: %s (want its own outcome, not a cancellation)", state, last)
	}
}
