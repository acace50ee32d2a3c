package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/seatledger/seatledger/internal/sandbox"
)

const offerMatrix = "../../../shared/data/partner-center-samples/pc-offermatrix.csv"

// A contracts file with one bad line writes nothing, names every problem, and a
// Partner Center id resolves once the offer matrix is imported.
func TestContractsImport(t *testing.T) {
	t.Setenv("SEATLEDGER_CONFIG", "")
	eachDatabase(t, func(t *testing.T, db string) {
		mustRun(t, "--db", db, "migrate", "up")
		mustRun(t, "--db", db, "customers", "import", "../../config/customers.example.csv")
		if out := mustRun(t, "--db", db, "contracts", "import", "../../config/contracts.example.csv"); !strings.Contains(out, "6 lines for 4 customers (4 changed, 0 unchanged)") {
			t.Errorf("import: %s", out)
		}
		if out := mustRun(t, "--db", db, "contracts", "import", "../../config/contracts.example.csv"); !strings.Contains(out, "(0 changed, 4 unchanged)") {
			t.Errorf("re-import of the same file: %s", out)
		}
		list := func() string { return mustRun(t, "--db", db, "-o", "json", "contracts", "list") }
		before := list()
		var views []struct {
			Customer   string  `json:"customer"`
			Currency   string  `json:"currency"`
			Quantity   *int    `json:"quantity"`
			AsAssigned bool    `json:"asAssigned"`
			UnitPrice  *string `json:"unitPrice"`
		}
		if err := json.Unmarshal([]byte(before), &views); err != nil || len(views) == 0 {
			t.Fatalf("contracts list json: %v", err)
		}
		for _, v := range views {
			if v.Customer == "" || v.Currency == "" || (v.Quantity == nil) != v.AsAssigned {
				t.Errorf("contracts list json lacks what the table shows: %+v", v)
			}
		}

		dir := t.TempDir()
		good, _ := os.ReadFile("../../config/contracts.example.csv")
		bad := strings.Replace(string(good), ",12,21.63,", ",13,21.63,", 1) +
			"DEB-1001,,CFQ7TTC0LH18:0001,P1Y,monthly,3,5.60,,day 1,2026-01-01,,\n" +
			"DEB-9999,,SPB,P1Y,weekly,3,5.60,,day 1,2026-01-01,,\n"
		badFile := filepath.Join(dir, "contracts.csv")
		if err := os.WriteFile(badFile, []byte(bad), 0o644); err != nil {
			t.Fatal(err)
		}
		code, _, errOut := seatledger(t, "--db", db, "contracts", "import", badFile)
		for _, want := range []string{
			badFile + ":8: sku: Partner Center offer CFQ7TTC0LH18:0001 is unknown",
			badFile + `:9: customer: no customer "DEB-9999"`,
			badFile + `:9: billing_plan: "weekly" is not a billing plan`,
		} {
			if code == 0 || !strings.Contains(errOut, want) {
				t.Errorf("exit %d, stderr lacks %q:\n%s", code, want, errOut)
			}
		}
		if after := list(); after != before {
			t.Errorf("a failed contracts import changed the contracts")
		}

		mustRun(t, "--db", db, "catalog", "offers", "--file", offerMatrix)
		fixed := strings.Replace(bad, "DEB-9999,,SPB,P1Y,weekly", "DEB-1003,,SPB,P1Y,monthly", 1)
		if err := os.WriteFile(badFile, []byte(fixed), 0o644); err != nil {
			t.Fatal(err)
		}
		mustRun(t, "--db", db, "contracts", "import", badFile)
		out := mustRun(t, "--db", db, "contracts", "list", "--customer", "Bakkerij de Vries B.V.")
		if !strings.Contains(out, "O365_BUSINESS_ESSENTIALS") || !strings.Contains(out, "13 ") {
			t.Errorf("contract of DEB-1001 after re-import:\n%s", out)
		}
	})
}

