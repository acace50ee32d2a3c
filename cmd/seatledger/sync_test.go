package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seatledger/seatledger/internal/sandbox"
)

// sandboxEnv serves a generated world and points the configuration at it, as a
// partner would with `seatledger sandbox serve`.
func sandboxEnv(t *testing.T, tenants int) (*sandbox.Server, *sandbox.World, sandboxFiles) {
	t.Helper()
	return sandboxEnvWith(t, tenants, sandbox.ServerOptions{})
}

// sandboxEnvWith is sandboxEnv with the simulated cloud's latency and faults.
func sandboxEnvWith(t *testing.T, tenants int, opts sandbox.ServerOptions) (*sandbox.Server, *sandbox.World, sandboxFiles) {
	t.Helper()
	world, err := sandbox.Generate(sandbox.Options{Seed: 3, Tenants: tenants})
	if err != nil {
		t.Fatal(err)
	}
	srv, files := serveWorld(t, world, opts)
	return srv, world, files
}

// serveWorld serves a world as the simulated cloud, writes its files and points the
// configuration at it.
func serveWorld(t *testing.T, world *sandbox.World, opts sandbox.ServerOptions) (*sandbox.Server, sandboxFiles) {
	t.Helper()
	srv, err := sandbox.NewServer(world, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	files, err := writeSandboxFiles(t.TempDir(), srv, world)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("SEATLEDGER_CONFIG", "")
	t.Setenv("SEATLEDGER_GRAPH_BASE_URL", srv.GraphBaseURL())
	t.Setenv("SEATLEDGER_GRAPH_AUTHORITY_HOST", srv.AuthorityHost())
	t.Setenv("SEATLEDGER_GRAPH_CA_FILE", files.CA)
	t.Setenv("SEATLEDGER_GRAPH_CLIENT_ID", srv.ClientID())
	t.Setenv("SEATLEDGER_GRAPH_CLIENT_SECRET", srv.ClientSecret())
	return srv, files
}

// syncedWorld brings a fresh database to where the pricing and notice tests start:
// migrated, the world's customers and contracts imported, every tenant synced and
// the offer matrix imported.
func syncedWorld(t *testing.T, db string, files sandboxFiles) {
	t.Helper()
	mustRun(t, "--db", db, "migrate", "up")
	mustRun(t, "--db", db, "customers", "import", files.Customers)
	mustRun(t, "--db", db, "contracts", "import", files.Contracts)
	mustRun(t, "--db", db, "sync", "--all")
	mustRun(t, "--db", db, "catalog", "offers", "--file", files.Offers)
}

// fetchPriceSheets fetches every month of the world's price sheets for all its
// markets from the simulated Partner API, as the signed-in user, through its
// throttling and cut-off downloads, month by month as Partner Center publishes, and
// returns the folder the downloads are kept in.
func fetchPriceSheets(t *testing.T, db string, world *sandbox.World) string {
	t.Helper()
	downloads := t.TempDir()
	t.Setenv("SEATLEDGER_PARTNER_CENTER_DOWNLOAD_DIR", downloads)
	for _, month := range world.PriceSheetMonths() {
		mustRun(t, "--db", db, "prices", "fetch", "--market", strings.Join(sandbox.PriceSheetMarkets, ","), "--month", month.Format("2006-01"))
	}
	return downloads
}

func TestSyncAndInventoryCommands(t *testing.T) {
	srv, world, files := sandboxEnv(t, 5)
	customersFile := files.Customers
	eachDatabase(t, func(t *testing.T, db string) {
		mustRun(t, "--db", db, "migrate", "up")
		mustRun(t, "--db", db, "customers", "import", customersFile)

		if code, _, errOut := seatledger(t, "--db", db, "sync"); code == 0 || !strings.Contains(errOut, "--all") {
			t.Errorf("sync without tenants: exit %d, %s", code, errOut)
		}
		stranger := "11111111-2222-4333-8444-555555555555"
		if code, _, errOut := seatledger(t, "--db", db, "sync", "--tenant", stranger); code == 0 || !strings.Contains(errOut, "not a registered customer") {
			t.Errorf("sync of an unknown tenant: exit %d, %s", code, errOut)
		}

		code, out, progress := seatledger(t, "--db", db, "sync", "--all")
		if code != 0 {
			t.Fatalf("sync --all: exit %d\n%s%s", code, out, progress)
		}
		truth := srv.Truth()
		for _, want := range []string{"tenants ok      5", "tenants failed  0", "users           " + itoa(truth.Totals.Users), "no sign-in data"} {
			if !strings.Contains(out, want) {
				t.Errorf("sync summary lacks %q:\n%s", want, out)
			}
		}
		if n := strings.Count(progress, ": ok, "); n != 5 {
			t.Errorf("want one plain progress line per tenant off a terminal, got %d:\n%s", n, progress)
		}

		var seats []struct {
			TenantID string `json:"tenantId"`
			Part     string `json:"skuPartNumber"`
			Enabled  int    `json:"enabled"`
			Consumed int    `json:"consumed"`
			Idle     int    `json:"idle"`
		}
		if err := json.Unmarshal([]byte(mustRun(t, "--db", db, "-o", "json", "inventory", "seats", "--free")), &seats); err != nil {
			t.Fatal(err)
		}
		want := map[string]sandbox.PoolTruth{}
		for _, tt := range truth.Tenants {
			for _, p := range tt.Pools {
				want[tt.ID+"/"+p.PartNumber] = p
			}
		}
		if len(seats) != len(want) {
			t.Errorf("inventory seats lists %d pools, truth has %d", len(seats), len(want))
		}
		for _, s := range seats {
			p := want[s.TenantID+"/"+s.Part]
			if s.Enabled != p.Enabled || s.Consumed != p.Consumed || s.Idle != p.Idle {
				t.Errorf("%s %s: enabled/consumed/idle %d/%d/%d, truth %d/%d/%d", s.TenantID, s.Part, s.Enabled, s.Consumed, s.Idle, p.Enabled, p.Consumed, p.Idle)
			}
		}
		table := mustRun(t, "--db", db, "inventory", "seats", "--tenant", world.Tenants[0].ID)
		if !strings.Contains(table, world.Tenants[0].Name) || strings.Contains(table, world.Tenants[1].Name) || !strings.Contains(table, "TOTAL") {
			t.Errorf("inventory seats --tenant:\n%s", table)
		}

		listed := mustRun(t, "--db", db, "inventory", "users", "--tenant", world.Tenants[0].ID)
		if !strings.Contains(listed, world.Tenants[0].Users[0].UPN) || !strings.Contains(listed, itoa(len(world.Tenants[0].Users))+" users") {
			t.Errorf("inventory users:\n%s", listed)
		}
		if code, _, errOut := seatledger(t, "--db", db, "sync", "--all", "--tenant", world.Tenants[0].ID); code == 0 || !strings.Contains(errOut, "cannot be combined") {
			t.Errorf("sync --all --tenant: exit %d, %s", code, errOut)
		}

		u := world.Tenants[0].Users[0]
		held := mustRun(t, "--db", db, "inventory", "user", "--tenant", world.Tenants[0].ID, strings.ToUpper(u.UPN))
		if !strings.Contains(held, u.UPN) || !strings.Contains(held, "licence history") || !strings.Contains(held, "now") ||
			!strings.Contains(held, "created "+u.Created.UTC().Format("2006-01-02")) {
			t.Errorf("inventory user:\n%s", held)
		}
		subs := mustRun(t, "--db", db, "inventory", "subscriptions", "--tenant", world.Tenants[0].ID)
		for _, s := range world.Tenants[0].Subscriptions {
			if !strings.Contains(subs, s.ID[:8]) || !strings.Contains(subs, s.PartNumber) {
				t.Errorf("inventory subscriptions lacks %s %s:\n%s", s.ID[:8], s.PartNumber, subs)
			}
		}
		if !strings.Contains(subs, "inferred from Graph's dates") {
			t.Errorf("inventory subscriptions says not where terms came from:\n%s", subs)
		}
		// A user is found by mail address and by object id too.
		for _, g := range world.Tenants[0].Users {
			if g.UserType != "Guest" {
				continue
			}
			for _, key := range []string{g.Mail, strings.ToUpper(g.ID)} {
				if out := mustRun(t, "--db", db, "inventory", "user", "--tenant", world.Tenants[0].ID, key); !strings.Contains(out, g.UPN) || !strings.Contains(out, "id "+g.ID) {
					t.Errorf("inventory user %s:\n%s", key, out)
				}
			}
			break
		}
		// The sprayed account's last sign-in is its last successful one, not the failed attempts.
		for _, tt := range truth.Tenants[:1] {
			for _, upn := range tt.Sprayed {
				sprayed := world.Tenants[0].User(upn)
				line := lineOf(listed, upn)
				if want := sprayed.LastSuccessfulSignIn.Format("2006-01-02"); !strings.Contains(line, want) {
					t.Errorf("inventory users shows the sprayed account as %q, want its last successful sign-in %s", line, want)
				}
				out := mustRun(t, "--db", db, "inventory", "user", "--tenant", world.Tenants[0].ID, upn)
				if !strings.Contains(out, "(not successful)") {
					t.Errorf("inventory user of a sprayed account does not tell the failed attempts:\n%s", out)
				}
			}
			if len(tt.Sprayed) == 0 {
				t.Error("the first tenant has no sprayed account")
			}
		}
		if code, _, errOut := seatledger(t, "--db", db, "inventory", "user", "--tenant", world.Tenants[0].ID, "nobody@example.com"); code == 0 || !strings.Contains(errOut, "not found") {
			t.Errorf("inventory user of a stranger: exit %d, %s", code, errOut)
		}

		// A tenant that cannot be read fails the command, and only that tenant.
		srv.FailTenant(world.Tenants[2].ID, true)
		defer srv.FailTenant(world.Tenants[2].ID, false)
		code, out, _ = seatledger(t, "--db", db, "sync", "--all")
		if code == 0 || !strings.Contains(out, "tenants ok      4") || !strings.Contains(out, "FAILED "+world.Tenants[2].Name) {
			t.Errorf("sync with one failing tenant: exit %d\n%s", code, out)
		}
	})
}

func TestSandboxTruthIsDeterministic(t *testing.T) {
	first := mustRun(t, "sandbox", "truth", "--seed", "9", "--tenants", "6")
	if again := mustRun(t, "sandbox", "truth", "--seed", "9", "--tenants", "6"); again != first {
		t.Error("the same seed gave two different worlds")
	}
	var truth sandbox.Truth
	if err := json.Unmarshal([]byte(first), &truth); err != nil {
		t.Fatal(err)
	}
	if len(truth.Tenants) != 6 || truth.Totals.Users == 0 {
		t.Errorf("truth: %d tenants, %d users", len(truth.Tenants), truth.Totals.Users)
	}
	if other := mustRun(t, "sandbox", "truth", "--seed", "10", "--tenants", "6"); other == first {
		t.Error("another seed gave the same world")
	}
}

func TestDemo(t *testing.T) {
	t.Setenv("SEATLEDGER_CONFIG", "")
	dir := filepath.Join(t.TempDir(), "demo")
	// Eight tenants: the eighth's subscription ends in Partner Center without renewing.
	out := mustRun(t, "demo", "--dir", dir, "--tenants", "8", "--days", "3")
	for _, want := range []string{"first sync", "tenants ok      8", "3 simulated days", "seats-added",
		"Partner Center  8 customers listed", "Partner Center  8 tenants read, ", "offer matrix: " + filepath.Join(dir, "sandbox-offers.csv"),
		"== advice", "inactive users not assessed", ": 0 findings", "== top 10 savings", "unassigned-seats", "\n10 findings\n",
		"== ending without renewal", "subscription-expiring",
		"== reconciliation", "no-subscription", "no-contract-line", "other-partner"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	// The demo leaves a database the other commands can explore, and can be run again.
	mustRun(t, "--db", "sqlite:"+filepath.Join(dir, "seatledger.db"), "inventory", "seats")
	mustRun(t, "--config", filepath.Join(dir, "seatledger.yaml"), "findings", "list")
	// The configuration left says that Partner Center was read, and where from.
	if status := mustRun(t, "--config", filepath.Join(dir, "seatledger.yaml"), "customers", "status"); !strings.Contains(status, "8 customers, 8 ready") ||
		strings.Contains(status, "not read") || !strings.Contains(lineOf(status, "Birch Studio 6"), "listed") {
		t.Errorf("customers status of the demo:\n%s", status)
	}
	if subs := mustRun(t, "--config", filepath.Join(dir, "seatledger.yaml"), "inventory", "subscriptions", "--tenant", "Birch Studio 6"); !strings.Contains(subs, "(Partner Center)") {
		t.Errorf("the demo's subscriptions have no term from Partner Center:\n%s", subs)
	}
	fp, _ := firstFinding(t, filepath.Join(dir, "seatledger.yaml"))
	mustRun(t, "--config", filepath.Join(dir, "seatledger.yaml"), "findings", "ack", fp, "--reason", "known")

	// Run again, the demo keeps the database and its acknowledgement unless told.
	code, _, errOut := seatledger(t, "demo", "--dir", dir, "--tenants", "2", "--days", "0")
	if code == 0 || !strings.Contains(errOut, filepath.Join(dir, "seatledger.db")+" holds the database of an earlier demo") || !strings.Contains(errOut, "--fresh") {
		t.Errorf("demo over an earlier one: exit %d, stderr %s", code, errOut)
	}
	if fp2, status := firstFinding(t, filepath.Join(dir, "seatledger.yaml")); fp2 != fp || status != "acknowledged" {
		t.Errorf("after the refused demo the first finding is %s %s, want %s acknowledged", fp2, status, fp)
	}
	mustRun(t, "demo", "--dir", dir, "--tenants", "2", "--days", "0", "--fresh")

	code, _, errOut = seatledger(t, "demo", "--dir", t.TempDir(), "--days", "-1")
	if code == 0 || !strings.Contains(errOut, "--days: -1") {
		t.Errorf("demo --days -1: exit %d, stderr %s", code, errOut)
	}
}

// An interrupted demo still leaves its configuration beside what it wrote.
func TestInterruptedDemoLeavesItsConfiguration(t *testing.T) {
	t.Setenv("SEATLEDGER_CONFIG", "")
	dir := filepath.Join(t.TempDir(), "demo")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errOut bytes.Buffer
	if code := run(ctx, []string{"demo", "--dir", dir, "--tenants", "2", "--days", "0"}, &out, &errOut); code == 0 {
		t.Fatalf("a cancelled demo succeeded:\n%s", out.String())
	}
	config, err := os.ReadFile(filepath.Join(dir, "seatledger.yaml"))
	if err != nil || !strings.Contains(string(config), "url: sqlite:seatledger.db") {
		t.Errorf("configuration after an interrupted demo: %q, %v", config, err)
	}
}

// firstFinding is the short fingerprint and the status of the first finding listed.
func firstFinding(t *testing.T, configFile string) (string, string) {
	t.Helper()
	var rep struct {
		Findings []struct {
			Fingerprint string `json:"fingerprint"`
			Status      string `json:"status"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, "--config", configFile, "-o", "json", "findings", "list", "--all")), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Findings) == 0 {
		t.Fatal("no findings")
	}
	return rep.Findings[0].Fingerprint[:8], rep.Findings[0].Status
}

// A sync cancelled half-way (Ctrl-C) counts what it did not do and says so in words.
func TestInterruptedSyncSummary(t *testing.T) {
	srv, _, files := sandboxEnvWith(t, 5, sandbox.ServerOptions{Latency: 50 * time.Millisecond})
	eachDatabase(t, func(t *testing.T, db string) {
		mustRun(t, "--db", db, "migrate", "up")
		mustRun(t, "--db", db, "customers", "import", files.Customers)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		// Cancel once the first tenant's read is under way.
		before := srv.Stats().Requests.Load()
		go func() {
			for srv.Stats().Requests.Load() < before+2 {
				time.Sleep(5 * time.Millisecond)
			}
			cancel()
		}()
		var out, errOut bytes.Buffer
		code := run(ctx, []string{"--db", db, "sync", "--all", "--concurrency", "1"}, &out, &errOut)
		if code == 0 {
			t.Fatalf("an interrupted sync succeeded:\n%s", out.String())
		}
		if !strings.Contains(out.String(), "tenants cut short 1") || !strings.Contains(out.String(), "never started   4") ||
			!strings.Contains(out.String(), "INTERRUPTED ") {
			t.Errorf("summary does not count what was not done:\n%s", out.String())
		}
		want := "the sync was interrupted: 0 of 5 tenants were stored; 1 cut short and 4 never started keep their previous state; run the sync again to read them\n"
		if !strings.HasSuffix(errOut.String(), want) || strings.Contains(out.String()+errOut.String(), "context canceled") {
			t.Errorf("stderr does not end with the plain sentence:\n%s", errOut.String())
		}
	})
}

func lineOf(text, substr string) string {
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, substr) {
			return l
		}
	}
	return ""
}
