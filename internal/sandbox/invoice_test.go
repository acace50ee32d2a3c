package sandbox

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/seatledger/seatledger/internal/invoice"
)

// The sandbox's invoice is Microsoft's file: it parses, every subtotal is
// Microsoft's rule, each quantity change is a credit and a charge sharing a
// ReferenceId and days, and each planted difference is recorded once.
func TestInvoiceCSVFollowsMicrosoftsRules(t *testing.T) {
	november := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	w, err := Generate(Options{Seed: 3, Tenants: 8, Start: november})
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		w.Advance() // tenant 0 adds 2 seats on day 3
	}
	data, planted := w.InvoiceCSV(november)
	items, err := invoice.Parse(bytes.NewReader(data), "recon.csv")
	if err != nil {
		t.Fatal(err)
	}
	refs := map[string][]invoice.LineItem{}
	types := map[string]int{}
	for _, l := range items {
		if !invoice.SubtotalMatchesRule(l) {
			t.Errorf("%s: subtotal %s, Microsoft's rule gives %s", l.Source, l.Subtotal, invoice.SeatSubtotal(l))
		}
		if l.ChargeStart.Month() != time.November || l.ChargeEnd.Before(l.ChargeStart) {
			t.Errorf("%s: charged %s to %s", l.Source, l.ChargeStart, l.ChargeEnd)
		}
		types[l.ChargeType]++
		if l.ReferenceID != "" {
			refs[l.ReferenceID] = append(refs[l.ReferenceID], l)
		}
	}
	if len(refs) == 0 || types[invoice.ChargeCustomerCredit] != 1 || types[invoice.ChargeNew]+types[invoice.ChargeRenew]+types[invoice.ChargeCycle] == 0 {
		t.Errorf("charge types %v, %d quantity changes", types, len(refs))
	}
	for ref, pair := range refs {
		if len(pair) != 2 || !pair[0].Credit() || pair[1].Credit() || !pair[0].ChargeStart.Equal(pair[1].ChargeStart) ||
			pair[1].BillableQuantity.LessThanOrEqual(pair[0].BillableQuantity) {
			t.Errorf("quantity change %s: %+v", ref, pair)
		}
	}
	var reasons []string
	for _, p := range planted {
		reasons = append(reasons, p.Reason)
		if p.SubscriptionID == "" || p.TenantID == "" || p.Note == "" {
			t.Errorf("planted %+v", p)
		}
	}
	slices.Sort(reasons)
	want := []string{"charge-type-not-billed", "customer-not-in-registry", "not-invoiced", "price-differs", "quantity-differs", "unknown-subscription"}
	if !slices.Equal(reasons, want) {
		t.Errorf("planted %v, want %v", reasons, want)
	}
	again, _ := w.InvoiceCSV(november)
	if !bytes.Equal(again, data) {
		t.Error("the invoice differs from one call to the next")
	}
}
