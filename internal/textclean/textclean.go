// Package textclean makes strings that come from outside — Graph, imported files —
// safe to store and to show. Stored is applied once, where such strings enter;
// Line and Text where they are written for people to read.
package textclean

import (
	"strings"
	"unicode/utf8"
)

// Stored is how an outside string is kept, the same on every database: PostgreSQL
// refuses NUL and invalid UTF-8 in text, SQLite keeps them, so both are dropped
// here, with the other C0 and C1 control characters and DEL. TAB, LF and CR stay:
// free text may carry them and they harm nothing stored. Everything else, bidi
// marks included, is kept as written; Line and Text deal with it on display.
func Stored(s string) string {
	if isClean(s, keepStored) {
		return s
	}
	return clean(s, keepStored, "")
}

// Line is an outside string as one line of a terminal or a table cell: control
// characters (C0, DEL, C1) and bidirectional overrides and isolates (U+202A–U+202E,
// U+2066–U+2069) are dropped, so that a name cannot move the cursor, clear the
// screen or reverse the text after it; TAB, LF and CR become a space, so that a cell
// stays one cell; invalid UTF-8 becomes U+FFFD.
func Line(s string) string {
	if isClean(s, keepLine) {
		return s
	}
	return clean(s, keepLine, " ")
}

// Text is Line for messages of several lines: LF stays.
func Text(s string) string {
	if isClean(s, keepText) {
		return s
	}
	return clean(s, keepText, " ")
}

// keep decides a rune: keep it, drop it, or (space) replace it with a space.
type verdict int

const (
	drop verdict = iota
	keep
	space
)

func keepStored(r rune) verdict {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return keep
	case isControl(r):
		return drop
	}
	return keep
}

func keepLine(r rune) verdict {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return space
	case isControl(r) || isBidiOverride(r):
		return drop
	}
	return keep
}

func keepText(r rune) verdict {
	if r == '\n' {
		return keep
	}
	return keepLine(r)
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) }

func isBidiOverride(r rune) bool {
	return (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}

// isClean is the fast path: almost every string is left as it is.
func isClean(s string, decide func(rune) verdict) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n <= 1 || decide(r) != keep {
			return false
		}
		i += n
	}
	return true
}

// clean rewrites s; invalid UTF-8 becomes invalid ("" drops it, else U+FFFD).
func clean(s string, decide func(rune) verdict, invalid string) string {
	if invalid != "" {
		invalid = string(utf8.RuneError)
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		if r == utf8.RuneError && n <= 1 {
			b.WriteString(invalid)
			continue
		}
		switch decide(r) {
		case keep:
			b.WriteRune(r)
		case space:
			b.WriteByte(' ')
		}
	}
	return b.String()
}
