package graph_test

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/seatledger/seatledger/internal/app"
	"github.com/seatledger/seatledger/internal/config"
	"github.com/seatledger/seatledger/internal/graph"
	"github.com/seatledger/seatledger/internal/sandbox"
	"github.com/seatledger/seatledger/internal/store"
	"github.com/seatledger/seatledger/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// world is a simulated cloud, a seatledger on a real database with its customers
// registered, and the real Graph client between them.
type world struct {
	srv    *sandbox.Server
	app    *app.App
	reader *graph.Client
	caFile string
}

type setup struct {
	tenants    int
	server     sandbox.ServerOptions
	pageSize   int
	spillAfter int
}

func newWorld(t *testing.T, dbURL string, s setup) *world {
	t.Helper()
	w, err := sandbox.Generate(sandbox.Options{Seed: 7, Tenants: s.tenants})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := sandbox.NewServer(w, s.server)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, srv.CAPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load("", nil, map[string]string{"database.url": dbURL})
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.Open(context.Background(), cfg, app.Options{Actor: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	if _, err := a.ImportCustomerList(context.Background(), w.Customers(), "sandbox"); err != nil {
		t.Fatal(err)
	}
	reader, err := graph.New(graph.Config{
		ClientID: srv.ClientID(), ClientSecret: srv.ClientSecret(),
		BaseURL: srv.GraphBaseURL(), AuthorityHost: srv.AuthorityHost(), CAFile: caFile,
		RequestTimeout: 20 * time.Second, PageSize: s.pageSize, SpillUsersAfter: s.spillAfter,
	})
	if err != nil {
		t.Fatal(err)
	}
	return &world{srv: srv, app: a, reader: reader, caFile: caFile}
}

func (w *world) sync(t *testing.T, tenants ...string) *app.SyncSummary {
	t.Helper()
	sum, err := w.app.Sync(context.Background(), w.reader, app.SyncOptions{Tenants: tenants, Now: w.srv.Now, Concurrency: 4})
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

// eachDB runs a scenario on SQLite and on PostgreSQL.
func eachDB(t *testing.T, fn func(t *testing.T, dbURL string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, storetest.SQLiteURL(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, storetest.PostgresURL(t)) })
}

// checkAgainstTruth compares what the store holds with what the generator planted.
func checkAgainstTruth(t *testing.T, w *world) {
	t.Helper()
	ctx := context.Background()
	truth := w.srv.Truth()
	for _, tt := range truth.Tenants {
		users, err := w.app.Store.Users(ctx, tt.ID)
		if err != nil {
			t.Fatal(err)
		}
		assignments, guests := 0, 0
		for _, u := range users {
			assignments += len(u.Assignments)
			if u.UserType == "Guest" {
				guests++
			}
		}
		if len(users) != tt.Users || assignments != tt.Assignments || guests != tt.Guests {
			t.Errorf("%s: stored %d users, %d assignments, %d guests; truth %d, %d, %d", tt.Name, len(users), assignments, guests, tt.Users, tt.Assignments, tt.Guests)
		}
		pools, err := w.app.Store.Pools(ctx, []string{tt.ID})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, p := range pools {
			got[p.PartNumber] = strconv.Itoa(p.Enabled) + "/" + strconv.Itoa(p.Consumed)
		}
		want := map[string]string{}
		for _, p := range tt.Pools {
			want[p.PartNumber] = strconv.Itoa(p.Enabled) + "/" + strconv.Itoa(p.Consumed)
		}
		if !maps.Equal(got, want) {
			t.Errorf("%s: pools (enabled/consumed) %v, truth %v", tt.Name, got, want)
		}
		subs, err := w.app.Store.Subscriptions(ctx, tt.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(subs) != tt.Subscriptions {
			t.Errorf("%s: %d subscriptions, truth %d", tt.Name, len(subs), tt.Subscriptions)
		}
		trials, elsewhere := 0, 0
		for _, sub := range subs {
			if sub.IsTrial {
				trials++
			}
			if sub.OwnerTenantID == sandbox.OtherPartnerTenantID {
				elsewhere++
			}
			if sub.Created.IsZero() || sub.NextLifecycle == nil || sub.Status == "" {
				t.Errorf("%s: subscription %s stored without its dates or status: %+v", tt.Name, sub.ID, sub)
			}
		}
		if trials != len(tt.Trials) || elsewhere != len(tt.OtherPartnerSubs) {
			t.Errorf("%s: %d trials and %d subscriptions held with another partner; truth %d and %d", tt.Name, trials, elsewhere, len(tt.Trials), len(tt.OtherPartnerSubs))
		}
	}
}

func TestSyncMatchesTruthAndResyncWritesNothing(t *testing.T) {
	eachDB(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		// Small pages so that every tenant is read across many of them, and users
		// spooled to disk beyond the first 40 of a tenant.
		w := newWorld(t, dbURL, setup{tenants: 12, pageSize: 25, spillAfter: 40})
		sum := w.sync(t)
		if sum.OK != 12 || sum.Failed != 0 || sum.Status != store.SyncOK {
			t.Fatalf("first sync: %d ok, %d failed, status %s: %+v", sum.OK, sum.Failed, sum.Status, sum.Tenants)
		}
		truth := w.srv.Truth()
		if sum.Users != truth.Totals.Users {
			t.Errorf("summary counts %d users, truth %d", sum.Users, truth.Totals.Users)
		}
		if pages := truth.Totals.Users / 25; w.srv.Stats().Requests.Load() < int64(pages) {
			t.Errorf("%d Graph requests for %d users in pages of 25", w.srv.Stats().Requests.Load(), truth.Totals.Users)
		}
		checkAgainstTruth(t, w)
		if conns := w.srv.Stats().Connections.Load(); conns > 16 {
			t.Errorf("%d connections for %d requests: the client does not reuse its connections", conns, w.srv.Stats().Requests.Load())
		}

		states, err := w.app.Store.TenantStates(ctx)
		if err != nil {
			t.Fatal(err)
		}
		stateOf := map[string]store.TenantState{}
		for _, s := range states {
			stateOf[s.TenantID] = s
		}
		for _, tt := range truth.Tenants {
			st := stateOf[tt.ID]
			if st.SignInData != tt.HasSignInData {
				t.Errorf("%s: sign-in data %v, truth %v (%s)", tt.Name, st.SignInData, tt.HasSignInData, st.SignInNote)
			}
			usage, err := w.app.Store.UsageSignals(ctx, tt.ID)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case tt.ConcealedNames && (len(usage) != 0 || st.UsageNote == ""):
				t.Errorf("%s conceals report names: %d usage rows kept, note %q", tt.Name, len(usage), st.UsageNote)
			case !tt.ConcealedNames && len(usage) == 0:
				t.Errorf("%s: no usage signals stored", tt.Name)
			}
			noDesktop := map[string]bool{}
			for _, u := range usage {
				if u.DesktopActivated != nil && !*u.DesktopActivated {
					noDesktop[u.UPN] = true
				}
			}
			for _, upn := range tt.NoDesktopApps {
				if !tt.ConcealedNames && !noDesktop[strings.ToLower(upn)] {
					t.Errorf("%s: usage does not show that %s never activated the desktop apps", tt.Name, upn)
				}
			}
		}

		before, err := w.app.Store.InventoryCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		again := w.sync(t)
		if again.OK != 12 || again.Changes != 0 {
			t.Errorf("unchanged re-sync: %d ok, %d changes written", again.OK, again.Changes)
		}
		after, err := w.app.Store.InventoryCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for table, n := range before {
			if after[table] != n {
				t.Errorf("unchanged re-sync: %s went from %d to %d rows", table, n, after[table])
			}
		}
		runs, err := w.app.Store.TenantRuns(ctx, again.RunID)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range runs {
			if r.Status != store.SyncOK || r.UsageRead || r.UsersRead == 0 {
				t.Errorf("re-sync outcome of %s: %+v (usage is read at most once a day)", r.TenantID, r)
			}
		}
	})
}

func TestThrottlingAndFaultsStillConverge(t *testing.T) {
	for name, opts := range map[string]sandbox.ServerOptions{
		"429 storm": {ThrottleLimit: 3, ThrottleWindow: time.Second},
		"faults":    {FaultRate: 0.08, ResetRate: 0.04, MalformedRate: 0.04},
	} {
		t.Run(name, func(t *testing.T) {
			w := newWorld(t, storetest.PostgresURL(t), setup{tenants: 6, server: opts, pageSize: 100})
			sum := w.sync(t)
			if sum.Failed != 0 {
				t.Fatalf("%d tenants failed: %+v", sum.Failed, sum.Tenants)
			}
			st := w.srv.Stats()
			if st.Throttled.Load()+st.Faults.Load() == 0 {
				t.Fatal("the simulated cloud neither throttled nor failed a request: the test proves nothing")
			}
			t.Logf("%d requests, %d throttled, %d faults", st.Requests.Load(), st.Throttled.Load(), st.Faults.Load())
			checkAgainstTruth(t, w)
		})
	}
}

func TestFailedTenantKeepsItsPreviousState(t *testing.T) {
	eachDB(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		w := newWorld(t, dbURL, setup{tenants: 5})
		w.sync(t)
		victim := w.srv.Truth().Tenants[1].ID
		usersBefore, err := w.app.Store.Users(ctx, victim)
		if err != nil {
			t.Fatal(err)
		}
		// The tenant changes in the cloud but cannot be read.
		w.srv.Mutate(func(world *sandbox.World) {
			tn := world.Tenant(victim)
			tn.Users = tn.Users[:len(tn.Users)/2]
		})
		w.srv.FailTenant(victim, true)
		w.srv.Advance()
		sum := w.sync(t)
		if sum.OK != 4 || sum.Failed != 1 || sum.Status != store.SyncPartial {
			t.Fatalf("want 4 ok and 1 failed (partial), got %d ok, %d failed, %s", sum.OK, sum.Failed, sum.Status)
		}
		usersAfter, err := w.app.Store.Users(ctx, victim)
		if err != nil {
			t.Fatal(err)
		}
		if len(usersAfter) != len(usersBefore) {
			t.Errorf("failed tenant's users went from %d to %d", len(usersBefore), len(usersAfter))
		}
		runs, err := w.app.Store.TenantRuns(ctx, sum.RunID)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range runs {
			if (r.TenantID == victim) != (r.Status == store.SyncFailed) || r.TenantID == victim && r.Error == "" {
				t.Errorf("recorded outcome %+v", r)
			}
		}
		// Once it can be read again, the change arrives.
		w.srv.FailTenant(victim, false)
		if sum := w.sync(t, victim); sum.OK != 1 || sum.Changes == 0 {
			t.Fatalf("recovery sync: %+v", sum)
		}
		checkAgainstTruth(t, w)
	})
}

