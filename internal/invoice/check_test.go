package invoice

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

const (
	contoso  = "c139c4bf-2e8b-4ab5-8bed-d9f50dcca7a2"
	fabrikam = "d7f565f5-5367-492f-a465-9e2057c5e3c3"
	subE3    = "a4c1340d-1111-2222-3333-444455556666"
	subOther = "b0000000-0000-0000-0000-000000000001"
)

func mustDec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func day0(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// november is seatledger's view of one subscription in November 2026: an annual
// term billed monthly at 120.00 a seat a year (10.00 a month), 10 seats, 15 from the
// 16th. Expected: 10 × 10.00 = 100.00 for the month, and 5 more seats for 15 of 30
// days, 5 × 5.00 = 25.00.
func november() Cycle {
	return Cycle{TenantID: contoso, Customer: "Contoso", SubscriptionID: subE3, ProductSKU: "CFQ7TTC0LH18:0001", Term: "P1Y",
		BillingPlan: "monthly", From: day0("2026-11-01"), To: day0("2026-11-30"), TermPrice: mustDec("120.00"), Currency: "EUR",
		Source: "price.csv:7", Seats: []Seats{
			{From: day0("2026-11-16"), To: day0("2026-11-30"), Seats: 15},
			{From: day0("2026-11-01"), To: day0("2026-11-15"), Seats: 10},
		}}
}

var lineNo int

// ms is one of Microsoft's lines for Contoso's subscription, at 10.00 a seat a month.
func ms(chargeType, from, to, qty, eup, subtotal string) LineItem {
	lineNo++
	ct, known := NormalChargeType(chargeType)
	return LineItem{Source: fmt.Sprintf("recon.csv:%d", lineNo), CustomerID: contoso, CustomerName: "Contoso", SubscriptionID: subE3,
		ProductID: "CFQ7TTC0LH18", SKUID: "0001", ChargeType: ct, UnknownChargeType: !known, UnitPrice: mustDec("10"),
		EffectiveUnitPrice: mustDec(eup), Quantity: mustDec(qty), BillableQuantity: mustDec(qty), Subtotal: mustDec(subtotal),
		Currency: "EUR", PricingCurrency: "EUR", PCToBCExchangeRate: mustDec("1"), ChargeStart: day0(from), ChargeEnd: day0(to)}
}

func with(l LineItem, f func(*LineItem)) LineItem { f(&l); return l }

// The quantity change on the 16th as Microsoft invoices it: the 10 seats credited
// for the 15 days left, the 15 charged, sharing a ReferenceId.
func addFive() []LineItem {
	ref := func(l *LineItem) { l.ReferenceID = "0cf1202a-5b7d-4219-966e-93c637113708" }
	return []LineItem{
		with(ms("addQuantity", "2026-11-16", "2026-11-30", "10", "-5", "-50.00"), ref),
		with(ms("addQuantity", "2026-11-16", "2026-11-30", "15", "5", "75.00"), ref),
	}
}

func month() LineItem { return ms("cycleCharge", "2026-11-01", "2026-11-30", "10", "10", "100.00") }

type want struct {
	reasons            []Reason
	amount, expected   string
	quantity, expQty   string
	netted, isExpected bool
}

func TestCheck(t *testing.T) {
	for _, c := range []struct {
		name   string
		lines  []LineItem
		cycles []Cycle
		want   []want
	}{
		{
			name:  "agrees, the quantity change netted",
			lines: append([]LineItem{month()}, addFive()...),
			want: []want{
				{amount: "100", expected: "100", quantity: "10", expQty: "10", isExpected: true},
				{amount: "25", expected: "25", quantity: "5", expQty: "5", netted: true, isExpected: true},
			},
		},
		{
			name:  "quantity differs",
			lines: append([]LineItem{ms("cycleCharge", "2026-11-01", "2026-11-30", "11", "10", "110.00")}, addFive()...),
			want: []want{
				{reasons: []Reason{ReasonQuantity}, amount: "110", expected: "100", quantity: "11", expQty: "10", isExpected: true},
				{amount: "25", expected: "25", quantity: "5", expQty: "5", netted: true, isExpected: true},
			},
		},
		{
			name: "price differs: a unit price other than the locked one",
			lines: append([]LineItem{with(ms("cycleCharge", "2026-11-01", "2026-11-30", "10", "11", "110.00"),
				func(l *LineItem) { l.UnitPrice = mustDec("11") })}, addFive()...),
			want: []want{
				{reasons: []Reason{ReasonPrice}, amount: "110", expected: "100", quantity: "10", expQty: "10", isExpected: true},
				{amount: "25", expected: "25", quantity: "5", expQty: "5", netted: true, isExpected: true},
			},
		},
		{
			name:  "price differs: a promotion on the effective price",
			lines: append([]LineItem{ms("cycleCharge", "2026-11-01", "2026-11-30", "10", "9", "90.00")}, addFive()...),
			want: []want{
				{reasons: []Reason{ReasonPrice}, amount: "90", expected: "100", quantity: "10", expQty: "10", isExpected: true},
				{amount: "25", expected: "25", quantity: "5", expQty: "5", netted: true, isExpected: true},
			},
		},
		{
			// Microsoft charges the 5 seats from the 15th, 16 days: 10 × 16 ÷ 30 =
			// 5.333… cut to 5.33; −10 × 5.33 + 15 × 5.33 = 26.65 against 25.00.
			name: "proration differs",
			lines: []LineItem{month(),
				with(ms("addQuantity", "2026-11-15", "2026-11-30", "10", "-5.3333333333", "-53.30"), func(l *LineItem) { l.ReferenceID = "r" }),
				with(ms("addQuantity", "2026-11-15", "2026-11-30", "15", "5.3333333333", "79.95"), func(l *LineItem) { l.ReferenceID = "r" }),
			},
			want: []want{
				{amount: "100", expected: "100", quantity: "10", expQty: "10", isExpected: true},
				{reasons: []Reason{ReasonProration}, amount: "26.65", expected: "25", quantity: "5", expQty: "5", netted: true, isExpected: true},
			},
		},
		{
			name:  "not invoiced",
			lines: []LineItem{month()},
			want: []want{
				{amount: "100", expected: "100", quantity: "10", expQty: "10", isExpected: true},
				{reasons: []Reason{ReasonNotInvoiced}, amount: "0", expected: "25", quantity: "0", expQty: "5", isExpected: true},
			},
		},
		{
			// 2 seats from the 20th, 11 days: 10 × 11 ÷ 30 = 3.666… cut to 3.66, × 2.
			name:  "seats seatledger did not see",
			lines: append([]LineItem{month(), ms("addQuantity", "2026-11-20", "2026-11-30", "2", "3.6666666667", "7.32")}, addFive()...),
			want: []want{
				{amount: "100", expected: "100", quantity: "10", expQty: "10", isExpected: true},
				{reasons: []Reason{ReasonQuantity}, amount: "7.32", expected: "0", quantity: "2", expQty: "0"},
				{amount: "25", expected: "25", quantity: "5", expQty: "5", netted: true, isExpected: true},
			},
		},
		{
			name: "unknown subscription, customer not in the registry, charge types not billed",
			lines: append([]LineItem{month(),
				with(ms("cycleCharge", "2026-11-01", "2026-11-30", "1", "10", "10.00"), func(l *LineItem) { l.SubscriptionID = subOther }),
				with(ms("new", "2026-11-03", "2026-12-02", "2", "10", "20.00"), func(l *LineItem) {
					l.CustomerID, l.CustomerName, l.SubscriptionID = fabrikam, "Fabrikam", subOther
				}),
				ms("customerCredit", "2026-11-01", "2026-11-30", "1", "-20", "-20.00"),
				ms("convert", "2026-11-01", "2026-11-30", "1", "0", "0"),
				ms("refundAdjustment", "2026-11-01", "2026-11-30", "1", "-1", "-1.00"),
			}, addFive()...),
			want: []want{
				{amount: "100", expected: "100", quantity: "10", expQty: "10", isExpected: true},
				{reasons: []Reason{ReasonSubscription}, amount: "10", expected: "0", quantity: "1", expQty: "0"},
				{reasons: []Reason{ReasonCustomer}, amount: "20", expected: "0", quantity: "2", expQty: "0"},
				{reasons: []Reason{ReasonChargeType}, amount: "-20", expected: "0", quantity: "-1", expQty: "0"},
				{reasons: []Reason{ReasonChargeType}, amount: "0", expected: "0", quantity: "1", expQty: "0"},
				{reasons: []Reason{ReasonChargeType}, amount: "-1", expected: "0", quantity: "-1", expQty: "0"},
				{amount: "25", expected: "25", quantity: "5", expQty: "5", netted: true, isExpected: true},
			},
		},
		{
			name:  "a subtotal that is not Microsoft's rule",
			lines: append([]LineItem{ms("cycleCharge", "2026-11-01", "2026-11-30", "10", "10", "100.01")}, addFive()...),
			want: []want{
				{reasons: []Reason{ReasonPrice, ReasonSubtotalRule}, amount: "100.01", expected: "100", quantity: "10", expQty: "10", isExpected: true},
				{amount: "25", expected: "25", quantity: "5", expQty: "5", netted: true, isExpected: true},
			},
		},
		{
			// 100.00 a year billed monthly: 8.333… a month, which Microsoft writes
			// 8.33; 3 seats, 24.99.
			name:  "a twelfth of an annual price",
			lines: []LineItem{with(ms("cycleCharge", "2026-11-01", "2026-11-30", "3", "8.33", "24.99"), func(l *LineItem) { l.UnitPrice = mustDec("8.33") })},
			cycles: []Cycle{with2(november(), func(c *Cycle) {
				c.TermPrice = mustDec("100")
				c.Seats = []Seats{{day0("2026-11-01"), day0("2026-11-30"), 3}}
			})},
			want: []want{{amount: "24.99", expected: "24.99", quantity: "3", expQty: "3", isExpected: true}},
		},
		{
			// Priced in USD, billed in EUR at 0.92: 10.00 × 0.92 = 9.20 a seat.
			name: "an exchange rate",
			lines: []LineItem{with(ms("cycleCharge", "2026-11-01", "2026-11-30", "10", "10", "92.00"), func(l *LineItem) {
				l.PricingCurrency, l.PCToBCExchangeRate = "USD", mustDec("0.92")
			})},
			cycles: []Cycle{with2(november(), func(c *Cycle) { c.Currency = "USD"; c.Seats = []Seats{{day0("2026-11-01"), day0("2026-11-30"), 10}} })},
			want:   []want{{amount: "92", expected: "92", quantity: "10", expQty: "10", isExpected: true}},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			cycles := c.cycles
			if cycles == nil {
				cycles = []Cycle{november()}
			}
			rep := Check(c.lines, Expected{Tenants: []string{"C139C4BF-2E8B-4AB5-8BED-D9F50DCCA7A2"}, Cycles: cycles})
			if len(rep.Charges) != len(c.want) {
				for _, ch := range rep.Charges {
					t.Logf("%v %s %s %v", ch.Lines, ch.Amount, ch.ExpectedAmount, ch.Reasons)
				}
				t.Fatalf("%d charges, want %d", len(rep.Charges), len(c.want))
			}
			for i, w := range c.want {
				ch := rep.Charges[i]
				if !slices.Equal(ch.Reasons, w.reasons) || ch.Amount.String() != w.amount || ch.ExpectedAmount.String() != w.expected ||
					ch.Quantity.String() != w.quantity || ch.ExpectedQuantity.String() != w.expQty || ch.Netted != w.netted || ch.Expected != w.isExpected {
					t.Errorf("charge %d %v: reasons %v (%s), amount %s expected %s, seats %s expected %s, netted %v, expected %v; want %+v",
						i, ch.Lines, ch.Reasons, ch.Note, ch.Amount, ch.ExpectedAmount, ch.Quantity, ch.ExpectedQuantity, ch.Netted, ch.Expected, w)
				}
				if len(ch.Reasons) > 0 && ch.Note == "" {
					t.Errorf("charge %d differs without a note", i)
				}
			}
		})
	}
}

