package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/seatledger/seatledger/internal/app"
)

// The margin report of a billed October agrees with the run's own totals per
// customer and currency (the figures themselves are hand-checked in internal/app),
// and every SKU row is a line group of the run.
func TestReportMarginCommand(t *testing.T) {
	eachDatabase(t, func(t *testing.T, db string) {
		run, _ := billedOctober(t, db)
		var r app.MarginReport
		if err := json.Unmarshal([]byte(mustRun(t, "--db", db, "-o", "json", "report", "margin", "--period", "2026-10")), &r); err != nil {
			t.Fatal(err)
		}
		stored := map[string]string{}
		for _, l := range run.Lines {
			stored[l.TenantID+" "+l.Currency] = ""
		}
		if r.Period != "2026-10" || r.Status != "draft" || len(r.Customers) != len(stored) {
			t.Fatalf("report %s (%s) with %d customers, want %d", r.Period, r.Status, len(r.Customers), len(stored))
		}
		var totals struct {
			Run struct {
				Totals []struct {
					TenantID, Currency, Amount, Cost, Margin string
					CostUnknown                              int
				} `json:"totals"`
			} `json:"run"`
		}
		if err := json.Unmarshal([]byte(mustRun(t, "--db", db, "-o", "json", "bill", "show", "--period", "2026-10")), &totals); err != nil {
			t.Fatal(err)
		}
		for _, want := range totals.Run.Totals {
			found := false
			for _, c := range r.Customers {
				if c.TenantID != want.TenantID || c.Currency != want.Currency {
					continue
				}
				found = true
				if c.Amount.String() != want.Amount || c.CostUnknown != want.CostUnknown || (c.Cost != nil && c.Cost.String() != want.Cost) ||
					(c.Margin != nil && c.Margin.String() != want.Margin) {
					t.Errorf("customer %s %s: report %s / %v / %v, run totals %+v", c.Customer, c.Currency, c.Amount, c.Cost, c.Margin, want)
				}
			}
			if !found {
				t.Errorf("run total %+v has no customer in the report", want)
			}
		}
		lines := 0
		for _, row := range r.Rows {
			lines += row.Lines
		}
		if lines != len(run.Lines) {
			t.Errorf("the report's SKU rows hold %d lines, the run %d", lines, len(run.Lines))
		}

		csvRows := readCSV(t, []byte(mustRun(t, "--db", db, "-o", "csv", "report", "margin", "--period", "2026-10")), ',')
		if len(csvRows) != 1+len(r.Rows)+len(r.Customers)+len(r.Totals) || csvRows[0][2] != "level" {
			t.Errorf("CSV report: %d rows, want %d", len(csvRows), 1+len(r.Rows)+len(r.Customers)+len(r.Totals))
		}
		text := mustRun(t, "--db", db, "report", "margin", "--period", "2026-10")
		if !strings.Contains(text, "margin report 2026-10 (draft)") || !strings.Contains(text, "MARGIN %") || strings.Count(text, "TOTAL") != len(r.Customers)+len(r.Totals) {
			t.Errorf("text report:\n%s", text)
		}
		code, _, errOut := seatledger(t, "--db", db, "report", "margin", "--period", "2026-09")
		if code == 0 || !strings.Contains(errOut, "no billing run of 2026-09: run `seatledger bill --period 2026-09` first") {
			t.Errorf("report of a month without a run: exit %d\n%s", code, errOut)
		}
	})
}
