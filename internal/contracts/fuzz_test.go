package contracts

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/seatledger/seatledger/internal/problems"
)

// exampleResolver knows the customers and SKUs the example contract files name, so
// that fuzzed variations of them reach the checks past the look-ups.
type exampleResolver struct{ fakeResolver }

func (r exampleResolver) Customer(key string) (string, error) {
	switch key {
	case "DEB-1001", "DEB-1002", "DEB-1004", "Jadran Marine d.o.o.", "9e8d7c6b-5a49-4382-a1b0-c9d8e7f6a5b4":
		return "9e8d7c6b-5a49-4382-a1b0-c9d8e7f6a5b4", nil
	}
	return r.fakeResolver.Customer(key)
}

func (r exampleResolver) SKU(key string) (string, string, error) {
	switch key {
	case "POWER_BI_PRO", "O365_BUSINESS_PREMIUM", "EXCHANGESTANDARD", "O365_BUSINESS_ESSENTIALS", "05e9a617-0261-4cee-bb44-138d3ef5d965":
		return "f8a1db68-be16-40ed-86d5-cb42ce701560", key, nil
	}
	return r.fakeResolver.SKU(key)
}

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

func requireValid(t *testing.T, got []Line) {
	t.Helper()
	for _, l := range got {
		if l.TenantID == "" || l.SKUID == "" || l.Term == "" || l.Start.IsZero() || !onePricing(l) || (l.Timing != TimingAdvance && l.Timing != TimingArrears) {
			t.Fatalf("line accepted with a missing field: %+v", l)
		}
		if l.End != nil && l.End.Before(l.Start) {
			t.Fatalf("line accepted ending before it starts: %+v", l)
		}
	}
}

// onePricing tells whether a line is priced exactly one way, and a discount goes
// only with the ERP price.
func onePricing(l Line) bool {
	n := 0
	for _, set := range []bool{l.UnitPrice != nil, l.MarkupPercent != nil, l.ERP} {
		if set {
			n++
		}
	}
	return n == 1 && (l.DiscountPercent == nil || l.ERP) && !(l.AsPurchased && l.Quantity != nil)
}

func seed(f *testing.F, path string) {
	data, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
}

func FuzzParseCSV(f *testing.F) {
	seed(f, "../../config/contracts.example.csv")
	f.Add([]byte(header + "DEB-1,C-7,SPB,P1Y,monthly,25,22.00,,day 1,2026-01-01,,60\nDEB-1,,CFQ7TTC0LCHC:0002,P1M,monthly,as-assigned,,15,prorated,2026-01-01,2026-12-31,\n"))
	f.Add([]byte(header + "DEB-1,,SPB,P3Y,triennial,1e9,0.0000001,-5,day 31,2026-02-30,2025-01-01,-1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := ParseCSV(bytes.NewReader(data), "c.csv", exampleResolver{})
		if err != nil {
			requireClearError(t, err, "c.csv")
			return
		}
		requireValid(t, got)
	})
}

func FuzzParseYAML(f *testing.F) {
	seed(f, "../../config/contracts.example.yaml")
	f.Add([]byte("contracts:\n  - {customer: DEB-1, sku: SPB, term: P1Y, billing_plan: annual, quantity: 3, markup_percent: 12.5, billing: prorated, start: 2026-01-01}\n"))
	f.Add([]byte("contracts:\n  - customer: [DEB-1]\n    unit_price: !!float .inf\n  - ~\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := ParseYAML(data, "c.yaml", exampleResolver{})
		if err != nil {
			requireClearError(t, err, "c.yaml")
			return
		}
		requireValid(t, got)
	})
}
