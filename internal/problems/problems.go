// Package problems collects what is wrong with an input file, so that an import can
// report every problem at once, each as FILE:LINE: field: problem, and write nothing.
package problems

import (
	"fmt"
	"sort"
	"strings"
)

// Problem is one thing wrong with one place in an input file. Line is 1-based; 0
// means the problem concerns the whole file.
type Problem struct {
	File    string
	Line    int
	Field   string
	Message string
}

func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	b.WriteString(": ")
	if p.Field != "" {
		b.WriteString(p.Field)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// List is the error an import returns when its input is not acceptable.
type List []Problem

func (l List) Error() string {
	lines := make([]string, len(l))
	for i, p := range l {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Collector gathers problems for one file.
type Collector struct {
	File string
	list List
}

func (c *Collector) Add(line int, field, format string, args ...any) {
	c.list = append(c.list, Problem{File: c.File, Line: line, Field: field, Message: fmt.Sprintf(format, args...)})
}

func (c *Collector) Len() int { return len(c.list) }

// Err returns the problems in line order, or nil when there are none.
func (c *Collector) Err() error {
	if len(c.list) == 0 {
		return nil
	}
	out := append(List(nil), c.list...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Line < out[j].Line })
	return out
}