// The advice commands against the simulated cloud, as a partner runs them.
func TestAdviseFindingsReconcileCommands(t *testing.T) {
	srv, _, files := sandboxEnv(t, 8)
	t.Setenv("SEATLEDGER_PARTNER_TENANT_ID", sandbox.PartnerTenantID)
	eachDatabase(t, func(t *testing.T, db string) {
		mustRun(t, "--db", db, "migrate", "up")
		mustRun(t, "--db", db, "customers", "import", files.Customers)
		mustRun(t, "--db", db, "contracts", "import", files.Contracts)
		if code, _, errOut := seatledger(t, "--db", db, "advise", "--tenant", "CUST-0001"); code == 0 || !strings.Contains(errOut, "has not been synced") {
			t.Errorf("advise before sync: exit %d %s", code, errOut)
		}
		mustRun(t, "--db", db, "sync", "--all")
		out := mustRun(t, "--db", db, "advise")
		if !strings.Contains(out, "8 tenants") || !strings.Contains(out, "inactive users not assessed") {
			t.Errorf("advise:\n%s", out)
		}
		if out := mustRun(t, "--db", db, "advise"); !strings.Contains(out, " 0 new, 0 reopened, 0 resolved") {
			t.Errorf("a second run found new findings:\n%s", out)
		}

		rows, err := csv.NewReader(strings.NewReader(mustRun(t, "--db", db, "findings", "list", "--output", "csv"))).ReadAll()
		if err != nil || len(rows) < 10 || rows[0][0] != "fingerprint" || rows[0][8] != "monthly_saving" || rows[0][6] != "user_id" || rows[0][13] != "missing" {
			t.Fatalf("findings csv: %v %d rows", err, len(rows))
		}
		var rep struct {
			Findings []struct {
				Fingerprint   string  `json:"fingerprint"`
				Kind          string  `json:"kind"`
				Status        string  `json:"status"`
				Confidence    string  `json:"confidence"`
				MonthlySaving *string `json:"monthlySaving"`
			} `json:"findings"`
			Totals []struct {
				Customer string `json:"customer"`
				Monthly  string `json:"monthly"`
			} `json:"totals"`
		}
		if err := json.Unmarshal([]byte(mustRun(t, "--db", db, "-o", "json", "findings", "list", "--kind", "unassigned-seats")), &rep); err != nil {
			t.Fatal(err)
		}
		if len(rep.Findings) == 0 || len(rep.Totals) == 0 {
			t.Fatalf("no unassigned seats listed: %+v", rep)
		}
		for _, f := range rep.Findings {
			if f.Status != "open" || f.Confidence == "" {
				t.Errorf("finding %s: status %q, confidence %q", f.Fingerprint, f.Status, f.Confidence)
			}
			// Amounts keep the currency's decimals, as strings.
			if f.MonthlySaving != nil && !regexp.MustCompile(`^[0-9]+\.[0-9]{2}$`).MatchString(*f.MonthlySaving) {
				t.Errorf("finding %s: monthly saving %q", f.Fingerprint, *f.MonthlySaving)
			}
		}
		first := rep.Findings[0].Fingerprint[:8]
		if code, _, errOut := seatledger(t, "--db", db, "findings", "suppress", first); code == 0 || !strings.Contains(errOut, "only with a reason") {
			t.Errorf("suppress without reason: exit %d %s", code, errOut)
		}
		mustRun(t, "--db", db, "--actor", "erin", "findings", "suppress", first, "--reason", "customer keeps spare seats for seasonal staff")
		mustRun(t, "--db", db, "advise")
		if out := mustRun(t, "--db", db, "findings", "list", "--kind", "unassigned-seats"); strings.Contains(out, first) {
			t.Errorf("a suppressed finding is listed after a re-run:\n%s", out)
		}
		if out := mustRun(t, "--db", db, "findings", "list", "--kind", "unassigned-seats", "--all"); !strings.Contains(out, first) || !strings.Contains(out, "suppressed") {
			t.Errorf("--all hides the suppressed finding:\n%s", out)
		}
		if out := mustRun(t, "--db", db, "findings", "list", "--limit", "2"); !regexp.MustCompile(`\n2 of [0-9]+ findings listed\n`).MatchString(out) {
			t.Errorf("a limited list does not say how many there are:\n%s", out)
		}
		if code, _, errOut := seatledger(t, "--db", db, "findings", "list", "--kind", "idle"); code == 0 || !strings.Contains(errOut, "not one of") {
			t.Errorf("unknown kind: exit %d %s", code, errOut)
		}

		mustRun(t, "--db", db, "findings", "exclude", "--customer", "CUST-0002", "--reason", "non-profit grant")
		out = mustRun(t, "--db", db, "advise")
		if !strings.Contains(out, srv.Truth().Tenants[1].Name+": 0 findings") {
			t.Errorf("the excluded customer still has findings:\n%s", out)
		}
		// Its findings are not "resolved" as if the waste had gone: they are excluded.
		if out := mustRun(t, "--db", db, "findings", "list", "--all", "--customer", "CUST-0002"); !strings.Contains(out, "excluded") || strings.Contains(out, "resolved") {
			t.Errorf("findings of an excluded customer:\n%s", out)
		}

		rec := mustRun(t, "--db", db, "reconcile")
		for _, want := range []string{"no-subscription", "no-contract-line", "other-partner", "under-billed", "over-billed"} {
			if !strings.Contains(rec, want) {
				t.Errorf("reconcile lacks %s:\n%s", want, rec)
			}
		}
		if code, _, errOut := seatledger(t, "--db", db, "-o", "csv", "customers", "list"); code == 0 || !strings.Contains(errOut, "text or json only") {
			t.Errorf("csv where not offered: exit %d %s", code, errOut)
		}
	})
}

