package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/seatledger/seatledger/internal/textclean"
)

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// table writes aligned columns for people reading a terminal.
type table struct{ tw *tabwriter.Writer }

func newTable(w io.Writer, header ...string) *table {
	t := &table{tw: tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)}
	t.row(header...)
	return t
}

// row writes one line; empty cells at its end are left out, as the padding of the
// cells before them would end the line with spaces. Cells hold outside values, so
// each is cleaned of control characters (a TAB would also split the cell).
func (t *table) row(cells ...string) {
	for len(cells) > 1 && cells[len(cells)-1] == "" {
		cells = cells[:len(cells)-1]
	}
	clean := make([]string, len(cells))
	for i, c := range cells {
		clean[i] = textclean.Line(c)
	}
	fmt.Fprintln(t.tw, strings.Join(clean, "\t"))
}

func (t *table) flush() error { return t.tw.Flush() }

// textf is fmt.Fprintf for lines that show outside values (names, notes, errors):
// string and error arguments are cleaned of control characters and bidirectional
// overrides first, so that a display name cannot clear the screen.
func textf(w io.Writer, format string, args ...any) {
	for i, a := range args {
		switch v := a.(type) {
		case string:
			args[i] = textclean.Line(v)
		case error:
			args[i] = textclean.Line(v.Error())
		}
	}
	fmt.Fprintf(w, format, args...)
}
