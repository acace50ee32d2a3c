package api_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/seatledger/seatledger/internal/advice"
	"github.com/seatledger/seatledger/internal/api"
	"github.com/seatledger/seatledger/internal/app"
	"github.com/seatledger/seatledger/internal/billing"
	"github.com/seatledger/seatledger/internal/config"
	"github.com/seatledger/seatledger/internal/inventory"
	"github.com/seatledger/seatledger/internal/notices"
	"github.com/seatledger/seatledger/internal/store"
	"github.com/seatledger/seatledger/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

const (
	partnerTenant = "5e1f0a3c-7d2b-4c8e-9f6a-1b2c3d4e5f60"
	bakkerij      = "6f1d2a7e-3c4b-4e8f-9a1d-2b3c4d5e6f70"
	mueller       = "0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d"
	spb           = "cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46"
	anna          = "11111111-1111-4111-8111-111111111111"
	bob           = "22222222-2222-4222-8222-222222222222"
)

var now = time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)

// fixture is a running API on a seeded PostgreSQL database, with a token per role.
type fixture struct {
	url       string
	app       *app.App
	store     *store.Store
	tokens    map[string]string
	findings  []string
	noticeIDs []int64
	syncRun   int64
	scheduler *fakeScheduler
}

func newFixture(t testing.TB, withScheduler bool) *fixture {
	t.Helper()
	ctx := context.Background()
	s := storetest.Postgres(t)
	cfg, err := config.Load("", nil, map[string]string{"partner.tenant_id": partnerTenant, "notices.from": "licences@partner.example"})
	if err != nil {
		t.Fatal(err)
	}
	a := &app.App{Config: cfg, Store: s, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Actor: "seed", Now: func() time.Time { return now }}
	f := &fixture{app: a, store: s, tokens: map[string]string{}}
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	if _, err := a.ImportCustomers(ctx, write("customers.csv", "name,tenant_id,currency,locale,market,external_ref,contacts\n"+
		"Bakkerij de Vries B.V.,"+bakkerij+",EUR,nl,NL,DEB-1001,Anna de Vries <anna@bakkerij.example>\n"+
		"Müller Logistik GmbH,"+mueller+",EUR,de,DE,DEB-1002,Jonas Müller <jonas@mueller.example>\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := a.ImportContracts(ctx, write("contracts.csv", "customer,reference,sku,term,billing_plan,quantity,unit_price,markup_percent,billing,start,end,notice_days\n"+
		"DEB-1001,C-1,SPB,P1Y,monthly,3,21.63,,day 1,2025-03-01,,30\n")); err != nil {
		t.Fatal(err)
	}
	f.seedInventory(t)
	f.seedFindings(t)
	f.seedNotices(t)
	if _, err := a.Bill(ctx, mustPeriod(t, "2026-11")); err != nil {
		t.Fatal(err)
	}
	for _, role := range store.Roles {
		_, tok, err := a.CreateToken(ctx, role+"-token", role)
		if err != nil {
			t.Fatal(err)
		}
		f.tokens[role] = tok
	}
	var sched api.Scheduler
	if withScheduler {
		f.scheduler = &fakeScheduler{}
		sched = f.scheduler
	}
	h, err := api.New(api.Options{App: a, Scheduler: sched, Log: a.Log})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	f.url = srv.URL
	return f
}