func with2(c Cycle, f func(*Cycle)) Cycle { f(&c); return c }

func TestCheckTotalsPerCustomerAndCurrency(t *testing.T) {
	gbp := november()
	gbp.TenantID, gbp.Customer, gbp.SubscriptionID, gbp.Currency = fabrikam, "Fabrikam", subOther, "GBP"
	lines := append([]LineItem{month(),
		with(ms("cycleCharge", "2026-11-01", "2026-11-30", "10", "10", "100.00"), func(l *LineItem) {
			l.CustomerID, l.CustomerName, l.SubscriptionID, l.Currency, l.PricingCurrency = fabrikam, "Fabrikam", subOther, "GBP", "GBP"
		})}, addFive()...)
	rep := Check(lines, Expected{Tenants: []string{contoso, fabrikam}, Cycles: []Cycle{november(), gbp}})
	got := []string{}
	for _, tot := range rep.Totals {
		got = append(got, fmt.Sprintf("%s %s %d %s %s", tot.Customer, tot.Currency, tot.Lines, tot.Microsoft.StringFixed(2), tot.Expected.StringFixed(2)))
	}
	// Contoso: 100.00 + 25.00 invoiced and expected. Fabrikam: 100.00 invoiced, and
	// 100.00 + the 25.00 of its addition Microsoft did not invoice expected.
	wantTotals := []string{"Contoso EUR 3 125.00 125.00", "Fabrikam GBP 1 100.00 125.00"}
	if !slices.Equal(got, wantTotals) {
		t.Errorf("totals %q, want %q", got, wantTotals)
	}
	diffs := rep.Differences()
	if len(diffs) != 1 || !diffs[0].Has(ReasonNotInvoiced) || diffs[0].TenantID != fabrikam || diffs[0].Difference().String() != "-25" {
		t.Errorf("differences %+v", diffs)
	}
	if rep.Lines != 4 {
		t.Errorf("lines %d", rep.Lines)
	}
}

