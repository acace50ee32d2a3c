package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seatledger/seatledger/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

const microsoftCSV = "../../../shared/data/microsoft-licensing-skus.csv"

// seatledger runs one command line in-process and returns its exit code and output.
func seatledger(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errOut := seatledger(t, args...)
	if code != 0 {
		t.Fatalf("seatledger %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// eachDatabase runs fn against a fresh, unmigrated database URL of each kind.
func eachDatabase(t *testing.T, fn func(t *testing.T, db string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, "sqlite:"+filepath.Join(t.TempDir(), "sl.db")) })
	t.Run("postgres", func(t *testing.T) { fn(t, storetest.PostgresURL(t)) })
}

func TestFoundationCommands(t *testing.T) {
	t.Setenv("SEATLEDGER_CONFIG", "")
	eachDatabase(t, func(t *testing.T, db string) {
		mustRun(t, "--db", db, "migrate", "up")
		status := mustRun(t, "--db", db, "migrate", "status")
		if !strings.Contains(status, "0001_foundation.sql") || !strings.Contains(status, "applied") {
			t.Errorf("migrate status:\n%s", status)
		}

		// Before any import the built-in catalogue answers.
		builtin := mustRun(t, "--db", db, "catalog", "show", "SPB")
		if !strings.Contains(builtin, "built-in") || !strings.Contains(builtin, "cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46") {
			t.Errorf("catalog show SPB before import:\n%s", builtin)
		}

		out := mustRun(t, "--db", db, "catalog", "import", "--file", microsoftCSV)
		if !strings.Contains(out, "619 SKUs new") {
			t.Errorf("catalog import: %s", out)
		}
		show := mustRun(t, "--db", db, "catalog", "show", "SPB")
		for _, want := range []string{"Microsoft 365 Business Premium", "cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46", "paid", "imported", "EXCHANGE_S_STANDARD"} {
			if !strings.Contains(show, want) {
				t.Errorf("catalog show SPB lacks %q:\n%s", want, show)
			}
		}
		var shown struct {
			SKU struct {
				ID   string `json:"skuId"`
				Free bool   `json:"free"`
			} `json:"sku"`
			IncludedIn []string `json:"includedIn"`
		}
		if err := json.Unmarshal([]byte(mustRun(t, "--db", db, "-o", "json", "catalog", "show", "EXCHANGEENTERPRISE")), &shown); err != nil {
			t.Fatal(err)
		}
		if shown.SKU.ID != "19ec0d23-8335-4cbd-94ac-6050e30712fa" || !containsString(shown.IncludedIn, "SPE_E3") {
			t.Errorf("catalog show EXCHANGEENTERPRISE = %+v", shown)
		}
		if list := mustRun(t, "--db", db, "catalog", "list"); !strings.Contains(list, "619 SKUs (imported catalogue)") {
			t.Errorf("catalog list tail:\n%s", list[max(0, len(list)-200):])
		}

		out = mustRun(t, "--db", db, "customers", "import", "../../config/customers.example.csv")
		if !strings.Contains(out, "4 created, 0 updated, 0 unchanged") {
			t.Errorf("customers import: %s", out)
		}
		out = mustRun(t, "--db", db, "customers", "import", "../../config/customers.example.csv")
		if !strings.Contains(out, "0 created, 0 updated, 4 unchanged") {
			t.Errorf("customers re-import: %s", out)
		}
		mustRun(t, "--db", db, "customers", "import", "../../config/customers.example.yaml")
		var list []struct {
			Name     string `json:"name"`
			TenantID string `json:"tenantId"`
			Contacts []struct {
				Email string `json:"email"`
			} `json:"contacts"`
		}
		if err := json.Unmarshal([]byte(mustRun(t, "--db", db, "customers", "list", "--output", "json")), &list); err != nil {
			t.Fatal(err)
		}
		if len(list) != 5 {
			t.Errorf("customers list has %d customers, want 5 (4 from CSV, 1 more from YAML)", len(list))
		}
	})
}

// A bad input file must name the line and leave the database exactly as it was.
func TestBadInputWritesNothing(t *testing.T) {
	t.Setenv("SEATLEDGER_CONFIG", "")
	eachDatabase(t, func(t *testing.T, db string) {
		mustRun(t, "--db", db, "migrate", "up")
		mustRun(t, "--db", db, "catalog", "import", "--file", microsoftCSV)
		mustRun(t, "--db", db, "customers", "import", "../../config/customers.example.csv")
		before := snapshot(t, db)

		full, err := os.ReadFile(microsoftCSV)
		if err != nil {
			t.Fatal(err)
		}
		// Cut the file inside its last quoted field, and change an earlier SKU so that a
		// partial write would show.
		lastQuote := bytes.LastIndexByte(full, '"')
		cut := bytes.LastIndexByte(full[:lastQuote], '"') + 5
		truncated := bytes.Replace(full[:cut], []byte("Microsoft 365 Business Premium,"), []byte("Renamed Premium,"), 1)
		if bytes.Equal(truncated, full[:cut]) {
			t.Fatal("the change meant to reveal a partial write was not made")
		}
		dir := t.TempDir()
		truncatedPath := filepath.Join(dir, "truncated.csv")
		if err := os.WriteFile(truncatedPath, truncated, 0o644); err != nil {
			t.Fatal(err)
		}
		code, _, errOut := seatledger(t, "--db", db, "catalog", "import", "--file", truncatedPath)
		wantLine := strings.Count(string(full[:cut]), "\n") + 1
		if code == 0 || !strings.Contains(errOut, truncatedPath+":") || !strings.Contains(errOut, "nothing was written") {
			t.Errorf("truncated catalogue: exit %d, stderr:\n%s", code, errOut)
		}
		if !strings.Contains(errOut, filepathLine(truncatedPath, wantLine)) {
			t.Errorf("truncated catalogue error does not name line %d:\n%s", wantLine, errOut)
		}

		badCustomers := filepath.Join(dir, "customers.csv")
		good, _ := os.ReadFile("../../config/customers.example.csv")
		bad := strings.Replace(string(good), "Müller Logistik GmbH", "Müller Logistik GmbH & Co. KG", 1) +
			"Broken,not-a-tenant,broken.example,EUR,nl,NL,DEB-9,\n"
		if err := os.WriteFile(badCustomers, []byte(bad), 0o644); err != nil {
			t.Fatal(err)
		}
		code, _, errOut = seatledger(t, "--db", db, "customers", "import", badCustomers)
		if code == 0 || !strings.Contains(errOut, badCustomers+":6: tenant_id: \"not-a-tenant\" is not a GUID") {
			t.Errorf("bad customers file: exit %d, stderr:\n%s", code, errOut)
		}

		if after := snapshot(t, db); after != before {
			t.Errorf("a failed import changed the database:\nbefore %s\nafter  %s", before, after)
		}
	})
}

func filepathLine(path string, line int) string { return path + ":" + itoa(line) + ":" }

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// snapshot is everything the commands can show about the database.
func snapshot(t *testing.T, db string) string {
	t.Helper()
	return mustRun(t, "--db", db, "-o", "json", "catalog", "list") + mustRun(t, "--db", db, "-o", "json", "customers", "list")
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestCatalogImportFromURL(t *testing.T) {
	t.Setenv("SEATLEDGER_CONFIG", "")
	srv := catalogServer(t)
	db := "sqlite:" + filepath.Join(t.TempDir(), "sl.db")
	mustRun(t, "--db", db, "migrate", "up")
	if out := mustRun(t, "--db", db, "catalog", "import", "--url", srv.URL+"/skus.csv"); !strings.Contains(out, "619 SKUs new") {
		t.Errorf("import from URL: %s", out)
	}
	// The default URL comes from the configuration.
	t.Setenv("SEATLEDGER_CATALOG_URL", srv.URL+"/skus.csv")
	if out := mustRun(t, "--db", db, "catalog", "import"); !strings.Contains(out, "619 unchanged") {
		t.Errorf("re-import from catalog.url: %s", out)
	}
	code, _, errOut := seatledger(t, "--db", db, "catalog", "import", "--url", srv.URL+"/missing.csv")
	if code == 0 || !strings.Contains(errOut, "404") {
		t.Errorf("missing URL: exit %d, %s", code, errOut)
	}
}

// Microsoft's file as it has been published (a stray parenthesis before a plan id, a
// GUID under two part numbers) imports, and the import says which lines it repaired.
func TestCatalogImportReportsRepairs(t *testing.T) {
	t.Setenv("SEATLEDGER_CONFIG", "")
	full, err := os.ReadFile(microsoftCSV)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(full), "\n")
	stray, twoParts := -1, -1
	for i, l := range lines {
		switch {
		case stray < 0 && strings.HasPrefix(l, "Office 365 E1,STANDARDPACK,") && strings.Contains(l, ",SWAY,"):
			lines[i] = strings.Replace(l, ",SWAY,", ",SWAY,(", 1)
			stray = i + 1
		case twoParts < 0 && strings.Contains(l, ",MCOMEETADV_GOV,2d3091c7-"):
			lines[i] = strings.Replace(l, ",MCOMEETADV_GOV,2d3091c7-", ",MCOMEETADV_GOC,2d3091c7-", 1)
			twoParts = i + 1
		}
	}
	if stray < 0 || twoParts < 0 {
		t.Fatal("the lines to spoil are not in Microsoft's file")
	}
	path := filepath.Join(t.TempDir(), "skus.csv")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "")), 0o644); err != nil {
		t.Fatal(err)
	}
	db := "sqlite:" + filepath.Join(t.TempDir(), "sl.db")
	mustRun(t, "--db", db, "migrate", "up")
	out := mustRun(t, "--db", db, "catalog", "import", "--file", path)
	for _, want := range []string{"619 SKUs new", "warning: " + filepathLine(path, stray) + " Service_Plan_Id: \"(", "warning: " + filepathLine(path, twoParts+1) + " String_Id: GUID 2d3091c7-0712-488b-b3d8-6b97bde6a1f5 has part number \"MCOMEETADV_GOV\" here and \"MCOMEETADV_GOC\""} {
		if !strings.Contains(out, want) {
			t.Errorf("catalog import output lacks %q:\n%s", want, out)
		}
	}
	if show := mustRun(t, "--db", db, "catalog", "show", "2d3091c7-0712-488b-b3d8-6b97bde6a1f5"); !strings.Contains(show, "MCOMEETADV_GOC") {
		t.Errorf("the first part number of the GUID is not the one kept:\n%s", show)
	}
	var res struct {
		Result   struct{ Unchanged int }
		Warnings []string
	}
	if err := json.Unmarshal([]byte(mustRun(t, "--db", db, "-o", "json", "catalog", "import", "--file", path)), &res); err != nil {
		t.Fatal(err)
	}
	if res.Result.Unchanged != 619 || len(res.Warnings) < 2 || !strings.HasPrefix(res.Warnings[0], filepathLine(path, min(stray, twoParts+1))) {
		t.Errorf("JSON import = %+v", res)
	}
}

func TestCommandsRefuseAnUnmigratedDatabase(t *testing.T) {
	t.Setenv("SEATLEDGER_CONFIG", "")
	db := "sqlite:" + filepath.Join(t.TempDir(), "sl.db")
	code, _, errOut := seatledger(t, "--db", db, "customers", "list")
	if code == 0 || !strings.Contains(errOut, "seatledger migrate up") {
		t.Errorf("exit %d, stderr %s", code, errOut)
	}
}
