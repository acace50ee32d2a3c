package pricing

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/seatledger/seatledger/internal/problems"
)

// workbook builds an XLSX in memory: each sheet's rows from its first row down, a
// nil row left empty.
func workbook(t *testing.T, sheets map[string][][]any, order ...string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, name := range order {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(name); err != nil {
			t.Fatal(err)
		}
		for r, row := range sheets[name] {
			if row == nil {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(1, r+1)
			if err := f.SetSheetRow(name, cell, &row); err != nil {
				t.Fatal(err)
			}
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func cells(s ...string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

var xlsxHeader = cells(strings.Split(strings.TrimSpace(header), ",")...)

// A typed workbook as Excel saves one: a title above the header, prices as numbers,
// dates as date cells and as serial numbers.
func TestParseXLSXTypedCells(t *testing.T) {
	julyFirst := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	row := func(product, term string, price, erp any, start, end any) []any {
		return []any{"E3", product, "0001", "E3", term, "Annual", "NL", "EUR", price, nil, nil, start, end, erp}
	}
	data := workbook(t, map[string][][]any{
		"Notes": {cells("This workbook lists prices.")},
		"Prices": {
			cells("Microsoft New Commerce license-based price list, July 2026"),
			nil,
			xlsxHeader,
			row("CFQ7TTC0LFLX", "P1Y", 18.6432, 20.5, julyFirst, nil),
			row("CFQ7TTC0LH18", "P1Y", 1234.5678, nil, 46204, time.Date(2026, 12, 31, 23, 59, 59, 0, time.UTC)),
			row("CFQ7TTC0LH16", "P3Y", "431.28", "478.80", "2/1/2023 0:00", "12/31/9999 11:59:59 PM"),
			nil,
			row("CFQ7TTC0LCHC", "P1M", 7.2, nil, "46204.5", nil),
		},
	}, "Notes", "Prices")
	l, err := ParseXLSX(bytes.NewReader(data), "july.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range l.Prices() {
		to, erp := "open", ""
		if p.To != nil {
			to = p.To.Format(time.DateOnly)
		}
		if p.ERPPrice != nil {
			erp = p.ERPPrice.String()
		}
		got = append(got, fmt.Sprintf("%s %s %s %s %s..%s %s", p.ProductID, p.TermDuration, p.UnitPrice, erp, p.From.Format(time.DateOnly), to, p.Source))
	}
	want := []string{
		"CFQ7TTC0LCHC P1M 7.2  2026-07-01..open july.xlsx:8",
		"CFQ7TTC0LFLX P1Y 18.6432 20.5 2026-07-01..open july.xlsx:4",
		"CFQ7TTC0LH16 P3Y 431.28 478.8 2023-02-01..open july.xlsx:6",
		"CFQ7TTC0LH18 P1Y 1234.5678  2026-07-01..2026-12-31 july.xlsx:5",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("prices:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Exact, not merely equal when printed: the coefficient and exponent as typed.
	for _, p := range l.Prices() {
		if p.ProductID == "CFQ7TTC0LFLX" && (p.UnitPrice.Coefficient().Int64() != 186432 || p.UnitPrice.Exponent() != -4) {
			t.Errorf("18.6432 read as %s × 10^%d", p.UnitPrice.Coefficient(), p.UnitPrice.Exponent())
		}
	}
}

// A computed price stored with a binary float's 17 digits reads as the 15 digits
// Excel means, not as the float's tail.
func TestParseXLSXFloatDigits(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetRow("Sheet1", "A1", &xlsxHeader); err != nil {
		t.Fatal(err)
	}
	r := cells("E3", "CFQ7TTC0LFLX", "0001", "E3", "P1Y", "Annual", "NL", "EUR", "", "", "", "2023-02-01", "", "")
	if err := f.SetSheetRow("Sheet1", "A2", &r); err != nil {
		t.Fatal(err)
	}
	// 18.6432 with 20 decimals is 18.64320000000000021600 as a float64 stores it.
	if err := f.SetCellFloat("Sheet1", "I2", 18.6432, 20, 64); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellFloat("Sheet1", "N2", 1234.5678, 17, 64); err != nil {
		t.Fatal(err)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	l, err := ParseXLSX(buf, "f.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	p := l.Price(0)
	if p.UnitPrice.String() != "18.6432" || p.ERPPrice == nil || p.ERPPrice.String() != "1234.5678" {
		t.Errorf("unit %s, erp %v", p.UnitPrice, p.ERPPrice)
	}
}

// The same rows as CSV and as XLSX give the same prices, line for line.
func TestParseXLSXSameAsCSV(t *testing.T) {
	sample, err := os.ReadFile("../../../shared/data/partner-center-samples/pc-pricesheet-nce.csv")
	if err != nil {
		t.Fatal(err)
	}
	own := header + "E3,CFQ7TTC0LFLX,0001,E3,P1Y,Annual,NL,EUR,400,,,2/1/2019 12:00:00 AM,,\n" +
		"E3,CFQ7TTC0LFLX,0001,E3,P1Y,Annual,NL,EUR,431.28,1,2400,2/1/2023 0:00,12/31/9999 0:00,478.80\n" +
		"E3,CFQ7TTC0LFLX,0001,E3,P1Y,Annual,NL,EUR,425,,,4/1/2023 0:00,,\n" +
		"E3,CFQ7TTC0LFLX,0001,E3,P1M,Monthly,GB,GBP,40.123456,,,2023-02-01,2023-12-31,\n"
	for name, in := range map[string]string{"sample": string(sample), "own": own} {
		t.Run(name, func(t *testing.T) {
			fromCSV, err := ParseCSV(strings.NewReader(in), "list")
			if err != nil {
				t.Fatal(err)
			}
			cr := csv.NewReader(strings.NewReader(strings.ReplaceAll(in, "\u201c", `"`)))
			cr.LazyQuotes = true
			recs, err := cr.ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			rows := make([][]any, len(recs))
			for i, rec := range recs {
				rows[i] = cells(rec...)
			}
			fromXLSX, err := ParseXLSX(bytes.NewReader(workbook(t, map[string][][]any{"Sheet1": rows}, "Sheet1")), "list")
			if err != nil {
				t.Fatal(err)
			}
			if got, want := fmt.Sprintf("%+v", fromXLSX.Prices()), fmt.Sprintf("%+v", fromCSV.Prices()); got != want || fromXLSX.Overridden != fromCSV.Overridden {
				t.Errorf("from XLSX:\n%s\nfrom CSV:\n%s", got, want)
			}
		})
	}
}

func TestParseXLSXProblems(t *testing.T) {
	ok := []any{"E3", "CFQ7TTC0LFLX", "0001", "E3", "P1Y", "Annual", "NL", "EUR", 431.28, nil, nil, "2023-02-01", nil, nil}
	broken := []any{"E3", "CFQ7TTC0LFLX", "0001", "E3", "P2Y", "Annual", "NL", "EUR", "72 EUR", nil, nil, "someday", nil, nil}
	for _, c := range []struct {
		name  string
		data  []byte
		wants []string
	}{
		{
			name:  "broken row names its spreadsheet row",
			data:  workbook(t, map[string][][]any{"P": {cells("Price list"), xlsxHeader, ok, nil, broken}}, "P"),
			wants: []string{`b.xlsx:5: TermDuration: "P2Y" is not a known term`, `b.xlsx:5: UnitPrice: "72 EUR" is not a plain number`, `b.xlsx:5: EffectiveStartDate: "someday" is not a date`},
		},
		{
			name: "missing column named at the header's row",
			data: workbook(t, map[string][][]any{"P": {nil, cells("ProductId", "SkuId", "TermDuration")}}, "P"),
			wants: []string{"b.xlsx:2: BillingPlan: column missing", "b.xlsx:2: Market: column missing", "b.xlsx:2: Currency: column missing",
				"b.xlsx:2: UnitPrice: column missing", "b.xlsx:2: EffectiveStartDate: column missing"},
		},
		{
			name:  "no header",
			data:  workbook(t, map[string][][]any{"P": {cells("nothing", "here")}}, "P"),
			wants: []string{"b.xlsx: no sheet has a header row naming ProductId and SkuId"},
		},
		{
			name:  "header and no prices",
			data:  workbook(t, map[string][][]any{"P": {xlsxHeader}}, "P"),
			wants: []string{"b.xlsx: no prices in the file"},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(bytes.NewReader(c.data), "b.xlsx")
			var list problems.List
			if !errors.As(err, &list) || len(list) != len(c.wants) {
				t.Fatalf("err = %v, want %d problems", err, len(c.wants))
			}
			for i, want := range c.wants {
				if !strings.HasPrefix(list[i].String(), want) {
					t.Errorf("problem %d = %q, want %q...", i, list[i], want)
				}
			}
		})
	}
}

// The content decides, not the name.
func TestParseTellsFormats(t *testing.T) {
	data := workbook(t, map[string][][]any{"P": {xlsxHeader, {"E3", "CFQ7TTC0LFLX", "0001", "E3", "P1Y", "Annual", "NL", "EUR", 431.28, nil, nil, "2023-02-01"}}}, "P")
	if l, err := Parse(bytes.NewReader(data), "named.csv"); err != nil || l.Len() != 1 {
		t.Errorf("XLSX named .csv: %d prices, %v", l.Len(), err)
	}
	in := header + "E3,CFQ7TTC0LFLX,0001,E3,P1Y,Annual,NL,EUR,431.28,,,2/1/2023 0:00,,\n"
	if l, err := Parse(strings.NewReader(in), "named.xlsx"); err != nil || l.Len() != 1 {
		t.Errorf("CSV named .xlsx: %d prices, %v", l.Len(), err)
	}
	var zipped bytes.Buffer
	zw := zip.NewWriter(&zipped)
	w, _ := zw.Create("prices.csv")
	_, _ = w.Write([]byte(in))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"a zip that is no workbook", zipped.Bytes(), "z: not a readable XLSX workbook"},
		{"a PDF", []byte("%PDF-1.7\n\x00\x01\x02binary"), "z: neither a CSV nor an XLSX price list"},
		{"an .xls", []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00"), "z: an Excel 97-2003 workbook"},
	} {
		if _, err := Parse(bytes.NewReader(c.data), "z"); err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q...", c.name, err, c.want)
		}
	}
}

func TestSerialDate(t *testing.T) {
	for _, c := range []struct {
		in       string
		date1904 bool
		want     string // "" for not a serial date
	}{
		{"45292", false, "2024-01-01"},
		{"45292.0", false, "2024-01-01"},
		{"45292.5", false, "2024-01-01T12:00:00"},
		// 23:59:59 as Excel stores it, one float digit short of the second.
		{"45292.999988425923", false, "2024-01-01T23:59:59"},
		{"61", false, "1900-03-01"},
		{"59", false, "1900-02-28"},
		{"60", false, ""},
		{"1", false, "1900-01-01"},
		{"2958465", false, "9999-12-31"},
		{"2958466", false, ""},
		{"0", true, "1904-01-01"},
		{"43830", true, "2024-01-01"},
		{"2/1/2023 0:00", false, ""},
		{"-1", false, ""},
	} {
		got, ok := cellReader{date1904: c.date1904}.serialDate(c.in)
		if !ok {
			got = ""
		}
		if got != c.want {
			t.Errorf("serialDate(%q, 1904 %v) = %q, want %q", c.in, c.date1904, got, c.want)
		}
	}
}
