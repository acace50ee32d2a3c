package export

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
)

// TestCSVProfiles checks each built-in profile's output against its golden file.
func TestCSVProfiles(t *testing.T) {
	for _, c := range []struct{ profile, status string }{
		{"default", StatusApproved},
		{"default", StatusDraft},
		{"excel-eu", StatusApproved},
		{"xero", StatusApproved},
		{"xero", StatusDraft},
	} {
		name := c.profile + "-" + c.status
		t.Run(name, func(t *testing.T) {
			p, ok := Builtin(c.profile)
			if !ok {
				t.Fatalf("no built-in profile %s", c.profile)
			}
			var buf bytes.Buffer
			if err := Write(&buf, november(c.status), CSV, p); err != nil {
				t.Fatal(err)
			}
			golden(t, name+".csv", buf.Bytes())
		})
	}
}

// readCSV parses an export back with the standard library's reader.
func readCSV(t *testing.T, b []byte, sep rune) [][]string {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\uFEFF"))))
	r.Comma = sep
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("reading the export back: %v", err)
	}
	return rows
}

// column is the cells of the column headed h, row by row below the header.
func column(t *testing.T, rows [][]string, h string) []string {
	t.Helper()
	i := -1
	for j, c := range rows[0] {
		if c == h {
			i = j
		}
	}
	if i < 0 {
		t.Fatalf("no column %q in %q", h, rows[0])
	}
	var out []string
	for _, r := range rows[1:] {
		out = append(out, r[i])
	}
	return out
}

// TestCSVReadBack reads each profile's file back as CSV: the names with a comma, a
// quote and accents survive, numbers carry the profile's decimal mark, and every
// row has every column.
func TestCSVReadBack(t *testing.T) {
	for _, c := range []struct {
		profile string
		amounts []string
		dates   []string
	}{
		{"default", []string{"456.00", "-16.26", "33.00", "990.00", "375.39"}, []string{"2026-11-01", "2026-10-18", "2026-11-01", "2026-11-01", "2026-11-20"}},
		{"excel-eu", []string{"456,00", "-16,26", "33,00", "990,00", "375,39"}, []string{"01-11-2026", "18-10-2026", "01-11-2026", "01-11-2026", "20-11-2026"}},
	} {
		p, _ := Builtin(c.profile)
		var buf bytes.Buffer
		if err := Write(&buf, november(StatusDraft), CSV, p); err != nil {
			t.Fatal(err)
		}
		if got := bytes.HasPrefix(buf.Bytes(), []byte("\uFEFF")); got != p.BOM {
			t.Errorf("%s: byte order mark %v, want %v", c.profile, got, p.BOM)
		}
		rows := readCSV(t, buf.Bytes(), p.Separator)
		if len(rows) != 6 {
			t.Fatalf("%s: %d rows, want a header and 5 lines", c.profile, len(rows))
		}
		check := func(h string, want []string) {
			if got := column(t, rows, h); strings.Join(got, "|") != strings.Join(want, "|") {
				t.Errorf("%s: %s %q, want %q", c.profile, h, got, want)
			}
		}
		check("Amount", c.amounts)
		check("From", c.dates)
		check("Status", []string{"DRAFT", "DRAFT", "DRAFT", "DRAFT", "DRAFT"})
		check("Customer", []string{"Müller & Zoë B.V.", "Müller & Zoë B.V.", `Contoso, "The Best" Ltd`, `Contoso, "The Best" Ltd`, `Contoso, "The Best" Ltd`})
		check("External ref", []string{"DEB-10042", "DEB-10042", `'=HYPERLINK("x")`, `'=HYPERLINK("x")`, `'=HYPERLINK("x")`})
		check("Cost", []string{strings.ReplaceAll("414.96", ".", string(p.DecimalMark)), strings.ReplaceAll("-14.79", ".", string(p.DecimalMark)), "",
			strings.ReplaceAll("825.00", ".", string(p.DecimalMark)), strings.ReplaceAll("312.82", ".", string(p.DecimalMark))})
		check("Line id", []string{"L1", "L2", "L3", "L4", "L5"})
	}
}

// TestXeroTemplate checks the xero profile against Xero's sales-invoice template:
// its headers in order, one invoice per customer and currency, and invoice lines
// whose quantity × unit amount is the run's amount to the cent, with no rounding
// left to Xero.
func TestXeroTemplate(t *testing.T) {
	template := "*ContactName,EmailAddress,POAddressLine1,POAddressLine2,POAddressLine3,POAddressLine4,POCity,PORegion,POPostalCode,POCountry," +
		"*InvoiceNumber,Reference,*InvoiceDate,*DueDate,InventoryItemCode,*Description,*Quantity,*UnitAmount,Discount,*AccountCode,*TaxType," +
		"TrackingName1,TrackingOption1,TrackingName2,TrackingOption2,Currency,BrandingTheme"
	p, _ := Builtin("xero")
	for _, status := range []string{StatusApproved, StatusDraft} {
		var buf bytes.Buffer
		if err := Write(&buf, november(status), CSV, p); err != nil {
			t.Fatal(err)
		}
		rows := readCSV(t, buf.Bytes(), ',')
		if got := strings.Join(rows[0], ","); got != template {
			t.Fatalf("header\n%s\nwant Xero's template\n%s", got, template)
		}
		col := func(h string) []string { return column(t, rows, h) }
		// Contoso sorts before Müller: its invoice is the first.
		if got, want := strings.Join(col("*InvoiceNumber"), " "), "SL-2026-11-0002 SL-2026-11-0002 SL-2026-11-0001 SL-2026-11-0001 SL-2026-11-0001"; got != want {
			t.Errorf("invoice numbers %s, want %s", got, want)
		}
		if got := col("*DueDate")[0]; got != "31/12/2026" {
			t.Errorf("due date %s, want 31/12/2026 (1 Dec + 30 days)", got)
		}
		// 12.666667 seats and a credit of −0.451613 seats have more decimals than
		// Xero takes: they go as 1 × the amount, the count kept in the description.
		if got, want := strings.Join(col("*Quantity"), " "), "1 1 10 5 1"; got != want {
			t.Errorf("quantities %s, want %s", got, want)
		}
		if got, want := strings.Join(col("*UnitAmount"), " "), "456.00 -16.26 3.30 198.00 375.39"; got != want {
			t.Errorf("unit amounts %s, want %s", got, want)
		}
		if got, want := col("*Description")[0], "Microsoft 365 E3, annual term billed monthly, 1–30 Nov 2026 (12.666667 seat-months × 36.00 EUR)"; got != want {
			t.Errorf("description %q, want %q", got, want)
		}
		wantRef := "seatledger 2026-11 run run-2026-11-7"
		if status == StatusDraft {
			wantRef = "DRAFT " + wantRef
		}
		for i, ref := range col("Reference") {
			if ref != wantRef {
				t.Errorf("row %d reference %q, want %q", i+1, ref, wantRef)
			}
		}
	}
}
