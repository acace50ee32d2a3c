package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seatledger/seatledger/internal/sandbox"
)

// checkedInvoice is `reconcile invoice --output json`, as much as the test reads.
type checkedInvoice struct {
	Lines  int `json:"lines"`
	Totals []struct {
		TenantID   string `json:"tenantId"`
		Currency   string `json:"currency"`
		Microsoft  string `json:"microsoft"`
		Expected   string `json:"expected"`
		Difference string `json:"difference"`
	} `json:"totals"`
	Differences []struct {
		TenantID       string   `json:"tenantId"`
		SubscriptionID string   `json:"subscriptionId"`
		Reasons        []string `json:"reasons"`
		Note           string   `json:"note"`
		Difference     string   `json:"difference"`
	} `json:"differences"`
}

// novemberOnRecord is a world started on 1 November 2026 served by the simulated
// cloud, and a seatledger on db that synced it every day of the month, as the daily
// job does: seats added, hires and renewals are on record the day they happen. The
// clock is then 2 December.
func novemberOnRecord(t *testing.T, db string) (*sandbox.World, *sandbox.Server) {
	t.Helper()
	// Eight tenants: every market (one without a price list), an annual term
	// billed monthly, a three-year term, a monthly term, seats added mid-month.
	world, err := sandbox.Generate(sandbox.Options{Seed: 3, Tenants: 8, Start: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	srv, files := serveWorld(t, world, sandbox.ServerOptions{ExportRetryAfter: "0.1"})
	t.Setenv("SEATLEDGER_PARTNER_TENANT_ID", sandbox.PartnerTenantID)
	t.Setenv("SEATLEDGER_PARTNER_CENTER_ENABLED", "true")
	t.Setenv("SEATLEDGER_PARTNER_CENTER_BASE_URL", srv.PartnerCenterBaseURL())
	sheets, err := world.PriceSheetFiles(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	at := func(ti time.Time) { t.Setenv("SEATLEDGER_NOW", ti.UTC().Format(time.RFC3339)) }
	at(srv.Now())
	mustRun(t, "--db", db, "migrate", "up")
	mustRun(t, "--db", db, "customers", "import", files.Customers)
	mustRun(t, "--db", db, "contracts", "import", files.Contracts)
	mustRun(t, "--db", db, "catalog", "offers", "--file", files.Offers)
	mustRun(t, append([]string{"--db", db, "prices", "import"}, sheets...)...)
	mustRun(t, "--db", db, "sync", "--all")
	for srv.Now().Month() == time.November {
		srv.Advance()
		if srv.Now().Month() != time.November {
			break
		}
		at(srv.Now())
		mustRun(t, "--db", db, "sync", "--all")
	}
	at(time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC))
	return world, srv
}

// checkPlanted fails unless the JSON report lists exactly the planted differences,
// each with a note.
func checkPlanted(t *testing.T, out string, planted []sandbox.PlantedDifference) checkedInvoice {
	t.Helper()
	var got checkedInvoice
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var want, found []string
	for _, p := range planted {
		want = append(want, p.TenantID+" "+p.SubscriptionID+" "+p.Reason)
	}
	for _, d := range got.Differences {
		found = append(found, d.TenantID+" "+d.SubscriptionID+" "+strings.Join(d.Reasons, "+"))
		if d.Note == "" {
			t.Errorf("%s %v: no note", d.SubscriptionID, d.Reasons)
		}
	}
	slices.Sort(want)
	slices.Sort(found)
	if !slices.Equal(found, want) {
		t.Errorf("differences found:\n  %s\nplanted:\n  %s\nreport:\n%s", strings.Join(found, "\n  "), strings.Join(want, "\n  "), out)
	}
	return got
}

// End to end over November 2026 of the simulated cloud: Microsoft's invoice of the
// month, as the sandbox charges it by Microsoft's rules from its subscriptions, seat
// additions (tenant 0 adds 2 seats on day 3, hires add more) and price lists, reconciles with
// exactly the differences the sandbox planted, on every database.
func TestInvoiceReconcilesWithThePlantedDifferences(t *testing.T) {
	november := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	eachDatabase(t, func(t *testing.T, db string) {
		world, _ := novemberOnRecord(t, db)
		csvData, planted := world.InvoiceCSV(november)
		if len(planted) != 6 {
			t.Fatalf("the sandbox planted %d differences, want 6: %+v", len(planted), planted)
		}
		if !strings.Contains(string(csvData), ",addQuantity,") {
			t.Fatalf("the invoice has no seat addition:\n%s", csvData)
		}
		path := filepath.Join(t.TempDir(), "recon-2026-11.csv")
		if err := os.WriteFile(path, csvData, 0o600); err != nil {
			t.Fatal(err)
		}

		out := mustRun(t, "--db", db, "reconcile", "invoice", path, "--output", "json")
		got := checkPlanted(t, out, planted)
		if got.Lines != strings.Count(string(csvData), "\n")-1 || len(got.Totals) == 0 {
			t.Errorf("%d lines read, %d totals", got.Lines, len(got.Totals))
		}

		rows := strings.Split(strings.TrimSpace(mustRun(t, "--db", db, "reconcile", "invoice", path, "--output", "csv")), "\n")
		if len(rows) != len(planted)+1 || !strings.HasPrefix(rows[0], "customer,tenant_id,subscription_id,") {
			t.Errorf("reconcile invoice --output csv: %d rows, want a header and %d:\n%s", len(rows), len(planted), strings.Join(rows, "\n"))
		}
		text := mustRun(t, "--db", db, "reconcile", "invoice", path)
		for _, w := range []string{"CUSTOMER", "MICROSOFT", "EXPECTED", "6 differences", "not-invoiced", "price-differs"} {
			if !strings.Contains(text, w) {
				t.Errorf("reconcile invoice lacks %q:\n%s", w, text)
			}
		}
	})
}

// The same invoice fetched from Graph's billed export (start, poll, two blobs from
// storage) reconciles with the same differences; its blobs are kept, private, and
// checking them as files gives the same report.
func TestInvoiceFetchedFromGraph(t *testing.T) {
	november := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	eachDatabase(t, func(t *testing.T, db string) {
		downloads := t.TempDir()
		t.Setenv("SEATLEDGER_PARTNER_CENTER_DOWNLOAD_DIR", downloads)
		world, _ := novemberOnRecord(t, db)
		csvData, planted := world.InvoiceCSV(november)
		id := world.InvoiceID(november)

		code, out, errOut := seatledger(t, "--db", db, "reconcile", "invoice", "--fetch", "--invoice", id, "--output", "json")
		if code != 0 {
			t.Fatalf("reconcile invoice --fetch: exit %d\n%s", code, errOut)
		}
		got := checkPlanted(t, out, planted)
		if got.Lines != strings.Count(string(csvData), "\n")-1 {
			t.Errorf("%d lines read from Graph, the file has %d", got.Lines, strings.Count(string(csvData), "\n")-1)
		}
		dir := filepath.Join(downloads, "invoices", id)
		if !strings.Contains(errOut, "2 blobs kept in "+dir) {
			t.Errorf("stderr does not say where the blobs are kept:\n%s", errOut)
		}
		files, err := filepath.Glob(filepath.Join(dir, "*.json.gz"))
		if err != nil || len(files) != 2 {
			t.Fatalf("kept blobs %v (%v), want 2", files, err)
		}
		for _, f := range files {
			if st, err := os.Stat(f); err != nil || st.Mode().Perm() != 0o600 {
				t.Errorf("%s: %v, mode %v, want 0600", f, err, st.Mode().Perm())
			}
		}
		again := mustRun(t, append([]string{"--db", db, "reconcile", "invoice", "--output", "json"}, files...)...)
		checkPlanted(t, again, planted)

		for _, args := range [][]string{
			{"reconcile", "invoice", "--fetch", "--invoice", id, files[0]},
			{"reconcile", "invoice"},
			{"reconcile", "invoice", "--fetch"},
			{"reconcile", "invoice", "--invoice", id, files[0]},
		} {
			if code, _, errOut := seatledger(t, append([]string{"--db", db}, args...)...); code == 0 || !strings.Contains(errOut, "--invoice") {
				t.Errorf("%v: exit %d, stderr:\n%s", args, code, errOut)
			}
		}
		if code, _, errOut := seatledger(t, "--db", db, "reconcile", "invoice", "--fetch", "--invoice", "G2001010001"); code == 0 ||
			!strings.Contains(errOut, "G2001010001") || !strings.Contains(errOut, "not found") {
			t.Errorf("fetch of an unknown invoice: exit %d, stderr:\n%s", code, errOut)
		}
	})
}

// A broken file stops the check before anything is read from the database: the
// error names the file, line and field, and nothing is printed.
func TestInvoiceBrokenFileChecksNothing(t *testing.T) {
	t.Setenv("SEATLEDGER_CONFIG", "")
	dir := t.TempDir()
	good := filepath.Join(dir, "good.csv")
	broken := filepath.Join(dir, "broken.csv")
	header := "CustomerId,SubscriptionId,ChargeType,UnitPrice,EffectiveUnitPrice,Quantity,BillableQuantity,Subtotal,Currency,ChargeStartDate,ChargeEndDate\n"
	writeFile(t, good, header+"c139c4bf-2e8b-4ab5-8bed-d9f50dcca7a2,a4c1340d-1111-2222-3333-444455556666,cycleCharge,10,10,1,1,10.00,EUR,2026-11-01,2026-11-30\n")
	writeFile(t, broken, header+"c139c4bf-2e8b-4ab5-8bed-d9f50dcca7a2,a4c1340d-1111-2222-3333-444455556666,cycleCharge,ten,10,1,1,10.00,EUR,2026-11-01,2026-11-30\n")
	code, out, errOut := seatledger(t, "--db", "sqlite:"+filepath.Join(dir, "none.db"), "reconcile", "invoice", good, broken)
	if code == 0 || out != "" || !strings.Contains(errOut, "nothing was written") || !strings.Contains(errOut, broken+":2:") || !strings.Contains(errOut, "UnitPrice") {
		t.Errorf("exit %d, stdout %q, stderr:\n%s", code, out, errOut)
	}
}
