package records

import (
	"strings"
	"testing"
)

func TestDelimiterFromTheHeader(t *testing.T) {
	for _, c := range []struct {
		header string
		want   rune
	}{
		{"name,tenant_id,currency", ','},
		{"name;tenant_id;currency", ';'},
		{"name\ttenant_id\tcurrency", '\t'},
		{`"name;with;semicolons",tenant_id,currency`, ','},
		{"name", ','},
	} {
		if got := Delimiter([]byte(c.header)); got != c.want {
			t.Errorf("Delimiter(%q) = %q, want %q", c.header, got, c.want)
		}
	}
	cr := NewCSVReader(strings.NewReader("\ufeffa;b\r\n1,5;2\r\n"))
	rec, err := cr.Read()
	if err != nil || rec[0] != "a" {
		t.Fatalf("header = %q, %v", rec, err)
	}
	if rec, err = cr.Read(); err != nil || len(rec) != 2 || rec[0] != "1,5" {
		t.Errorf("row = %q, %v", rec, err)
	}
}
