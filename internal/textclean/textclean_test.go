package textclean

import (
	"testing"
	"unicode/utf8"
)

func TestStored(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Ada Lovelace", "Ada Lovelace"},
		{"Ada\x00 Lovelace", "Ada Lovelace"},
		{"Ada\x1b[2J Lovelace\x7f", "Ada[2J Lovelace"},
		{"Ada\u009b2J", "Ada2J"},
		{"line one\r\nline two\tend", "line one\r\nline two\tend"},
		{"Ada\xff\xfeLovelace", "AdaLovelace"},
		{"Šime Ćosić 李 \u202eevil", "Šime Ćosić 李 \u202eevil"},
	} {
		if got := Stored(c.in); got != c.want {
			t.Errorf("Stored(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestLineAndText(t *testing.T) {
	for _, c := range []struct{ in, line, text string }{
		{"Ada Lovelace", "Ada Lovelace", "Ada Lovelace"},
		{"\x1b[2J\x1b[HAda", "[2J[HAda", "[2J[HAda"},
		{"Ada\u009b2J", "Ada2J", "Ada2J"},
		{"a\u202eexe.txt\u2066b\u2069", "aexe.txtb", "aexe.txtb"},
		{"one\ntwo\tthree\rfour", "one two three four", "one\ntwo three four"},
		{"bad\xffbyte", "bad\ufffdbyte", "bad\ufffdbyte"},
		{"Šime Ćosić 李", "Šime Ćosić 李", "Šime Ćosić 李"},
	} {
		if got := Line(c.in); got != c.line {
			t.Errorf("Line(%q) = %q, want %q", c.in, got, c.line)
		}
		if got := Text(c.in); got != c.text {
			t.Errorf("Text(%q) = %q, want %q", c.in, got, c.text)
		}
	}
}

func FuzzClean(f *testing.F) {
	f.Add("Ada\x00\x1b[2J\u202e\xff")
	f.Fuzz(func(t *testing.T, s string) {
		st := Stored(s)
		if !utf8.ValidString(st) || Stored(st) != st {
			t.Fatalf("Stored(%q) = %q: not valid or not stable", s, st)
		}
		for _, r := range st {
			if r == 0 || isControl(r) && r != '\t' && r != '\n' && r != '\r' {
				t.Fatalf("Stored(%q) keeps %U", s, r)
			}
		}
		for _, r := range Line(s) {
			if isControl(r) || isBidiOverride(r) {
				t.Fatalf("Line(%q) keeps %U", s, r)
			}
		}
	})
}
