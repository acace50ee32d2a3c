package invoice

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/seatledger/seatledger/internal/problems"
	"github.com/seatledger/seatledger/internal/records"
)

// MaxBytes bounds what one invoice file may hold once uncompressed. A month of a
// large partner is some hundred thousand lines of about 1 KB; the bound keeps a
// mistaken input (/dev/zero, a gzip bomb) from exhausting memory.
const MaxBytes = 2 << 30

// MaxLineBytes bounds one line of a JSON-lines file; a line item is about 2 KB.
const MaxLineBytes = 1 << 20

// maxProblems stops a read early: a file with a broken column breaks on every line,
// and a few lines say enough.
const maxProblems = 20

// nonScalar stands for a JSON list or object where a value was expected.
const nonScalar = "\x00"

var errTooLarge = fmt.Errorf("larger than the %d MiB allowed", MaxBytes>>20)

// ParseFile reads an invoice file (see Parse). Anything but a regular file is refused.
func ParseFile(path string) ([]LineItem, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open invoice: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("open invoice: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, problems.List{{File: path, Message: "not a regular file: name a file, not a device, pipe or folder"}}
	}
	return Parse(f, path)
}

// Parse reads Microsoft's reconciliation line items from r, whose shape it finds
// itself: gzip'd or not; a JSON answer of Partner Center's line-item APIs (an object
// with "items", or an array of line items); JSON lines (one line item per line, as
// Graph's export blobs hold); or CSV with a header row. Any broken line stops the
// read: every problem is returned as a problems.List naming file, line and field
// (for a JSON answer, also the item's index), and no line item is returned. A file
// with no line items is not a problem: an unbilled period may have none.
func Parse(r io.Reader, name string) ([]LineItem, error) {
	br := bufio.NewReaderSize(&limited{r: r, left: MaxBytes}, 64<<10)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, problems.List{{File: name, Message: fmt.Sprintf("not a gzip file: %v", err)}}
		}
		defer gz.Close()
		br = bufio.NewReaderSize(&limited{r: gz, left: MaxBytes}, 64<<10)
	}
	probs := &problems.Collector{File: name}
	var items []LineItem
	var err error
	switch shape(br) {
	case shapeJSON:
		items, err = parseJSON(br, name, probs)
	case shapeJSONLines:
		items, err = parseJSONLines(br, name, probs)
	default:
		items, err = parseCSV(br, name, probs)
	}
	if errors.Is(err, errTooLarge) {
		probs.Add(0, "size", "%v", errTooLarge)
		err = nil
	}
	if err != nil {
		return nil, fmt.Errorf("read invoice %s: %w", name, err)
	}
	if err := probs.Err(); err != nil {
		return nil, err
	}
	if items == nil {
		items = []LineItem{}
	}
	return items, nil
}

// limited reads at most left bytes and fails past them, where io.LimitReader would
// end quietly and cut the file short.
type limited struct {
	r    io.Reader
	left int64
}

func (l *limited) Read(p []byte) (int, error) {
	if l.left <= 0 {
		var one [1]byte
		if n, err := l.r.Read(one[:]); n > 0 {
			return 0, errTooLarge
		} else if err != nil {
			return 0, err
		}
		return 0, io.EOF
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

const (
	shapeCSV = iota
	shapeJSON
	shapeJSONLines
)

// shape tells a file's shape from its start. JSON lines and a JSON answer both open
// with "{": a first line that is a whole object without "items" is a line item.
func shape(br *bufio.Reader) int {
	head, _ := br.Peek(br.Size())
	head = bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\ufeff")), " \t\r\n")
	if len(head) == 0 {
		return shapeCSV
	}
	switch head[0] {
	case '[':
		return shapeJSON
	case '{':
		first, _, found := bytes.Cut(head, []byte("\n"))
		var obj map[string]json.RawMessage
		if !found || json.Unmarshal(first, &obj) != nil {
			return shapeJSON
		}
		for k := range obj {
			if key(k) == "items" {
				return shapeJSON
			}
		}
		return shapeJSONLines
	}
	return shapeCSV
}

// csvRow is one CSV record, read by folded header name.
type csvRow struct {
	col map[string]int
	rec []string
}

func (c csvRow) value(k string) (string, bool) {
	if i, ok := c.col[k]; ok && i < len(c.rec) {
		return c.rec[i], true
	}
	return "", false
}

func parseCSV(br *bufio.Reader, name string, probs *problems.Collector) ([]LineItem, error) {
	cr, header, err := records.OpenMicrosoftCSV(br, probs)
	if cr == nil || err != nil {
		return nil, err
	}
	col := map[string]int{}
	for i, h := range header {
		col[key(records.UnquoteHeader(h))] = i
	}
	for _, f := range requiredFields {
		if _, ok := col[key(f)]; ok {
			continue
		}
		found := false
		for _, a := range aliases[f] {
			_, ok := col[key(a)]
			found = found || ok
		}
		if !found {
			probs.Add(1, f, "column missing from the header")
		}
	}
	if probs.Len() > 0 {
		return nil, nil
	}
	var items []LineItem
	for probs.Len() < maxProblems {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if errors.Is(err, errTooLarge) {
				return nil, err
			}
			records.AddCSVError(probs, err)
			break
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rec) != len(header) {
			probs.Add(line, "", "%d fields, the header has %d", len(rec), len(header))
			continue
		}
		lr := lineReader{probs: probs, line: line, decimalComma: cr.Comma == ';', src: csvRow{col, rec}}
		if it, ok := lr.item(name + ":" + strconv.Itoa(line)); ok {
			items = append(items, it)
		}
	}
	return items, nil
}

// jsonItem is one JSON line item, its scalar values by folded key.
type jsonItem map[string]string

func (j jsonItem) value(k string) (string, bool) { v, ok := j[k]; return v, ok }

// flatten keeps a JSON object's values as text: strings as written, numbers as their
// digits (never through a float), null as absent; lists and objects are marked so
// that a field that should be a value and is not can be named.
func flatten(m map[string]any) jsonItem {
	out := make(jsonItem, len(m))
	for k, v := range m {
		switch v := v.(type) {
		case string:
			out[key(k)] = v
		case json.Number:
			s := string(v)
			if strings.ContainsAny(s, "eE") {
				// 1E-05 and the like: decimal reads exponents exactly.
				if d, err := decimal.NewFromString(s); err == nil {
					s = d.String()
				}
			}
			out[key(k)] = s
		case bool:
			out[key(k)] = strconv.FormatBool(v)
		case nil:
		default:
			out[key(k)] = nonScalar
		}
	}
	return out
}
