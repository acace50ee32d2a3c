package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/seatledger/seatledger/internal/billing"
	"github.com/seatledger/seatledger/internal/export"
	"github.com/seatledger/seatledger/internal/sandbox"
)

// billedOctober bills October of a simulated world of three tenants as a draft, and
// returns the stored run and the registry's external refs by tenant id.
func billedOctober(t *testing.T, db string) (billed, map[string]string) {
	t.Helper()
	world, err := sandbox.Generate(sandbox.Options{Seed: 3, Tenants: 3, Start: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	srv, files := serveWorld(t, world, sandbox.ServerOptions{})
	t.Setenv("SEATLEDGER_PARTNER_TENANT_ID", sandbox.PartnerTenantID)
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
	for _, day := range []int{0, 20} {
		for srv.Now().Before(world.Start.AddDate(0, 0, day)) {
			srv.Advance()
		}
		at(srv.Now())
		mustRun(t, "--db", db, "sync", "--all")
	}
	at(time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC))
	mustRun(t, "--db", db, "bill", "--period", "2026-10")
	run, _ := showBill(t, db, "2026-10")
	if len(run.Lines) < 3 {
		t.Fatalf("October has %d lines, want a few to export", len(run.Lines))
	}
	refs := map[string]string{}
	for _, c := range world.Customers() {
		refs[c.TenantID] = c.ExternalRef
	}
	return run, refs
}

// readCSV reads an export, its BOM (if any) dropped, with the given separator.
func readCSV(t *testing.T, data []byte, sep rune) [][]string {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))))
	r.Comma = sep
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	return rows
}

// column is the index of a header.
func column(t *testing.T, header []string, name string) int {
	t.Helper()
	for i, h := range header {
		if h == name {
			return i
		}
	}
	t.Fatalf("no column %q in %q", name, header)
	return -1
}