func mustPeriod(t testing.TB, s string) billing.Period {
	t.Helper()
	p, err := app.ParsePeriod(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (f *fixture) seedInventory(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	users := &inventory.UserSet{}
	signIn := now.AddDate(0, 0, -2)
	if err := users.Add(
		inventory.User{ID: anna, UPN: "anna@bakkerij.example", DisplayName: "Anna", Enabled: true, UserType: "Member", LastSignIn: &signIn,
			Assignments: []inventory.Assignment{{SKUID: spb, State: "Active"}}},
		inventory.User{ID: bob, UPN: "bob@bakkerij.example", DisplayName: "Bob", Enabled: true, UserType: "Member", LastSignIn: &signIn,
			Assignments: []inventory.Assignment{{SKUID: spb, State: "Active"}}},
	); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = users.Close() })
	renewal := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	snap := &inventory.Snapshot{TenantID: bakkerij, SignInData: true, Users: users,
		Pools: []inventory.Pool{{SKUID: spb, PartNumber: "SPB", CapabilityStatus: "Enabled", Enabled: 3, Consumed: 2}},
		Subscriptions: []inventory.Subscription{{ID: "33333333-3333-4333-8333-333333333333", SKUID: spb, PartNumber: "SPB", Status: "Enabled",
			TotalLicenses: 3, Created: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), NextLifecycle: &renewal, OwnerTenantID: partnerTenant, OwnerType: "Partner"}}}
	at := time.Date(2026, 10, 1, 6, 0, 0, 0, time.UTC)
	run, err := f.store.BeginSyncRun(ctx, at, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.ApplySnapshot(ctx, snap, at); err != nil {
		t.Fatal(err)
	}
	if err := f.store.RecordTenantRun(ctx, &store.TenantRun{RunID: run.ID, TenantID: bakkerij, StartedAt: at, FinishedAt: at.Add(time.Second),
		Status: store.SyncOK, UsersRead: 2, SignInData: true}); err != nil {
		t.Fatal(err)
	}
	finished := at.Add(2 * time.Second)
	run.FinishedAt, run.Status, run.TenantsOK, run.UsersRead = &finished, store.SyncOK, 1, 2
	if err := f.store.FinishSyncRun(ctx, run); err != nil {
		t.Fatal(err)
	}
	f.syncRun = run.ID
}

func fingerprintOf(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func (f *fixture) seedFindings(t testing.TB) {
	t.Helper()
	var found []advice.Finding
	for _, subject := range []string{"anna@bakkerij.example", "bob@bakkerij.example", ""} {
		kind := advice.InactiveUser
		if subject == "" {
			kind = advice.UnassignedSeats
		}
		fp := fingerprintOf(kind + subject)
		found = append(found, advice.Finding{Fingerprint: fp, TenantID: bakkerij, Kind: kind, SKUs: "SPB", Subject: subject, Seats: 1,
			Evidence: "seeded", Action: "remove the licence", Confidence: "high"})
		f.findings = append(f.findings, fp)
	}
	if _, err := f.store.ApplyFindings(context.Background(), bakkerij, found, nil); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) seedNotices(t testing.TB) {
	t.Helper()
	var list []notices.Notice
	for i, sub := range []string{"sub-1", "sub-2", "sub-3"} {
		key := notices.Key(notices.Renewal, bakkerij, "nl", sub)
		list = append(list, notices.Notice{Key: key, Kind: notices.Renewal, TenantID: bakkerij, Customer: "Bakkerij de Vries B.V.",
			Locale: "nl", Language: "nl", Recipients: []notices.Recipient{{Name: "Anna de Vries", Email: "anna@bakkerij.example"}},
			Due: now.AddDate(0, 0, i), Subject: "Verlenging " + sub, Text: "Beste Anna,", HTML: "<p>Beste Anna, " + sub + "</p>",
			MessageID: notices.MessageID(key, "partner.example")})
	}
	created, err := f.store.CreateNotices(context.Background(), list)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range created {
		f.noticeIDs = append(f.noticeIDs, n.ID)
	}
}

// do sends one request and returns the status, headers and body.
func (f *fixture) do(t testing.TB, method, path, token string, body any) (int, http.Header, []byte) {
	t.Helper()
	var r io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, f.url+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, res.Header, data
}

// fakeScheduler stands in for the job runner, which is not this package's to test.
type fakeScheduler struct {
	mu        sync.Mutex
	triggered []string
}

func (s *fakeScheduler) RecentJobs(ctx context.Context, limit int) ([]api.JobRun, error) {
	done := now.Add(-time.Minute)
	return []api.JobRun{{ID: 7, Kind: "sync_tenant", Args: `{"tenant":"` + bakkerij + `"}`, State: "completed", Queue: "sync", Attempt: 1,
		CreatedAt: now.Add(-time.Hour), FinishedAt: &done}}[:min(limit, 1)], nil
}

func (s *fakeScheduler) NextRuns(ctx context.Context) ([]api.ScheduledJob, error) {
	return []api.ScheduledJob{{Name: "sync", Schedule: "0 5 * * *", Next: now.Add(20 * time.Hour)}}, nil
}

func (s *fakeScheduler) TriggerSync(ctx context.Context, tenantID string) (api.JobRun, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.triggered = append(s.triggered, tenantID)
	return api.JobRun{ID: 8, Kind: "sync_tenant", Args: `{"tenant":"` + tenantID + `"}`, State: "available", Queue: "sync", Attempt: 0, CreatedAt: now}, nil
}
