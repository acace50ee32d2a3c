// Package records reads flat input files — a CSV with a header, or a YAML list of
// mappings under one top-level key — into records that remember the line of every
// value, so that validation can name FILE:LINE: field: problem for each one.
package records

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/seatledger/seatledger/internal/problems"
)

// Record is one row of a CSV or one mapping of a YAML list.
type Record struct {
	Line   int
	Values map[string]string
	// DecimalComma is set for a semicolon-separated file, as Excel saves in
	// languages that write 21,63 for 21.63.
	DecimalComma bool
	lines        map[string]int
}

// LineOf is the line a field was written on, or the record's line.
func (r Record) LineOf(field string) int {
	if l, ok := r.lines[field]; ok {
		return l
	}
	return r.Line
}

// Format names the fields a file may hold, the ones it must, and the YAML list key.
// Values are at most MaxNameLength characters, those of the Text fields
// MaxTextLength.
type Format struct {
	Fields   []string
	Required []string
	YAMLKey  string
	Text     []string
}

// checkLength keeps a value within its field's limit.
func (f Format) checkLength(probs *problems.Collector, line int, field, value string) bool {
	max := MaxNameLength
	if slices.Contains(f.Text, field) {
		max = MaxTextLength
	}
	return CheckLength(probs, line, field, value, max)
}

// ReadFile reads path as CSV or YAML by its extension. Problems of shape (unknown or
// missing columns, broken quoting, a YAML syntax error) go to probs.
func (f Format) ReadFile(path string, probs *problems.Collector) ([]Record, error) {
	data, err := ReadFile(path, MaxFileBytes)
	if err != nil {
		return nil, err
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return f.CSV(bytes.NewReader(data), probs), nil
	case ".yaml", ".yml":
		return f.YAML(data, probs), nil
	}
	probs.Add(0, "", "unknown file type: name it .csv, .yaml or .yml")
	return nil, nil
}

// HeaderKey normalises a CSV header: a byte-order mark, spaces and case do not matter.
func HeaderKey(h string) string {
	return strings.ToLower(strings.ReplaceAll(strings.TrimFunc(strings.TrimPrefix(h, "\ufeff"), unicode.IsSpace), " ", "_"))
}

// CSV reads records from a CSV with a header row; blank lines are skipped.
func (f Format) CSV(r io.Reader, probs *problems.Collector) []Record {
	cr := NewCSVReader(r)
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		probs.Add(0, "", "the file is empty")
		return nil
	}
	if err != nil {
		AddCSVError(probs, err)
		return nil
	}
	cols := map[string]int{}
	for i, h := range header {
		key := HeaderKey(h)
		if !slices.Contains(f.Fields, key) {
			probs.Add(1, h, "unknown column (known: %s)", strings.Join(f.Fields, ", "))
			continue
		}
		if _, dup := cols[key]; dup {
			probs.Add(1, h, "column appears twice")
		}
		cols[key] = i
	}
	for _, req := range f.Required {
		if _, ok := cols[req]; !ok {
			probs.Add(1, req, "column missing from the header")
		}
	}
	if probs.Len() > 0 {
		return nil
	}
	var out []Record
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			AddCSVError(probs, err)
			return nil
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rec) != len(header) {
			probs.Add(line, "", "%d fields, the header has %d", len(rec), len(header))
			continue
		}
		// A row with a value too long is reported for that alone, not also for
		// what its other values lack.
		row, fits := Record{Line: line, Values: map[string]string{}, DecimalComma: cr.Comma == ';'}, true
		for name, i := range cols {
			row.Values[name] = strings.TrimSpace(rec[i])
			if !utf8.ValidString(row.Values[name]) {
				probs.Add(line, name, "not UTF-8 text: save the file as \"CSV UTF-8\" (in Excel: Save As, CSV UTF-8)")
				fits = false
				continue
			}
			fits = f.checkLength(probs, line, name, row.Values[name]) && fits
		}
		if fits {
			out = append(out, row)
		}
	}
}

// YAML reads records from a top-level list of mappings under f.YAMLKey. Values must
// be scalars.
func (f Format) YAML(data []byte, probs *problems.Collector) []Record {
	list := ListNode(data, f.YAMLKey, probs)
	if list == nil {
		return nil
	}
	var out []Record
	for _, item := range list.Content {
		if item.Kind != yaml.MappingNode {
			probs.Add(item.Line, "", "each entry must be a mapping of field: value")
			continue
		}
		row, fits := Record{Line: item.Line, Values: map[string]string{}, lines: map[string]int{}}, true
		for i := 0; i+1 < len(item.Content); i += 2 {
			k, v := item.Content[i], item.Content[i+1]
			if !slices.Contains(f.Fields, k.Value) {
				probs.Add(k.Line, k.Value, "unknown field (known: %s)", strings.Join(f.Fields, ", "))
				continue
			}
			row.lines[k.Value] = v.Line
			if v.Kind != yaml.ScalarNode {
				probs.Add(v.Line, k.Value, "must be a single value")
				continue
			}
			row.Values[k.Value] = strings.TrimSpace(v.Value)
			fits = f.checkLength(probs, v.Line, k.Value, row.Values[k.Value]) && fits
		}
		if fits {
			out = append(out, row)
		}
	}
	return out
}

// ListNode parses YAML and returns the list under the top-level key, or nil after
// adding the problem to probs.
func ListNode(data []byte, key string, probs *problems.Collector) *yaml.Node {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		probs.Add(yamlErrorLine(err), "", "%v", err)
		return nil
	}
	if len(doc.Content) == 0 {
		probs.Add(0, "", "the file is empty")
		return nil
	}
	root := doc.Content[0]
	list := mappingValue(root, key)
	if root.Kind != yaml.MappingNode || list == nil || list.Kind != yaml.SequenceNode {
		probs.Add(root.Line, key, "the file must have a top-level %q list", key+":")
		return nil
	}
	return list
}

func mappingValue(m *yaml.Node, key string) *yaml.Node {
	if m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

var yamlLine = regexp.MustCompile(`line (\d+)`)

func yamlErrorLine(err error) int {
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		var n int
		fmt.Sscan(m[1], &n)
		return n
	}
	return 0
}

// AddCSVError records a CSV reader error at its line and column.
func AddCSVError(probs *problems.Collector, err error) {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		probs.Add(pe.Line, fmt.Sprintf("column %d", pe.Column), "%v", pe.Err)
		return
	}
	probs.Add(0, "", "%v", err)
}
