package invoice

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/seatledger/seatledger/internal/problems"
)

// parseJSON reads a JSON answer of Partner Center's line-item APIs: an object whose
// "items" (in any case) lists the line items — links, continuation tokens and
// attributes around it are not read — or a bare array of line items. The answer is
// read whole (within MaxBytes): a page holds at most a few thousand items.
func parseJSON(br *bufio.Reader, name string, probs *problems.Collector) ([]LineItem, error) {
	data, err := io.ReadAll(br)
	if err != nil {
		return nil, err
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	lines := lineCounter{data: data, line: 1}
	syntax := func(err error) {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			probs.Add(lines.at(int(se.Offset)), "", "not JSON: %v", err)
			return
		}
		probs.Add(lines.at(int(dec.InputOffset())), "", "not JSON: %v", err)
	}
	tok, err := dec.Token()
	if err != nil {
		syntax(err)
		return nil, nil
	}
	root := tok
	if tok == json.Delim('{') {
		found := false
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				syntax(err)
				return nil, nil
			}
			if s, _ := k.(string); key(s) == "items" {
				if tok, err = dec.Token(); err != nil {
					syntax(err)
					return nil, nil
				}
				found = true
				break
			}
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				syntax(err)
				return nil, nil
			}
		}
		if !found {
			probs.Add(0, "items", "the answer has no \"items\" list of line items")
			return nil, nil
		}
	}
	if tok != json.Delim('[') {
		probs.Add(lines.at(int(dec.InputOffset())), "items", "must be a list of line items")
		return nil, nil
	}
	var items []LineItem
	for i := 0; dec.More() && probs.Len() < maxProblems; i++ {
		line := lines.at(nextValue(data, int(dec.InputOffset())))
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) {
				probs.Add(line, fmt.Sprintf("items[%d]", i), "must be an object of field: value")
				return nil, nil
			}
			syntax(err)
			return nil, nil
		}
		where := fmt.Sprintf("items[%d]", i)
		lr := lineReader{probs: probs, line: line, where: where + ".", json: true, src: flatten(m)}
		if it, ok := lr.item(name + ":" + strconv.Itoa(line) + " (" + where + ")"); ok {
			items = append(items, it)
		}
	}
	if probs.Len() == 0 && !closed(dec, root) {
		probs.Add(lines.at(len(data)), "", "not JSON: the answer is cut short or broken after its items")
	}
	return items, nil
}

// closed reads the rest of an answer after its items — the list's end, the root
// object's other keys (links, attributes), its end — and tells whether the answer is
// whole: a file cut short after the items is not.
func closed(dec *json.Decoder, root json.Token) bool {
	if tok, err := dec.Token(); err != nil || tok != json.Delim(']') {
		return false
	}
	if root == json.Delim('{') {
		for dec.More() {
			var skip json.RawMessage
			if _, err := dec.Token(); err != nil {
				return false
			}
			if err := dec.Decode(&skip); err != nil {
				return false
			}
		}
		if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
			return false
		}
	}
	_, err := dec.Token()
	return errors.Is(err, io.EOF)
}

// nextValue is the offset of the next value after off, past blanks and a comma.
func nextValue(data []byte, off int) int {
	for off < len(data) {
		switch data[off] {
		case ' ', '\t', '\r', '\n', ',':
			off++
		default:
			return off
		}
	}
	return off
}

// lineCounter turns byte offsets, asked in increasing order, into line numbers.
type lineCounter struct {
	data []byte
	off  int
	line int
}

func (c *lineCounter) at(off int) int {
	off = min(off, len(c.data))
	if off < c.off {
		return c.line
	}
	c.line += bytes.Count(c.data[c.off:off], []byte("\n"))
	c.off = off
	return c.line
}

// parseJSONLines reads JSON lines: one line item per line, blank lines skipped, as
// Graph's billed reconciliation export writes its blobs.
func parseJSONLines(br *bufio.Reader, name string, probs *problems.Collector) ([]LineItem, error) {
	var items []LineItem
	for line := 1; probs.Len() < maxProblems; line++ {
		text, err := readLine(br)
		if errors.Is(err, io.EOF) && len(text) == 0 {
			break
		}
		if errors.Is(err, errLineTooLong) {
			probs.Add(line, "", "longer than %d KiB: not a line item", MaxLineBytes>>10)
			break
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
		text = bytes.TrimSpace(text)
		if line == 1 {
			text = bytes.TrimPrefix(text, []byte("\ufeff"))
		}
		if len(text) == 0 {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(text))
		dec.UseNumber()
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			probs.Add(line, "", "not a JSON object: %v", err)
			continue
		}
		if dec.More() {
			probs.Add(line, "", "more than one JSON value on the line")
			continue
		}
		lr := lineReader{probs: probs, line: line, json: true, src: flatten(m)}
		if it, ok := lr.item(name + ":" + strconv.Itoa(line)); ok {
			items = append(items, it)
		}
	}
	return items, nil
}

var errLineTooLong = errors.New("line too long")

// readLine reads one line without its end, at most MaxLineBytes long.
func readLine(br *bufio.Reader) ([]byte, error) {
	var out []byte
	for {
		chunk, err := br.ReadSlice('\n')
		out = append(out, chunk...)
		if len(out) > MaxLineBytes {
			return nil, errLineTooLong
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return out, err
	}
}
