package invoice

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Whatever bytes a line-item file holds, reading it either fails with no lines, or
// gives lines that each name their source, customer, subscription, charge type and
// currency, with charge days that do not run backwards.
func FuzzParse(f *testing.F) {
	samples, _ := filepath.Glob("../../../shared/data/partner-center-samples/*lineitems*.json")
	for _, name := range samples {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("CustomerId,SubscriptionId,ChargeType,UnitPrice,Subtotal,Currency,ChargeStartDate,ChargeEndDate,Quantity\n" +
		"0E2A6F1C-1111-4A1B-9C3D-000000000001,sub-1,Cycle Charge,12.50,25.00,EUR,11/1/2026,11/30/2026,2\n"))
	f.Add([]byte("CustomerId;SubscriptionId;ChargeType;UnitPrice;Subtotal;Currency;ChargeStartDate;ChargeEndDate;Quantity\n" +
		"c;s;new;12,50;25,00;EUR;2026-11-01;2026-10-01;2\n"))
	f.Add([]byte(`{"items":[{"customerId":"c","subscriptionId":"s","chargeType":"renew","unitPrice":"1","subtotal":1,"currency":"EUR","chargeStartDate":"2026-11-01T00:00:00Z","chargeEndDate":"2026-11-30T00:00:00Z","quantity":"1"}]}`))
	f.Add([]byte("\x1f\x8b\x08\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		items, err := Parse(bytes.NewReader(data), "fuzz")
		if err != nil {
			if items != nil {
				t.Fatalf("an error with %d lines: %v", len(items), err)
			}
			return
		}
		for _, it := range items {
			if !strings.HasPrefix(it.Source, "fuzz:") || it.CustomerID == "" || it.SubscriptionID == "" || it.ChargeType == "" || it.Currency == "" {
				t.Fatalf("line %+v", it)
			}
			if !it.ChargeStart.IsZero() && !it.ChargeEnd.IsZero() && it.ChargeEnd.Before(it.ChargeStart) {
				t.Fatalf("charge days backwards: %+v", it)
			}
		}
	})
}
