package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sparseFile makes a file of size bytes that takes no room on disk.
func sparseFile(t *testing.T, path string, size int64) {
	t.Helper()
	writeFile(t, path, "name,tenant_id,currency,locale,market\n")
	if err := os.Truncate(path, size); err != nil {
		t.Fatal(err)
	}
}

// Imports read only regular files within a size limit and refuse values too long,
// each with FILE: size or FILE:LINE: field, and write nothing.
func TestImportsAreBounded(t *testing.T) {
	t.Setenv("SEATLEDGER_CONFIG", "")
	eachDatabase(t, func(t *testing.T, db string) {
		mustRun(t, "--db", db, "migrate", "up")
		dir := t.TempDir()
		bigCSV, bigCatalog := filepath.Join(dir, "big.csv"), filepath.Join(dir, "catalog.csv")
		sparseFile(t, bigCSV, 16<<20+1)
		sparseFile(t, bigCatalog, 64<<20+1)
		longName := strings.Repeat("N", 1025)
		longCSV, longYAML, longContracts, longOffers := filepath.Join(dir, "long.csv"), filepath.Join(dir, "long.yaml"), filepath.Join(dir, "contracts.csv"), filepath.Join(dir, "offers.csv")
		writeFile(t, longCSV, "name,tenant_id,currency,locale,market,contacts\n"+
			longName+",11111111-2222-4333-8444-555555555555,EUR,nl,NL,\n"+
			"Fine,21111111-2222-4333-8444-555555555555,EUR,nl,NL,\""+strings.Repeat("a <a@x.example>; ", 250)+"\"\n")
		writeFile(t, longYAML, "customers:\n  - name: "+longName+"\n    tenant_id: 11111111-2222-4333-8444-555555555555\n    currency: EUR\n    locale: nl\n    market: NL\n")
		writeFile(t, longContracts, "customer,sku,term,billing_plan,quantity,unit_price,billing,start\n"+longName+",SPB,P1Y,monthly,3,5.60,day 1,2026-01-01\n")
		writeFile(t, longOffers, "ProductId,SkuId,ProductTitle,ProvisioningId,ProvisioningString\nCFQ7TTC0LCHC,0002,"+longName+",cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46,SPB\n")

		for _, c := range []struct {
			args []string
			want string
		}{
			{[]string{"customers", "import", "/dev/zero"}, "/dev/zero: not a regular file"},
			{[]string{"customers", "import", dir}, dir + ": not a regular file"},
			{[]string{"contracts", "import", "/dev/zero"}, "/dev/zero: not a regular file"},
			{[]string{"catalog", "import", "--file", "/dev/zero"}, "/dev/zero: not a regular file"},
			{[]string{"catalog", "offers", "--file", "/dev/zero"}, "/dev/zero: not a regular file"},
			{[]string{"customers", "import", bigCSV}, bigCSV + ": size: larger than the 16 MiB allowed"},
			{[]string{"contracts", "import", bigCSV}, bigCSV + ": size: larger than the 16 MiB allowed"},
			{[]string{"catalog", "offers", "--file", bigCSV}, bigCSV + ": size: larger than the 16 MiB allowed"},
			{[]string{"catalog", "import", "--file", bigCatalog}, bigCatalog + ": size: larger than the 64 MiB allowed"},
			{[]string{"customers", "import", longCSV}, longCSV + ":2: name: longer than 1024 characters"},
			{[]string{"customers", "import", longCSV}, longCSV + ":3: contacts: longer than 4096 characters"},
			{[]string{"customers", "import", longYAML}, longYAML + ":2: name: longer than 1024 characters"},
			{[]string{"contracts", "import", longContracts}, longContracts + ":2: customer: longer than 1024 characters"},
			{[]string{"catalog", "offers", "--file", longOffers}, longOffers + ":2: ProductTitle: longer than 1024 characters"},
		} {
			code, _, errOut := seatledger(t, append([]string{"--db", db}, c.args...)...)
			if code == 0 || !strings.Contains(errOut, c.want) || !strings.Contains(errOut, "nothing was written") {
				t.Errorf("%s: exit %d, stderr lacks %q:\n%.500s", strings.Join(c.args, " "), code, c.want, errOut)
			}
			if strings.Count(errOut, "\n") > 4 {
				t.Errorf("%s: a refused value is reported for more than its length:\n%.800s", strings.Join(c.args, " "), errOut)
			}
		}
		if out := mustRun(t, "--db", db, "customers", "list"); !strings.Contains(out, "0 customers") {
			t.Errorf("a refused import stored customers:\n%s", out)
		}
	})
}
