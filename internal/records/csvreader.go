package records

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"io"
)

// NewCSVReader reads a CSV file as spreadsheets save it: a byte-order mark is dropped
// (so that it never shows up in a header or a message), and the delimiter is the one
// the header line uses, as Excel in Dutch, German or Italian saves with semicolons.
func NewCSVReader(r io.Reader) *csv.Reader {
	br := bufio.NewReaderSize(r, 64<<10)
	if bom, err := br.Peek(3); err == nil && string(bom) == "\ufeff" {
		_, _ = br.Discard(3)
	}
	head, _ := br.Peek(br.Size())
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	cr := csv.NewReader(br)
	cr.Comma = Delimiter(head)
	cr.FieldsPerRecord = -1
	return cr
}

// Delimiter is the comma, semicolon or tab that a header line separates its columns
// with: the one found most often outside quotes, a comma when none is.
func Delimiter(header []byte) rune {
	counts := map[byte]int{}
	quoted := false
	for _, c := range header {
		switch {
		case c == '"':
			quoted = !quoted
		case !quoted && (c == ',' || c == ';' || c == '\t'):
			counts[c]++
		}
	}
	best := byte(',')
	for _, c := range []byte{';', '\t'} {
		if counts[c] > counts[best] {
			best = c
		}
	}
	return rune(best)
}
