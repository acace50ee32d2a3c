package export

import (
	"archive/zip"
	"compress/flate"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"github.com/seatledger/seatledger/internal/billing"
)

// Sheet names of an XLSX export.
const (
	LinesSheet  = "Lines"
	TotalsSheet = "Totals"
)

// maxRows is Excel's last row; the title and header take two.
const maxRows = 1_048_576

// xlsxLineHeaders are the columns of the Lines sheet, in order; the status is in
// the title row above them.
var xlsxLineHeaders = []string{
	"Customer", "External ref", "Tenant id", "SKU", "SKU id", "Description", "Kind", "Quantity", "Unit", "Unit price",
	"Amount", "Cost", "Margin", "Currency", "Period", "From", "To", "Run id", "Line id", "Contract line", "Contract ref",
	"Subscription id", "Partner Center subscription id",
}

var xlsxTotalHeaders = []string{"Customer", "External ref", "Tenant id", "Currency", "Lines", "Amount", "Cost", "Margin", "Lines without cost"}

// writeXLSX writes the Lines and Totals sheets through excelize's StreamWriter,
// which spills rows to a temporary file past 16 MiB, so that memory stays flat
// however many lines a run has.
func writeXLSX(w io.Writer, run Run) (err error) {
	if len(run.Lines) > maxRows-2 {
		return fmt.Errorf("%d lines do not fit a sheet of %d rows", len(run.Lines), maxRows)
	}
	f := excelize.NewFile()
	// Deflate at its fastest level: level 6, excelize's, spent a quarter of the
	// export's time compressing for a file a fifth smaller.
	f.ZipWriter = func(w io.Writer) excelize.ZipWriter {
		zw := zip.NewWriter(w)
		zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
			return flate.NewWriter(out, flate.BestSpeed)
		})
		return zw
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("removing the workbook's temporary files: %w", cerr)
		}
	}()
	if err := f.SetSheetName("Sheet1", LinesSheet); err != nil {
		return fmt.Errorf("naming the lines sheet: %w", err)
	}
	if _, err := f.NewSheet(TotalsSheet); err != nil {
		return fmt.Errorf("adding the totals sheet: %w", err)
	}
	st := &styles{f: f, ids: map[string]int{}, numbers: map[numberStyle]int{}}
	if err := writeLines(f, st, &run); err != nil {
		return fmt.Errorf("sheet %s: %w", LinesSheet, err)
	}
	if err := writeTotals(f, st, &run); err != nil {
		return fmt.Errorf("sheet %s: %w", TotalsSheet, err)
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("writing the workbook: %w", err)
	}
	return nil
}

// title is the first row of each sheet: the run and its status, DRAFT in capitals
// for a run not approved.
func title(run *Run) string {
	t := "Billing run " + run.Period.String()
	if run.RunID != "" {
		t += " (run " + run.RunID + ")"
	}
	if run.Draft() {
		return "DRAFT – " + t + ": not approved, not for invoicing"
	}
	return t + ", approved"
}

