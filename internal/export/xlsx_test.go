package export

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seatledger/seatledger/internal/testtools"

	"github.com/shopspring/decimal"

	"github.com/seatledger/seatledger/internal/billing"
)

// python is the interpreter of Debian's python3-openpyxl.
const python = testtools.Python

// needOpenpyxl skips the test when openpyxl cannot be run, unless required.
func needOpenpyxl(t *testing.T) {
	t.Helper()
	testtools.NeedPython(t, "openpyxl")
}

type readCell struct {
	Value  any    `json:"value"`
	Type   string `json:"type"`
	Format string `json:"format"`
	Date   bool   `json:"date"`
}

// readBack writes run as XLSX and reads it with openpyxl.
func readBack(t *testing.T, run Run) (sheets []string, lines, totals [][]readCell) {
	t.Helper()
	needOpenpyxl(t)
	path := filepath.Join(t.TempDir(), FileName(run, XLSX))
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := Write(f, run, XLSX, Profile{}); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(python, filepath.Join("testdata", "readback.py"), path).Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("openpyxl could not read the export: %v\n%s", err, ee.Stderr)
		}
		t.Fatal(err)
	}
	var got struct {
		Sheets []string     `json:"sheets"`
		Lines  [][]readCell `json:"Lines"`
		Totals [][]readCell `json:"Totals"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("openpyxl's output: %v\n%s", err, out)
	}
	return got.Sheets, got.Lines, got.Totals
}

// cellsByHeader indexes a data row by the header row (the sheet's second).
func cellsByHeader(t *testing.T, rows [][]readCell, i int) map[string]readCell {
	t.Helper()
	m := map[string]readCell{}
	for j, h := range rows[1] {
		if j < len(rows[i]) {
			m[h.Value.(string)] = rows[i][j]
		}
	}
	return m
}

// checkNumber asserts a cell is numeric, holds exactly want and, for money, is
// formatted in the currency.
func checkNumber(t *testing.T, where string, c readCell, want decimal.Decimal, currency string) {
	t.Helper()
	s, ok := c.Value.(string)
	if !ok || c.Type != "n" {
		t.Errorf("%s: %v of type %q, want the number %s (type n)", where, c.Value, c.Type, want)
		return
	}
	got, err := decimal.NewFromString(s)
	if err != nil || !got.Equal(want) {
		t.Errorf("%s: %s, want exactly %s", where, s, want)
	}
	if currency != "" && !strings.Contains(c.Format, map[string]string{"EUR": "[$€", "GBP": "[$£"}[currency]) {
		t.Errorf("%s: number format %q does not carry %s", where, c.Format, currency)
	}
}

// TestXLSXReadBack reads the XLSX export with openpyxl: the same numbers to the
// cent, numeric cells, currency formats, real dates, the totals per customer and
// currency, and DRAFT in the title of a draft.
func TestXLSXReadBack(t *testing.T) {
	for _, status := range []string{StatusDraft, StatusApproved} {
		t.Run(status, func(t *testing.T) {
			run := november(status)
			sheets, lines, totals := readBack(t, run)
			if strings.Join(sheets, ",") != "Lines,Totals" {
				t.Errorf("sheets %q, want Lines, Totals", sheets)
			}
			for _, sheet := range [][][]readCell{lines, totals} {
				title, _ := sheet[0][0].Value.(string)
				if isDraft := strings.HasPrefix(title, "DRAFT"); isDraft != (status == StatusDraft) {
					t.Errorf("title %q for a %s run", title, status)
				}
			}
			if len(lines) != 2+len(run.Lines) {
				t.Fatalf("%d rows on Lines, want a title, a header and %d lines", len(lines), len(run.Lines))
			}
			for i, l := range run.Lines {
				row := cellsByHeader(t, lines, i+2)
				where := func(col string) string { return fmt.Sprintf("line %d %s", i+1, col) }
				if row["Customer"].Value != run.customer(&l).Name || row["Line id"].Value != run.LineIDs[i] {
					t.Errorf("line %d: customer %v, line id %v", i+1, row["Customer"].Value, row["Line id"].Value)
				}
				checkNumber(t, where("Quantity"), row["Quantity"], l.Quantity, "")
				checkNumber(t, where("Unit price"), row["Unit price"], l.UnitPrice, l.Currency)
				checkNumber(t, where("Amount"), row["Amount"], l.Amount.Decimal, l.Currency)
				for col, m := range map[string]*billing.Money{"Cost": l.Cost, "Margin": l.Margin} {
					if m == nil {
						if row[col].Value != nil {
							t.Errorf("%s: %v, want an empty cell for an unknown cost", where(col), row[col].Value)
						}
						continue
					}
					checkNumber(t, where(col), row[col], m.Decimal, l.Currency)
				}
				for col, d := range map[string]string{"From": l.From.Format("2006-01-02"), "To": l.To.Format("2006-01-02")} {
					if c := row[col]; !c.Date || c.Value != d {
						t.Errorf("%s: %v (date %v), want the date %s", where(col), c.Value, c.Date, d)
					}
				}
			}
			// Amount in EUR shows two decimals; a unit price of 12.345 would show three.
			if f := cellsByHeader(t, lines, 2)["Amount"].Format; f != "[$€-x-euro2] #,##0.00" {
				t.Errorf("EUR amount format %q", f)
			}
			want := run.totals()
			if len(totals) != 2+len(want) {
				t.Fatalf("%d rows on Totals, want a title, a header and %d totals", len(totals), len(want))
			}
			for i, tot := range want {
				row := cellsByHeader(t, totals, i+2)
				where := func(col string) string { return fmt.Sprintf("total %s %s %s", tot.Customer, tot.Currency, col) }
				if row["Customer"].Value != tot.Customer || row["Currency"].Value != tot.Currency {
					t.Errorf("total %d: %v %v, want %s %s", i+1, row["Customer"].Value, row["Currency"].Value, tot.Customer, tot.Currency)
				}
				checkNumber(t, where("Amount"), row["Amount"], tot.Amount.Decimal, tot.Currency)
				checkNumber(t, where("Cost"), row["Cost"], tot.Cost.Decimal, tot.Currency)
				checkNumber(t, where("Margin"), row["Margin"], tot.Margin.Decimal, tot.Currency)
				checkNumber(t, where("Lines without cost"), row["Lines without cost"], decimal.NewFromInt(int64(tot.CostUnknown)), "")
			}
			// Hand-summed: Contoso GBP 33.00 + 990.00 + 375.39 = 1,398.39, cost
			// 825.00 + 312.82 = 1,137.82 (one line without); Müller EUR 456.00 − 16.26 = 439.74.
			if a, b := cellsByHeader(t, totals, 2)["Amount"].Value, cellsByHeader(t, totals, 3)["Amount"].Value; a != "1398.39" || b != "439.74" {
				t.Errorf("totals %v and %v, want 1398.39 (GBP) and 439.74 (EUR)", a, b)
			}
		})
	}
}

func TestExactFloat(t *testing.T) {
	for _, s := range []string{"456.00", "-16.26", "0.01", "12.666667", "99999999999.99", "3704"} {
		v, err := exactFloat(dec(s))
		if err != nil || !decimal.NewFromFloat(v).Equal(dec(s)) {
			t.Errorf("exactFloat(%s) = %v, %v", s, v, err)
		}
	}
	if _, err := exactFloat(dec("12345678901234567.89")); err == nil {
		t.Error("a 19-digit amount was written as a float that cannot hold it")
	}
}

func TestNumberFormat(t *testing.T) {
	for _, c := range []struct {
		currency string
		places   int32
		want     string
	}{
		{"EUR", 2, "[$€-x-euro2] #,##0.00"},
		{"GBP", 3, "[$£-809]#,##0.000"},
		{"JPY", 0, "[$¥-411]#,##0"},
		{"CHF", 2, "[$CHF] #,##0.00"},
		{"", 6, "#,##0.000000"},
	} {
		if got := numberFormat(c.currency, c.places); got != c.want {
			t.Errorf("numberFormat(%q, %d) = %q, want %q", c.currency, c.places, got, c.want)
		}
	}
}
