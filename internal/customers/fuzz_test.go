package customers

import (
	"bytes"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/seatledger/seatledger/internal/ids"
	"github.com/seatledger/seatledger/internal/problems"
)

func requireClearError(t *testing.T, err error, file string) {
	t.Helper()
	var list problems.List
	if !errors.As(err, &list) || len(list) == 0 {
		t.Fatalf("error is not a list of problems: %v", err)
	}
	for _, p := range list {
		if p.File != file || p.Line < 0 || strings.TrimSpace(p.Message) == "" {
			t.Fatalf("unclear problem %#v", p)
		}
	}
}

func requireValid(t *testing.T, got []Customer) {
	t.Helper()
	if len(got) == 0 {
		t.Fatal("no customers and no error")
	}
	for _, c := range got {
		if _, ok := ids.ParseGUID(c.TenantID); !ok || c.Name == "" || c.Currency == "" || c.Locale == "" || c.Market == "" ||
			!slices.Contains(Segments, c.Segment) {
			t.Fatalf("customer accepted with a missing or bad field: %+v", c)
		}
		for _, ct := range c.Contacts {
			if ct.Email == "" || ct.Locale == "" {
				t.Fatalf("contact accepted without e-mail or locale: %+v", ct)
			}
		}
	}
}

func seed(f *testing.F, path string) {
	data, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
}

func FuzzParseCSV(f *testing.F) {
	seed(f, "../../config/customers.example.csv")
	f.Add([]byte("\ufeffName, Tenant_ID ,currency,locale,market,contacts\nA,6f1d2a7e-3c4b-4e8f-9a1d-2b3c4d5e6f70,eur,nl-BE,nl,\"A <a@x.nl> (en); b@x.nl\"\n\n"))
	f.Add([]byte("name,tenant_id,currency,locale,market,segment\nA,6f1d2a7e-3c4b-4e8f-9a1d-2b3c4d5e6f70,EUR,nl,NL,Education\nB,0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d,EUR,nl,NL,\n"))
	f.Add([]byte("name,tenant_id,currency,locale,market\nA,{6F1D2A7E-3C4B-4E8F-9A1D-2B3C4D5E6F70},EUR,hr,HR,extra\n\"cut"))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := ParseCSV(bytes.NewReader(data), "c.csv")
		if err != nil {
			requireClearError(t, err, "c.csv")
			return
		}
		requireValid(t, got)
	})
}

func FuzzParseYAML(f *testing.F) {
	seed(f, "../../config/customers.example.yaml")
	f.Add([]byte("customers:\n  - name: A\n    tenant_id: 6f1d2a7e-3c4b-4e8f-9a1d-2b3c4d5e6f70\n    currency: EUR\n    locale: nl\n    market: NL\n    contacts: [{email: a@x.nl, locale: fr}, x]\n"))
	f.Add([]byte("customers: &a [*a]\n"))
	f.Add([]byte("customers:\n  - {name: [1], contacts: {a: b}}\n  - 7\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := ParseYAML(data, "c.yaml")
		if err != nil {
			requireClearError(t, err, "c.yaml")
			return
		}
		requireValid(t, got)
	})
}
