// Package csvout writes the CSV files seatledger exports for people to open in a
// spreadsheet. Cells carry outside values (user and customer names, UPNs) that a
// spreadsheet would run as formulas, so every cell goes through Cell.
package csvout

import (
	"encoding/csv"
	"io"
	"regexp"
)

// Writer is a csv.Writer whose cells cannot be formulas.
type Writer struct{ w *csv.Writer }

func NewWriter(w io.Writer) *Writer { return &Writer{w: csv.NewWriter(w)} }

// Write writes one row, each cell through Cell.
func (w *Writer) Write(cells ...string) error {
	row := make([]string, len(cells))
	for i, c := range cells {
		row[i] = Cell(c)
	}
	return w.w.Write(row)
}

// Flush writes what is buffered and returns the first error of any write.
func (w *Writer) Flush() error {
	w.w.Flush()
	return w.w.Error()
}

// number is a plain decimal: what seatledger writes for amounts and counts.
var number = regexp.MustCompile(`^[+-]?[0-9]+(\.[0-9]+)?$`)

// Cell makes a text cell that a spreadsheet would read as a formula (it starts with
// =, +, -, @, TAB or CR) plain text, by a leading apostrophe, the mark Excel and
// LibreOffice use for "text as typed". A cell that is a plain decimal number, such as
// the negative amount -3.50, is a number and stays as it is.
func Cell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		if !number.MatchString(s) {
			return "'" + s
		}
	}
	return s
}
