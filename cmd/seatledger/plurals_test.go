package main

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Counted nouns take the plural the number asks for, lines end without spaces, and
// catalog show lists plans by name.
func TestPluralsSpacesAndPlanOrder(t *testing.T) {
	t.Setenv("SEATLEDGER_CONFIG", "")
	eachDatabase(t, func(t *testing.T, db string) {
		mustRun(t, "--db", db, "migrate", "up")
		one := filepath.Join(t.TempDir(), "one.csv")
		writeFile(t, one, "name,tenant_id,currency,locale,market,external_ref\nSolo B.V.,11111111-2222-4333-8444-555555555555,EUR,nl,NL,SOLO\n")
		mustRun(t, "--db", db, "customers", "import", one)
		contract := filepath.Join(t.TempDir(), "contract.csv")
		writeFile(t, contract, "customer,sku,term,billing_plan,quantity,unit_price,billing,start\nSOLO,SPB,P1Y,monthly,3,20,day 1,2026-01-01\n")
		outputs := map[string]string{
			"contracts import": mustRun(t, "--db", db, "contracts", "import", contract),
			"customers list":   mustRun(t, "--db", db, "customers", "list"),
			"contracts list":   mustRun(t, "--db", db, "contracts", "list"),
			"catalog show":     mustRun(t, "--db", db, "catalog", "show", "SPB"),
			"findings list":    mustRun(t, "--db", db, "findings", "list"),
		}
		for cmd, want := range map[string]string{
			"contracts import": "imported " + contract + ": 1 line for 1 customer (1 changed, 0 unchanged); the customer had 0 lines before",
			"customers list":   "\n1 customer\n",
			"contracts list":   "\n1 contract line\n",
			"findings list":    "0 findings",
		} {
			if !strings.Contains(outputs[cmd], want) {
				t.Errorf("%s lacks %q:\n%s", cmd, want, outputs[cmd])
			}
		}
		for cmd, out := range outputs {
			for i, line := range strings.Split(out, "\n") {
				if strings.TrimRight(line, " ") != line {
					t.Errorf("%s: line %d ends with spaces: %q", cmd, i+1, line)
				}
			}
		}
		var plans []string
		inPlans := false
		for _, line := range strings.Split(outputs["catalog show"], "\n") {
			switch {
			case strings.HasPrefix(line, "    NAME"):
				inPlans = true
			case inPlans && strings.HasPrefix(line, "    "):
				plans = append(plans, strings.Fields(line)[0])
			default:
				inPlans = false
			}
		}
		if len(plans) < 10 || !slices.IsSorted(plans) {
			t.Errorf("catalog show plans not sorted by name: %v", plans)
		}
	})
}
