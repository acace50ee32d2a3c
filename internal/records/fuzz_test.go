package records

import (
	"bytes"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/seatledger/seatledger/internal/problems"
)

var fuzzFormat = Format{Fields: []string{"name", "tenant_id", "sku", "quantity"}, Required: []string{"name"}, YAMLKey: "items"}

// requireRecords checks what a read returned: problems that each name the file and
// say something, or records whose every value is a known field on a real line.
func requireRecords(t *testing.T, recs []Record, probs *problems.Collector) {
	t.Helper()
	if err := probs.Err(); err != nil {
		for _, p := range err.(problems.List) {
			if p.File != "in" || p.Line < 0 || strings.TrimSpace(p.Message) == "" {
				t.Fatalf("unclear problem %#v", p)
			}
		}
		return
	}
	for _, r := range recs {
		if r.Line < 1 {
			t.Fatalf("record without a line: %+v", r)
		}
		for k := range r.Values {
			if !slices.Contains(fuzzFormat.Fields, k) || r.LineOf(k) < 1 {
				t.Fatalf("record with unknown field %q or no line: %+v", k, r)
			}
		}
	}
}

func seedExamples(f *testing.F, pattern string) {
	for _, name := range []string{"customers", "contracts"} {
		data, err := os.ReadFile("../../config/" + name + ".example." + pattern)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

func FuzzCSV(f *testing.F) {
	seedExamples(f, "csv")
	f.Add([]byte("\ufeff Name ,SKU,quantity\n\"a, b\",SPB,3\n\nc,\"x\"\"y\",\n"))
	f.Add([]byte("name,name\n\"open"))
	f.Fuzz(func(t *testing.T, data []byte) {
		probs := &problems.Collector{File: "in"}
		recs := fuzzFormat.CSV(bytes.NewReader(data), probs)
		requireRecords(t, recs, probs)
	})
}

func FuzzYAML(f *testing.F) {
	seedExamples(f, "yaml")
	f.Add([]byte("items:\n  - name: a\n    sku: [x]\n  - 3\n  - {quantity: &q 4, tenant_id: *q}\n"))
	f.Add([]byte("items: {a: b}\n---\nitems: []\n"))
	f.Add([]byte("\titems:\n"))
	// Inputs that crashed earlier versions of the YAML library.
	for _, s := range []string{"#\n - - QI\xd7", "items:\n  - #\n -\n -\n 0", "! !00 \xf6", "a:\n.\n-\n", "\"\\0\\\r\n", "? \ufeff:\n", "items: [&a {}, *a, <<: *a]"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		probs := &problems.Collector{File: "in"}
		recs := fuzzFormat.YAML(data, probs)
		requireRecords(t, recs, probs)
	})
}