func TestCycleCharges(t *testing.T) {
	c := november()
	// 10 seats on the 1st–15th, none on the 16th–20th, 4 from the 21st to the end.
	c.Seats = []Seats{{day0("2026-10-20"), day0("2026-11-15"), 10}, {day0("2026-11-21"), day0("2027-01-01"), 4}}
	var got []string
	for _, ch := range c.charges() {
		got = append(got, fmt.Sprintf("%s..%s %+d %s", day(ch.from), day(ch.to), ch.seats, ch.amount(decimal.NewFromInt(1))))
	}
	// 10 × 10.00; −10 × (10 × 15 ÷ 30 = 5.00); +4 × (10 × 10 ÷ 30 = 3.333… → 3.33).
	want := []string{"2026-11-01..2026-11-30 +10 100", "2026-11-16..2026-11-30 -10 -50", "2026-11-21..2026-11-30 +4 13.32"}
	if !slices.Equal(got, want) {
		t.Errorf("charges %q, want %q", got, want)
	}
	if p := (Cycle{Term: "P3Y", BillingPlan: "annual", TermPrice: mustDec("360")}).CyclePrice(); p.String() != "120" {
		t.Errorf("P3Y billed annually: %s a year, want 120", p)
	}
	if p := (Cycle{Term: "P1Y", BillingPlan: "annual", TermPrice: mustDec("120")}).CyclePrice(); p.String() != "120" {
		t.Errorf("P1Y billed annually: %s, want 120", p)
	}
}

