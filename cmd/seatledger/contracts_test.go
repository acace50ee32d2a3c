package main

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// An import that replaces a customer's contract says which lines went and which came,
// not only how many.
func TestContractsImportListsRemovedAndAddedLines(t *testing.T) {
	t.Setenv("SEATLEDGER_CONFIG", "")
	eachDatabase(t, func(t *testing.T, db string) {
		mustRun(t, "--db", db, "migrate", "up")
		mustRun(t, "--db", db, "customers", "import", "../../config/customers.example.csv")
		mustRun(t, "--db", db, "contracts", "import", "../../config/contracts.example.csv")

		changed := filepath.Join(t.TempDir(), "contracts.csv")
		writeFile(t, changed, "customer,reference,sku,term,billing_plan,quantity,unit_price,markup_percent,billing,start,end,notice_days\n"+
			"DEB-1001,C-2025-014,SPB,P1Y,monthly,15,21.63,,day 1,2025-03-01,,30\n")
		out := mustRun(t, "--db", db, "contracts", "import", changed)
		spaces := regexp.MustCompile(` {2,}`)
		flat := spaces.ReplaceAllString(out, " ")
		for _, want := range []string{
			"(1 changed, 0 unchanged)",
			"- Bakkerij de Vries B.V. SPB P1Y monthly 12 21.63 day 1 2025-03-01 -",
			"- Bakkerij de Vries B.V. POWER_BI_PRO P1M monthly as assigned cost+15% prorated 2025-03-01 -",
			"+ Bakkerij de Vries B.V. SPB P1Y monthly 15 21.63 day 1 2025-03-01 -",
		} {
			if !strings.Contains(flat, want) {
				t.Errorf("contracts import output lacks %q:\n%s", want, out)
			}
		}
		if strings.Contains(flat, "Müller") {
			t.Errorf("a customer the file does not name is listed:\n%s", out)
		}

		// The same file again changes nothing and lists nothing.
		var counts struct {
			Changes []json.RawMessage `json:"changes"`
		}
		if err := json.Unmarshal([]byte(mustRun(t, "--db", db, "-o", "json", "contracts", "import", changed)), &counts); err != nil {
			t.Fatal(err)
		}
		if counts.Changes == nil || len(counts.Changes) != 0 {
			t.Errorf("re-import changes = %v, want []", counts.Changes)
		}
	})
}
