package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
