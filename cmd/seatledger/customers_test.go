package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seatledger/seatledger/internal/app"
	"github.com/seatledger/seatledger/internal/sandbox"
)

// An external reference or name that another registered customer already has would
// make every contract file naming it fail; the import refuses it, naming both lines.
func TestCustomersImportRefusesKeysOfOtherCustomers(t *testing.T) {
	t.Setenv("SEATLEDGER_CONFIG", "")
	eachDatabase(t, func(t *testing.T, db string) {
		mustRun(t, "--db", db, "migrate", "up")
		example := "../../config/customers.example.csv"
		mustRun(t, "--db", db, "customers", "import", example)
		before := snapshot(t, db)

		second := filepath.Join(t.TempDir(), "more.csv")
		writeFile(t, second, "name,tenant_id,currency,locale,market,external_ref\n"+
			"New Customer,11111111-2222-4333-8444-555555555555,EUR,nl,NL,DEB-1001\n"+
			"bakkerij de vries b.v.,21111111-2222-4333-8444-555555555555,EUR,nl,NL,NEW-2\n"+
			"Fine,31111111-2222-4333-8444-555555555555,EUR,nl,NL,NEW-3\n")
		code, _, errOut := seatledger(t, "--db", db, "customers", "import", second)
		for _, want := range []string{
			second + `:2: external_ref: "DEB-1001" is already the external reference of Bakkerij de Vries B.V. (tenant 6f1d2a7e-3c4b-4e8f-9a1d-2b3c4d5e6f70, imported from ` + example + ":2)",
			second + `:3: name: "bakkerij de vries b.v." is already the name of Bakkerij de Vries B.V. (tenant 6f1d2a7e-3c4b-4e8f-9a1d-2b3c4d5e6f70, imported from ` + example + ":2)",
		} {
			if code == 0 || !strings.Contains(errOut, want) {
				t.Errorf("exit %d, stderr lacks %q:\n%s", code, want, errOut)
			}
		}
		if strings.Contains(errOut, ":4:") {
			t.Errorf("a good line was reported:\n%s", errOut)
		}
		if after := snapshot(t, db); after != before {
			t.Errorf("a refused import changed the registry")
		}

		// A customer that the file itself renames does not clash with its old values.
		renamed := filepath.Join(t.TempDir(), "renamed.csv")
		writeFile(t, renamed, "name,tenant_id,currency,locale,market,external_ref\n"+
			"Bakkerij de Vries Holding,6f1d2a7e-3c4b-4e8f-9a1d-2b3c4d5e6f70,EUR,nl,NL,DEB-1001-OLD\n"+
			"Bakkerij de Vries B.V.,11111111-2222-4333-8444-555555555555,EUR,nl,NL,DEB-1001\n")
		if out := mustRun(t, "--db", db, "customers", "import", renamed); !strings.Contains(out, "1 created, 1 updated") {
			t.Errorf("import that hands the keys over: %s", out)
		}
	})
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// A customers file saved by a Dutch, German or Italian Excel (semicolons, byte-order
// mark) imports like a comma-separated one.
func TestCustomersImportSemicolonCSV(t *testing.T) {
	t.Setenv("SEATLEDGER_CONFIG", "")
	eachDatabase(t, func(t *testing.T, db string) {
		mustRun(t, "--db", db, "migrate", "up")
		path := filepath.Join(t.TempDir(), "klanten.csv")
		writeFile(t, path, "\ufeffname;tenant_id;currency;locale;market;external_ref;contacts\r\n"+
			"Bakkerij Jansen;11111111-2222-4333-8444-555555555555;EUR;nl;NL;DEB-7;\"a@jansen.nl; b@jansen.nl\"\r\n")
		if out := mustRun(t, "--db", db, "customers", "import", path); !strings.Contains(out, "1 created") {
			t.Errorf("semicolon CSV: %s", out)
		}
		if out := mustRun(t, "--db", db, "customers", "list"); !strings.Contains(out, "Bakkerij Jansen") {
			t.Errorf("customers list:\n%s", out)
		}
	})
}

// A customer whose tenant cannot be signed in to is shown as such by customers
// status, advise, findings list and inventory seats, never as zero seats or findings.
func TestCustomersStatus(t *testing.T) {
	srv, world, files := sandboxEnv(t, 3)
	first := world.Tenants[0]
	eachDatabase(t, func(t *testing.T, db string) {
		mustRun(t, "--db", db, "migrate", "up")
		mustRun(t, "--db", db, "customers", "import", files.Customers)
		status := mustRun(t, "--db", db, "customers", "status")
		if !strings.Contains(lineOf(status, first.Name), "not synced") || !strings.Contains(lineOf(status, first.Name), "not read") ||
			!strings.Contains(status, "3 customers, 0 ready") {
			t.Errorf("customers status before any sync:\n%s", status)
		}

		t.Setenv("SEATLEDGER_GRAPH_CLIENT_SECRET", "not-the-secret")
		if code, _, _ := seatledger(t, "--db", db, "sync", "--all"); code == 0 {
			t.Fatal("a sync with a wrong secret succeeded")
		}
		signIn := "sign-in failed: AADSTS7000215: Invalid client secret provided."
		status = mustRun(t, "--db", db, "customers", "status", "--customer", first.Name)
		if !strings.Contains(lineOf(status, first.Name), "sign-in failed") || !strings.Contains(status, "  "+first.Name+": "+signIn+"\n") {
			t.Errorf("customers status after a refused sign-in:\n%s", status)
		}
		advised := mustRun(t, "--db", db, "advise")
		if !strings.Contains(advised, first.Name+": not judged, "+signIn) || strings.Contains(advised, "0 findings (") ||
			!strings.Contains(advised, "3 customers not judged") {
			t.Errorf("advise after a refused sign-in:\n%s", advised)
		}
		if out := mustRun(t, "--db", db, "findings", "list"); !strings.Contains(lineOf(out, first.Name), signIn) {
			t.Errorf("findings list after a refused sign-in:\n%s", out)
		}
		if out := mustRun(t, "--db", db, "inventory", "seats", "--tenant", first.ID); !strings.Contains(lineOf(out, first.Name), signIn) {
			t.Errorf("inventory seats after a refused sign-in:\n%s", out)
		}

		t.Setenv("SEATLEDGER_GRAPH_CLIENT_SECRET", srv.ClientSecret())
		t.Setenv("SEATLEDGER_PARTNER_CENTER_ENABLED", "true")
		t.Setenv("SEATLEDGER_PARTNER_CENTER_BASE_URL", srv.PartnerCenterBaseURL())
		t.Setenv("SEATLEDGER_PARTNER_TENANT_ID", sandbox.PartnerTenantID)
		mustRun(t, "--db", db, "sync", "--all")
		var list []app.CustomerStatus
		if err := json.Unmarshal([]byte(mustRun(t, "--db", db, "-o", "json", "customers", "status")), &list); err != nil {
			t.Fatal(err)
		}
		if len(list) != 3 {
			t.Fatalf("customers status lists %d customers, want 3", len(list))
		}
		for _, c := range list {
			if !c.Ready || c.Consent.State != app.ConsentGranted || c.Partner.State != app.RelationListed || c.LastSync.Graph == nil || c.LastSync.PartnerCenter == nil {
				t.Errorf("after a good sync: %+v", c)
			}
		}
		if out := mustRun(t, "--db", db, "advise"); strings.Contains(out, "not judged") {
			t.Errorf("advise after a good sync:\n%s", out)
		}
	})
}
