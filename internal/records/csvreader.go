package records

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"regexp"
	"strings"

	"github.com/seatledger/seatledger/internal/problems"
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

// Partner Center's own files end a header with a curly quote ("ERP Price“) and may put
// blanks after a closing quote; a strict CSV reader fails on both.
var (
	curlyQuote     = strings.NewReplacer("\u201c", `"`, "\u201d", `"`)
	blanksAfterEnd = regexp.MustCompile(`"[ \t]+([,;\t]|\r?$)`)
)

// UnquoteHeader is a header cell without the quotes and curly quotes around it.
func UnquoteHeader(cell string) string {
	return strings.Trim(curlyQuote.Replace(strings.TrimSpace(cell)), "\"'")
}

// OpenMicrosoftCSV reads the header of a CSV file as Partner Center writes it, mended
// as above, and returns the reader positioned at the first record (ReuseRecord set)
// with the header cells. A file without a header, or a header that is not CSV, is
// added to probs as a problem and gives a nil reader; only a failing read is an error.
func OpenMicrosoftCSV(r io.Reader, probs *problems.Collector) (*csv.Reader, []string, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, nil, err
	}
	if strings.TrimSpace(strings.TrimPrefix(head, "\ufeff")) == "" {
		probs.Add(0, "", "the file is empty")
		return nil, nil, nil
	}
	nl := head[len(strings.TrimRight(head, "\r\n")):]
	head = blanksAfterEnd.ReplaceAllString(curlyQuote.Replace(strings.TrimRight(head, "\r\n")), `"$1`) + nl
	cr := NewCSVReader(io.MultiReader(strings.NewReader(head), br))
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		AddCSVError(probs, err)
		return nil, nil, nil
	}
	return cr, header, nil
}