// startSheet opens a stream on a sheet and writes its title, the headers and the
// column widths, frozen above the data.
func startSheet(f *excelize.File, st *styles, sheet string, run *Run, headers []string, widths map[int]float64) (*excelize.StreamWriter, error) {
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return nil, err
	}
	for col, width := range widths {
		if err := sw.SetColWidth(col, col, width); err != nil {
			return nil, err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 2, TopLeftCell: "A3", ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	bold, err := st.bold(run.Draft())
	if err != nil {
		return nil, err
	}
	if err := sw.SetRow("A1", []any{excelize.Cell{StyleID: bold, Value: title(run)}}); err != nil {
		return nil, err
	}
	header, err := st.bold(false)
	if err != nil {
		return nil, err
	}
	row := make([]any, len(headers))
	for i, h := range headers {
		row[i] = excelize.Cell{StyleID: header, Value: h}
	}
	return sw, sw.SetRow("A2", row)
}

func writeLines(f *excelize.File, st *styles, run *Run) error {
	sw, err := startSheet(f, st, LinesSheet, run, xlsxLineHeaders, map[int]float64{1: 28, 6: 60, 8: 11, 10: 12, 11: 14, 12: 14, 13: 14, 16: 11, 17: 11})
	if err != nil {
		return err
	}
	dateStyle, err := st.id("yyyy-mm-dd")
	if err != nil {
		return err
	}
	row := make([]any, len(xlsxLineHeaders))
	for i := range run.Lines {
		l := &run.Lines[i]
		places, _ := billing.MinorUnit(l.Currency) // checked by Run.check
		x := lineView{run: run, profile: &Profile{}, index: i, line: l, customer: run.customer(l), places: places}
		quantity, err := st.number(l.Quantity, "", 0)
		if err != nil {
			return fmt.Errorf("line %d quantity: %w", i+1, err)
		}
		unitPrice, err := st.number(l.UnitPrice, l.Currency, places)
		if err != nil {
			return fmt.Errorf("line %d unit price: %w", i+1, err)
		}
		amount, err := st.number(l.Amount.Decimal, l.Currency, places)
		if err != nil {
			return fmt.Errorf("line %d amount: %w", i+1, err)
		}
		cost, margin := any(nil), any(nil)
		if l.Cost != nil {
			if cost, err = st.number(l.Cost.Decimal, l.Currency, places); err != nil {
				return fmt.Errorf("line %d cost: %w", i+1, err)
			}
		}
		if l.Margin != nil {
			if margin, err = st.number(l.Margin.Decimal, l.Currency, places); err != nil {
				return fmt.Errorf("line %d margin: %w", i+1, err)
			}
		}
		var contractLine any
		if l.Source.ContractLine != 0 {
			contractLine = l.Source.ContractLine
		}
		copy(row, []any{
			x.customer.Name, x.customer.ExternalRef, l.TenantID, l.PartNumber, l.SKUID, x.description(), l.Kind,
			quantity, l.Unit, unitPrice, amount, cost, margin, l.Currency, l.Period.String(),
			excelize.Cell{StyleID: dateStyle, Value: l.From}, excelize.Cell{StyleID: dateStyle, Value: l.To},
			run.RunID, x.lineID(), contractLine, l.Source.ContractRef, l.Source.SubscriptionID, l.Source.PartnerCenterID,
		})
		for j, v := range row {
			if s, ok := v.(string); ok && s == "" {
				row[j] = nil // no empty inline strings: an empty cell
			}
		}
		if err := sw.SetRow("A"+strconv.Itoa(i+3), row); err != nil {
			return fmt.Errorf("line %d: %w", i+1, err)
		}
	}
	return sw.Flush()
}

func writeTotals(f *excelize.File, st *styles, run *Run) error {
	sw, err := startSheet(f, st, TotalsSheet, run, xlsxTotalHeaders, map[int]float64{1: 28, 6: 14, 7: 14, 8: 14})
	if err != nil {
		return err
	}
	for i, t := range run.totals() {
		places, _ := billing.MinorUnit(t.Currency)
		c := run.Customers[t.TenantID]
		if c.Name == "" {
			c.Name = t.Customer
		}
		row := []any{c.Name, c.ExternalRef, t.TenantID, t.Currency, t.Lines}
		for _, m := range []billing.Money{t.Amount, t.Cost, t.Margin} {
			v, err := st.number(m.Decimal, t.Currency, places)
			if err != nil {
				return fmt.Errorf("%s %s: %w", t.Customer, t.Currency, err)
			}
			row = append(row, v)
		}
		row = append(row, t.CostUnknown)
		if c.ExternalRef == "" {
			row[1] = nil
		}
		if err := sw.SetRow("A"+strconv.Itoa(i+3), row); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// styles makes each cell style once: excelize adds a style per NewStyle call.
type styles struct {
	f   *excelize.File
	ids map[string]int
	// numbers are the number styles by currency and decimals shown.
	numbers map[numberStyle]int
}

type numberStyle struct {
	currency string
	places   int32
}

func (s *styles) id(numFmt string) (int, error) {
	if id, ok := s.ids[numFmt]; ok {
		return id, nil
	}
	id, err := s.f.NewStyle(&excelize.Style{CustomNumFmt: &numFmt})
	if err != nil {
		return 0, fmt.Errorf("number format %q: %w", numFmt, err)
	}
	s.ids[numFmt] = id
	return id, nil
}

func (s *styles) bold(red bool) (int, error) {
	key := "bold"
	font := &excelize.Font{Bold: true}
	if red {
		key, font.Color = "bold red", "C00000"
	}
	if id, ok := s.ids[key]; ok {
		return id, nil
	}
	id, err := s.f.NewStyle(&excelize.Style{Font: font})
	if err != nil {
		return 0, err
	}
	s.ids[key] = id
	return id, nil
}

// number is a numeric cell holding d exactly, shown with every decimal it has (at
// least minPlaces), in the currency's format when currency is set.
func (s *styles) number(d decimal.Decimal, currency string, minPlaces int32) (excelize.Cell, error) {
	v, err := exactFloat(d)
	if err != nil {
		return excelize.Cell{}, err
	}
	key := numberStyle{currency, max(minPlaces, places(d))}
	id, ok := s.numbers[key]
	if !ok {
		if id, err = s.id(numberFormat(key.currency, key.places)); err != nil {
			return excelize.Cell{}, err
		}
		s.numbers[key] = id
	}
	return excelize.Cell{StyleID: id, Value: v}, nil
}

// exactFloat is the float64 whose shortest decimal form is d's: excelize writes a
// float64 cell as strconv.FormatFloat(v, 'f', -1, 64), so the cell's <v> then
// holds d's digits exactly ("253.33", not 253.33000000000001). A float64 tells
// apart every decimal of up to 15 significant digits; a longer one is refused
// rather than silently changed.
func exactFloat(d decimal.Decimal) (float64, error) {
	v, err := strconv.ParseFloat(d.String(), 64)
	if err != nil {
		return 0, fmt.Errorf("%s as a number: %w", d, err)
	}
	back, err := decimal.NewFromString(strconv.FormatFloat(v, 'f', -1, 64))
	if err != nil || !back.Equal(d) {
		return 0, fmt.Errorf("%s has more digits than a spreadsheet number holds", d)
	}
	return v, nil
}

// currencyTags are Excel's currency tags for the currencies with a symbol of their
// own; others are tagged with their ISO code ([$CHF]), which Excel and LibreOffice
// show as it is.
var currencyTags = map[string]string{
	"EUR": "[$€-x-euro2] ",
	"GBP": "[$£-809]",
	"USD": "[$$-409]",
	"JPY": "[$¥-411]",
}

// numberFormat is a format with thousands separators and places decimals, in the
// currency's tag when currency is set: [$€-x-euro2] #,##0.00.
func numberFormat(currency string, places int32) string {
	f := "#,##0"
	if places > 0 {
		f += "." + strings.Repeat("0", int(places))
	}
	if currency == "" {
		return f
	}
	tag, ok := currencyTags[currency]
	if !ok {
		tag = "[$" + currency + "] "
	}
	return tag + f
}
