package pricing

import (
	"fmt"
	"io"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"github.com/seatledger/seatledger/internal/problems"
)

// headerSearchRows is how far down a sheet the header row is looked for: Microsoft
// may put a title and a blank row or two above it.
const headerSearchRows = 50

// ParseXLSX reads a New Commerce licence-based price list from an XLSX workbook: the
// first sheet with a row whose cells include ProductId and SkuId, that row being the
// header. Rows are streamed, not loaded whole. Problems name the spreadsheet's row
// number as the line, as ParseCSV names the line.
//
// Cells are read as stored, never through a float: a price cell gives the digits
// Excel wrote, and a date cell, or a number in a date column, is an Excel serial date
// converted exactly (1900 or 1904 date system, as the workbook says).
func ParseXLSX(r io.Reader, name string) (List, error) {
	probs := &problems.Collector{File: name}
	// A workbook's parts are zip-compressed: bound what they may unpack to, so that a
	// small hostile file cannot fill the disk with temporary files.
	f, err := excelize.OpenReader(r, excelize.Options{UnzipSizeLimit: 1 << 30})
	if err != nil {
		probs.Add(0, "", "not a readable XLSX workbook: %v", err)
		return List{}, probs.Err()
	}
	defer f.Close()
	props, err := f.GetWorkbookProps()
	if err != nil {
		return List{}, fmt.Errorf("read price list %s: %w", name, err)
	}
	cells := cellReader{date1904: props.Date1904 != nil && *props.Date1904}
	b := newBuilder(name, probs)
	found := false
	for _, sheet := range f.GetSheetList() {
		if found, err = readSheet(f, sheet, b, cells); err != nil {
			return List{}, fmt.Errorf("read price list %s, sheet %s: %w", name, sheet, err)
		}
		if found {
			break
		}
	}
	if !found {
		probs.Add(0, "", "no sheet has a header row naming ProductId and SkuId")
		return List{}, probs.Err()
	}
	return b.finish()
}

// readSheet feeds the rows under the sheet's header to b; found is false when the
// sheet has no header row.
func readSheet(f *excelize.File, sheet string, b *builder, cells cellReader) (found bool, err error) {
	rows, err := f.Rows(sheet)
	if err != nil {
		return false, err
	}
	defer func() {
		if cerr := rows.Close(); err == nil {
			err = cerr
		}
	}()
	// Next steps one spreadsheet row at a time, empty rows too, so the count is the
	// row number.
	for line := 1; rows.Next(); line++ {
		rec, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return found, err
		}
		if !found {
			if line > headerSearchRows {
				return false, nil
			}
			col := headerColumns(rec)
			_, product := col[colProductID]
			_, sku := col[colSKUID]
			if product && sku {
				found = true
				if !b.header(rec, line) {
					return true, nil
				}
			}
			continue
		}
		if blank(rec) {
			continue
		}
		cells.normalise(rec, b.col)
		b.row(rec, line)
		if b.enough() {
			break
		}
	}
	return found, rows.Error()
}

func blank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// cellReader turns the stored text of typed cells into what the row parser reads
// from a CSV.
type cellReader struct {
	date1904 bool
}

func (c cellReader) normalise(rec []string, col map[string]int) {
	for _, key := range []string{colUnitPrice, colERP, colTierMin, colTierMax} {
		if i, ok := col[key]; ok && i < len(rec) {
			rec[i] = excelNumber(rec[i])
		}
	}
	for _, key := range []string{colStart, colEnd} {
		if i, ok := col[key]; ok && i < len(rec) {
			if d, ok := c.serialDate(rec[i]); ok {
				rec[i] = d
			}
		}
	}
}

var (
	plainDecimal = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)
	serial       = regexp.MustCompile(`^([0-9]+)(\.[0-9]+)?$`)
)

// excelNumber is a number cell's stored text as a plain decimal. Excel stores what was
// typed (18.6432) as is, which is passed on untouched; a value it computed may be
// stored with the 17 digits of a binary float (18.643199999999997) or with an exponent
// (1E-3), and Excel itself shows and means such a value to 15 significant digits, so
// it is read as those. Text that is not a number is passed on for the row parser to
// refuse.
func excelNumber(s string) string {
	t := strings.TrimSpace(s)
	if plainDecimal.MatchString(t) && significantDigits(t) <= 15 {
		return t
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || strings.ContainsAny(t, "xXpP_") {
		return s
	}
	d, err := decimal.NewFromString(strconv.FormatFloat(v, 'g', 15, 64))
	if err != nil {
		return s
	}
	return d.String()
}

func significantDigits(s string) int {
	s = strings.TrimLeft(strings.ReplaceAll(strings.TrimPrefix(s, "-"), ".", ""), "0")
	return len(s)
}

// serialDate turns an Excel serial date (days since the epoch of the workbook's date
// system, the fraction being the time of day) into the ISO 8601 text ParseDate reads:
// a whole number is a day without a time, as a date typed into a cell is; a fraction is
// rounded to the second. Arithmetic is decimal, so 45292.999988425925926 is 23:59:59,
// not a float's 23:59:58.
func (c cellReader) serialDate(s string) (string, bool) {
	m := serial.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return "", false
	}
	n, err := strconv.Atoi(m[1])
	if err != nil || n > 2958465 { // 9999-12-31, Excel's last day
		return "", false
	}
	var base time.Time
	switch {
	case c.date1904:
		base = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
	case n == 60:
		// 29 February 1900, a day Excel counts and the calendar does not.
		return "", false
	case n < 60:
		base = time.Date(1899, 12, 31, 0, 0, 0, 0, time.UTC)
	default:
		// Excel counts 1900 as a leap year: from March 1900 on, day 1 is one day earlier.
		base = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	}
	t := base.AddDate(0, 0, n)
	if m[2] == "" || strings.Trim(m[2], ".0") == "" {
		return t.Format(time.DateOnly), true
	}
	frac, ok := new(big.Rat).SetString("0" + m[2])
	if !ok {
		return "", false
	}
	secs := new(big.Rat).Mul(frac, big.NewRat(86400, 1))
	whole := new(big.Int).Quo(secs.Num(), secs.Denom())
	// Round half up to the second.
	if new(big.Rat).Sub(secs, new(big.Rat).SetInt(whole)).Cmp(big.NewRat(1, 2)) >= 0 {
		whole.Add(whole, big.NewInt(1))
	}
	return t.Add(time.Duration(whole.Int64()) * time.Second).Format("2006-01-02T15:04:05"), true
}