// SEATLEDGER_NOW replays the advice as of a day: every act-by date is that day or
// later. Without partner.tenant_id the commands whose numbers depend on it warn.
func TestClockAndPartnerWarning(t *testing.T) {
	_, _, files := sandboxEnv(t, 6)
	t.Setenv("SEATLEDGER_PARTNER_TENANT_ID", "")
	db := "sqlite:" + filepath.Join(t.TempDir(), "sl.db")
	mustRun(t, "--db", db, "migrate", "up")
	mustRun(t, "--db", db, "customers", "import", files.Customers)
	mustRun(t, "--db", db, "contracts", "import", files.Contracts)
	mustRun(t, "--db", db, "sync", "--all")
	for _, cmd := range [][]string{{"advise"}, {"reconcile"}} {
		if _, _, errOut := seatledger(t, append([]string{"--db", db}, cmd...)...); !strings.Contains(errOut, "partner.tenant_id is not set") {
			t.Errorf("%s without partner.tenant_id does not warn:\n%s", cmd[0], errOut)
		}
	}

	t.Setenv("SEATLEDGER_NOW", "next tuesday")
	if code, _, errOut := seatledger(t, "--db", db, "advise"); code == 0 || !strings.Contains(errOut, "SEATLEDGER_NOW") || !strings.Contains(errOut, "RFC 3339") {
		t.Errorf("a bad clock: exit %d %s", code, errOut)
	}
	// A time before the last sync would judge data from its future and resolve
	// findings that still hold: refused.
	t.Setenv("SEATLEDGER_NOW", "2020-01-01T12:00:00Z")
	if code, _, errOut := seatledger(t, "--db", db, "advise"); code == 0 || !strings.Contains(errOut, "is before the last sync of") {
		t.Errorf("a clock before the last sync: exit %d %s", code, errOut)
	}
	later := time.Now().UTC().AddDate(0, 5, 0).Truncate(24 * time.Hour).Add(12 * time.Hour)
	t.Setenv("SEATLEDGER_NOW", later.Format(time.RFC3339))
	mustRun(t, "--db", db, "advise")
	var rep struct {
		Findings []struct {
			Kind  string     `json:"kind"`
			ActBy *time.Time `json:"actBy"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, "--db", db, "-o", "json", "findings", "list")), &rep); err != nil {
		t.Fatal(err)
	}
	dated := 0
	for _, f := range rep.Findings {
		if f.ActBy != nil {
			dated++
			if f.ActBy.Before(later.Truncate(24 * time.Hour)) {
				t.Errorf("%s: act by %s, before the clock's day %s", f.Kind, f.ActBy.Format(time.DateOnly), later.Format(time.DateOnly))
			}
		}
	}
	if dated == 0 {
		t.Error("no finding has an act-by date")
	}
}
