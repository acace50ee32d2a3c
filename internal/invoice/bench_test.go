package invoice

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/shopspring/decimal"
)

// invoiceOf writes a reconciliation CSV of about n lines and seatledger's view of
// it: one subscription per cycle charge, a quarter of them with a quantity change
// (a credit and a charge), every hundredth subscription charged one seat too many.
func invoiceOf(n int) ([]byte, Expected) {
	var buf bytes.Buffer
	buf.WriteString(csvHeader + "\n")
	var exp Expected
	base := november()
	for i, lines := 0, 0; lines < n; i++ {
		tenant := fmt.Sprintf("%08x-0000-4000-8000-000000000000", i/10)
		sub := fmt.Sprintf("%08x-1111-4000-8000-000000000000", i)
		if i%10 == 0 {
			exp.Tenants = append(exp.Tenants, tenant)
		}
		c := base
		c.TenantID, c.Customer, c.SubscriptionID = tenant, fmt.Sprintf("Customer %d", i/10), sub
		seats := 10
		if i%100 == 0 {
			seats = 11
		}
		row := func(ct, from, qty, eup, subtotal, ref string) {
			fmt.Fprintf(&buf, ",%s,%s,G016907411,O%d,CFQ7TTC0LH18,0001,CFQ7TTC0K5RQ,Microsoft 365 Business Basic,Microsoft 365 Business Basic,%s,10,%s,%s,%s,%s,0,%s,EUR,1,%s,2026-01-01,2026-12-31,%s,2026-11-30,One-Year commitment for monthly/yearly billing,Monthly,%s,\n",
				tenant, c.Customer, i, ct, eup, qty, qty, subtotal, subtotal, sub, from, ref)
			lines++
		}
		row("cycleCharge", "2026-11-01", fmt.Sprint(seats), "10", fmt.Sprintf("%d.00", seats*10), "")
		if i%4 == 0 {
			ref := fmt.Sprintf("%08x-2222-4000-8000-000000000000", i)
			row("addQuantity", "2026-11-16", "10", "-5", "-50.00", ref)
			row("addQuantity", "2026-11-16", "15", "5", "75.00", ref)
		} else {
			c.Seats = []Seats{{day0("2026-11-01"), day0("2026-11-30"), 10}}
		}
		exp.Cycles = append(exp.Cycles, c)
	}
	return buf.Bytes(), exp
}

func BenchmarkParseAndCheck100k(b *testing.B) {
	data, exp := invoiceOf(100_000)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		items, err := Parse(bytes.NewReader(data), "recon.csv")
		if err != nil {
			b.Fatal(err)
		}
		rep := Check(items, exp)
		if len(items) < 100_000 || len(rep.Differences()) != (len(exp.Cycles)+99)/100 {
			b.Fatalf("%d lines, %d differences", len(items), len(rep.Differences()))
		}
	}
}

// The benchmark's invoice must itself agree with seatledger's view but for the
// planted seats: otherwise it would time a check that reports everything.
func TestBenchmarkInvoiceAgreesButForThePlantedSeats(t *testing.T) {
	data, exp := invoiceOf(1_000)
	items, err := Parse(bytes.NewReader(data), "recon.csv")
	if err != nil {
		t.Fatal(err)
	}
	rep := Check(items, exp)
	diffs := rep.Differences()
	if len(diffs) != (len(exp.Cycles)+99)/100 {
		t.Fatalf("%d differences, want %d", len(diffs), (len(exp.Cycles)+99)/100)
	}
	for _, d := range diffs {
		if len(d.Reasons) != 1 || d.Reasons[0] != ReasonQuantity || !d.Difference().Equal(decimal.NewFromInt(10)) {
			t.Errorf("difference %+v", d)
		}
	}
}