// A billed October exported in every format and profile: the draft says DRAFT in its
// file names and contents, every line is there with the stored amount, and once
// approved the names and the status drop DRAFT.
func TestExportCommand(t *testing.T) {
	eachDatabase(t, func(t *testing.T, db string) {
		run, refs := billedOctober(t, db)
		byID := map[string]billing.Line{}
		for _, l := range run.Lines {
			byID[strconv.FormatInt(l.ID, 10)] = l
		}
		t.Chdir(t.TempDir())

		// The default profile, to the default file name in the working folder.
		out := mustRun(t, "--db", db, "export", "--period", "2026-10")
		if !strings.Contains(out, "billing-2026-10-DRAFT.csv: ") || !strings.Contains(out, "DRAFT, not approved") {
			t.Errorf("export: %s", out)
		}
		data := readPrivate(t, "billing-2026-10-DRAFT.csv")
		rows := readCSV(t, data, ',')
		if len(rows) != len(run.Lines)+1 {
			t.Fatalf("default CSV has %d rows, want a header and %d lines", len(rows), len(run.Lines))
		}
		status, lineID, amount, ref, tenant := column(t, rows[0], "Status"), column(t, rows[0], "Line id"), column(t, rows[0], "Amount"),
			column(t, rows[0], "External ref"), column(t, rows[0], "Tenant id")
		for _, r := range rows[1:] {
			l, ok := byID[r[lineID]]
			if r[status] != "DRAFT" || !ok || r[amount] != l.Amount.String() || r[ref] != refs[r[tenant]] || r[ref] == "" {
				t.Errorf("row %q: want DRAFT, a stored line id, its amount and the customer's external ref %q", r, refs[r[tenant]])
			}
		}

		// excel-eu: BOM, ";" and decimal commas.
		mustRun(t, "--db", db, "export", "--period", "2026-10", "--profile", "excel-eu", "--out", "eu.csv")
		data = readPrivate(t, "eu.csv")
		if !bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
			t.Error("excel-eu export without a BOM")
		}
		rows = readCSV(t, data, ';')
		amount, lineID = column(t, rows[0], "Amount"), column(t, rows[0], "Line id")
		for _, r := range rows[1:] {
			if want := strings.Replace(byID[r[lineID]].Amount.String(), ".", ",", 1); r[amount] != want {
				t.Errorf("excel-eu amount %q, want %q", r[amount], want)
			}
		}

		// xero, to standard output: one invoice row per line, the draft in its reference.
		rows = readCSV(t, []byte(mustRun(t, "--db", db, "export", "--period", "2026-10", "--profile", "xero", "--out", "-")), ',')
		if len(rows) != len(run.Lines)+1 || rows[0][0] != "*ContactName" || !strings.HasPrefix(rows[1][column(t, rows[0], "Reference")], "DRAFT seatledger 2026-10 run ") {
			t.Errorf("xero export: %d rows, header %q, first %q", len(rows), rows[0], rows[1])
		}

		// A profile of the configuration's.
		t.Setenv("SEATLEDGER_EXPORT_PROFILES", `[{name: psa, separator: "|", columns: [{header: Debtor, field: external_ref}, {header: Total, field: amount}, {header: State, field: status}]}]`)
		mustRun(t, "--db", db, "export", "--period", "2026-10", "--profile", "psa", "--out", "psa.csv")
		rows = readCSV(t, readPrivate(t, "psa.csv"), '|')
		if len(rows) != len(run.Lines)+1 || strings.Join(rows[0], ",") != "Debtor,Total,State" || rows[1][2] != "DRAFT" || rows[1][0] == "" {
			t.Errorf("configured profile: %q", rows)
		}

		// XLSX: a sheet of lines that an independent reader opens.
		mustRun(t, "--db", db, "export", "--period", "2026-10", "--format", "xlsx")
		readPrivate(t, "billing-2026-10-DRAFT.xlsx")
		checkXLSXLines(t, "billing-2026-10-DRAFT.xlsx", len(run.Lines))

		// JSON: the stored run with its ids and provenance.
		mustRun(t, "--db", db, "export", "--period", "2026-10", "--format", "json")
		doc := readJSONExport(t, "billing-2026-10-DRAFT.json")
		if doc.Status != "DRAFT" || doc.Period != "2026-10" || len(doc.Lines) != len(run.Lines) || len(doc.Totals) == 0 || len(doc.Customers) == 0 {
			t.Errorf("JSON export: status %q, period %q, %d lines (want %d), %d totals, %d customers", doc.Status, doc.Period, len(doc.Lines), len(run.Lines),
				len(doc.Totals), len(doc.Customers))
		}
		for _, l := range doc.Lines {
			if l.ID == 0 || l.Source.ContractLine == 0 || l.Source.Counting == "" {
				t.Errorf("JSON line without id or provenance: %+v", l)
			}
		}

		// Approved: no DRAFT in names or contents.
		mustRun(t, "--db", db, "--actor", "finance", "bill", "approve", "--period", "2026-10")
		out = mustRun(t, "--db", db, "export", "--period", "2026-10")
		if !strings.Contains(out, "billing-2026-10.csv: ") || strings.Contains(out, "DRAFT") {
			t.Errorf("export of the approved run: %s", out)
		}
		rows = readCSV(t, readPrivate(t, "billing-2026-10.csv"), ',')
		if rows[1][column(t, rows[0], "Status")] != "approved" || bytes.Contains(readPrivate(t, "billing-2026-10.csv"), []byte("DRAFT")) {
			t.Errorf("approved CSV row %q", rows[1])
		}
		mustRun(t, "--db", db, "export", "--period", "2026-10", "--format", "json")
		if doc := readJSONExport(t, "billing-2026-10.json"); doc.Status != "approved" || doc.ApprovedBy != "finance" {
			t.Errorf("approved JSON: status %q by %q", doc.Status, doc.ApprovedBy)
		}
		mustRun(t, "--db", db, "export", "--period", "2026-10", "--format", "xlsx")
		checkXLSXLines(t, "billing-2026-10.xlsx", len(run.Lines))

		for _, c := range []struct {
			args []string
			want string
		}{
			{[]string{"--period", "2026-10", "--profile", "sage"}, `export profile "sage" is not defined (default, excel-eu, xero, psa)`},
			{[]string{"--period", "2026-09"}, "no billing run of 2026-09: run `seatledger bill --period 2026-09` first"},
			{[]string{"--period", "2026-10", "--format", "pdf"}, `--format: "pdf" is not one of csv, xlsx, json`},
			{[]string{"--period", "2026-10", "--format", "xlsx", "--profile", "xero"}, "--profile shapes CSV exports only"},
			{[]string{"--period", "October"}, "--period: "},
			{[]string{"--period", "2026-10", "--out", filepath.Join("missing", "x.csv")}, "missing"},
		} {
			code, _, errOut := seatledger(t, append([]string{"--db", db, "export"}, c.args...)...)
			if code == 0 || !strings.Contains(errOut, c.want) {
				t.Errorf("export %q: exit %d, want %q in:\n%s", c.args, code, c.want, errOut)
			}
		}
		if entries, _ := os.ReadDir("missing"); len(entries) != 0 {
			t.Errorf("a failed export left %v", entries)
		}
	})
}

// readPrivate reads a file the export wrote, which only its owner may read.
func readPrivate(t *testing.T, path string) []byte {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %04o, want 0600", path, info.Mode().Perm())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// checkXLSXLines opens an XLSX export with excelize and counts its line rows: those
// whose "Line id" cell holds an id.
func checkXLSXLines(t *testing.T, path string, want int) {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatalf("%s does not open: %v", path, err)
	}
	defer f.Close()
	rows, err := f.GetRows(export.LinesSheet)
	if err != nil {
		t.Fatal(err)
	}
	header, lines := -1, 0
	for i, r := range rows {
		if header < 0 {
			for j, c := range r {
				if c == "Line id" {
					header = j
				}
			}
			continue
		}
		if header < len(r) && r[header] != "" && i > 0 {
			lines++
		}
	}
	if lines != want {
		t.Errorf("%s: %d line rows in %s, want %d", path, lines, export.LinesSheet, want)
	}
	if sheets := f.GetSheetList(); len(sheets) != 2 || sheets[1] != export.TotalsSheet {
		t.Errorf("%s sheets: %q", path, sheets)
	}
}

type jsonExport struct {
	Period     string           `json:"period"`
	Status     string           `json:"status"`
	ApprovedBy string           `json:"approvedBy"`
	Lines      []billing.Line   `json:"lines"`
	Totals     []billing.Total  `json:"totals"`
	Customers  []map[string]any `json:"customers"`
}

func readJSONExport(t *testing.T, path string) jsonExport {
	t.Helper()
	var doc jsonExport
	if err := json.Unmarshal(readPrivate(t, path), &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return doc
}