func TestHistoryOverSimulatedDays(t *testing.T) {
	eachDB(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		w := newWorld(t, dbURL, setup{tenants: 3, spillAfter: 5})
		first := w.srv.Truth().Tenants[0].ID
		w.sync(t)
		var seatsAdded, leaverDay time.Time
		var leaver string
		for range 12 {
			for _, e := range w.srv.Advance() {
				switch {
				case e.Tenant == first && e.Kind == "seats-added":
					seatsAdded = w.srv.Now()
				case e.Tenant == first && e.Kind == "leaver" && leaver == "":
					leaver, leaverDay = e.Detail, w.srv.Now()
				}
			}
			w.sync(t)
		}
		start := w.srv.Truth().Now.AddDate(0, 0, -12)
		if day := seatsAdded.Sub(start).Hours() / 24; day != 3 {
			t.Fatalf("seat addition on day %v, the scenario plants it on day 3", day)
		}
		if day := leaverDay.Sub(start).Hours() / 24; day != 10 {
			t.Fatalf("leaver on day %v, the scenario plants it on day 10", day)
		}

		history, err := w.app.Store.SubscriptionHistory(ctx, first)
		if err != nil {
			t.Fatal(err)
		}
		var found bool
		for i, p := range history {
			if !p.From.Equal(seatsAdded) {
				continue
			}
			prev := history[i-1]
			found = prev.SubscriptionID == p.SubscriptionID && prev.To != nil && prev.To.Equal(seatsAdded) && p.TotalLicenses == prev.TotalLicenses+2
			t.Logf("seats %d until %s, %d from then", prev.TotalLicenses, prev.To, p.TotalLicenses)
		}
		if !found {
			t.Errorf("no subscription period starting %s with two more seats: %+v", seatsAdded, history)
		}

		rec, err := w.app.Store.UserHistory(ctx, first, leaver)
		if err != nil {
			t.Fatal(err)
		}
		if rec.User != nil || len(rec.Assignments) != 0 {
			t.Errorf("leaver %s still in the directory: %+v", leaver, rec)
		}
		if len(rec.Holdings) == 0 {
			t.Fatalf("leaver %s has no licence history", leaver)
		}
		for _, h := range rec.Holdings {
			if h.To == nil || !h.To.Equal(leaverDay) {
				t.Errorf("leaver's %s held %s to %v, want to %s", leaver, h.SKUID, h.To, leaverDay)
			}
		}
		ends := make([]string, 0, len(rec.Enabled))
		for _, e := range rec.Enabled {
			if e.To != nil {
				ends = append(ends, e.To.Format(time.DateOnly))
			}
		}
		sort.Strings(ends)
		if len(ends) == 0 || ends[len(ends)-1] != leaverDay.Format(time.DateOnly) {
			t.Errorf("leaver's account history ends %v, want %s", ends, leaverDay.Format(time.DateOnly))
		}
		checkAgainstTruth(t, w)
	})
}

func TestWrongSecretFailsEveryTenantInOneLine(t *testing.T) {
	w := newWorld(t, storetest.SQLiteURL(t), setup{tenants: 2})
	wrong, err := graph.New(graph.Config{ClientID: w.srv.ClientID(), ClientSecret: "not-the-secret",
		BaseURL: w.srv.GraphBaseURL(), AuthorityHost: w.srv.AuthorityHost(), CAFile: w.caFile})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := w.app.Sync(context.Background(), wrong, app.SyncOptions{Now: w.srv.Now})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Failed != 2 || sum.Status != store.SyncFailed {
		t.Fatalf("with a wrong secret: %d failed, status %s", sum.Failed, sum.Status)
	}
	for _, r := range sum.Tenants {
		if !strings.Contains(r.Error, "AADSTS7000215: Invalid client secret provided.") || strings.Contains(r.Error, "\n") {
			t.Errorf("tenant error should be one line naming Entra ID's reason, got:\n%s", r.Error)
		}
	}
}