// An invoice's days: a cycle begun before them expects only the changes of seats
// within them (the 5 seats of the 16th), not its first charge, which an earlier
// invoice carried.
func TestCheckExpectsOnlyChargesStartingInTheInvoiceDays(t *testing.T) {
	rep := Check(addFive(), Expected{Tenants: []string{contoso}, Cycles: []Cycle{november()}, From: day0("2026-11-10"), To: day0("2026-11-30")})
	if len(rep.Charges) != 1 || len(rep.Charges[0].Reasons) > 0 || rep.Charges[0].ExpectedAmount.String() != "25" {
		for _, ch := range rep.Charges {
			t.Logf("%v %s..%s %v %s", ch.Lines, day(ch.ExpectedFrom), day(ch.ExpectedTo), ch.Reasons, ch.Note)
		}
		t.Fatalf("%d charges, want the netted addition alone, agreeing", len(rep.Charges))
	}
}

// A cycle seatledger cannot price: days and seats are checked at Microsoft's price
// (10.00 a month: the month and the addition agree), a promotion on the effective
// price is still seen (9.00 where 10.00 prorated gives 10.00), and a charge not
// invoiced has no amount.
func TestCheckUnpricedCycle(t *testing.T) {
	unpriced := with2(november(), func(c *Cycle) { c.TermPrice, c.Unpriced = decimal.Zero, "no price-list row in force on 2026-11-01" })
	for _, c := range []struct {
		name    string
		lines   []LineItem
		reasons [][]Reason
		amounts []string
	}{
		{"agrees", append([]LineItem{month()}, addFive()...), [][]Reason{nil, nil}, []string{"100", "25"}},
		{"a promotion", append([]LineItem{ms("cycleCharge", "2026-11-01", "2026-11-30", "10", "9", "90.00")}, addFive()...),
			[][]Reason{{ReasonPrice}, nil}, []string{"100", "25"}},
		{"not invoiced", []LineItem{month()}, [][]Reason{nil, {ReasonNotInvoiced}}, []string{"100", "0"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			rep := Check(c.lines, Expected{Tenants: []string{contoso}, Cycles: []Cycle{unpriced}})
			if len(rep.Charges) != len(c.reasons) {
				t.Fatalf("%d charges, want %d", len(rep.Charges), len(c.reasons))
			}
			for i, ch := range rep.Charges {
				if !slices.Equal(ch.Reasons, c.reasons[i]) || ch.ExpectedAmount.String() != c.amounts[i] {
					t.Errorf("charge %d: %v (%s) expected %s; want %v expected %s", i, ch.Reasons, ch.Note, ch.ExpectedAmount, c.reasons[i], c.amounts[i])
				}
			}
		})
	}
}
