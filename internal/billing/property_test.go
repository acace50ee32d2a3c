package billing

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/seatledger/seatledger/internal/contracts"
	"github.com/seatledger/seatledger/internal/pricing"
)

// requireProvenance fails a line that does not say where its numbers came from, or
// whose numbers do not follow from what it says.
func requireProvenance(t *testing.T, l Line) {
	t.Helper()
	src := l.Source
	if src.ContractLine <= 0 || src.Pricing == "" || src.QuantityBasis == "" || src.Policy == "" || src.Timing == "" ||
		len(src.Seats) == 0 || src.SeatsFrom == "" || src.Counting == "" {
		t.Fatalf("line without provenance: %+v", l)
	}
	if src.SubscriptionID == "" && strings.HasPrefix(src.SeatsFrom, "purchased") {
		t.Fatalf("seats from %s without a subscription: %+v", src.SeatsFrom, l)
	}
	if src.Pricing != contracts.PricingFixed && (src.Price == nil || src.Price.Source == "") {
		t.Fatalf("a %s line without its price-list row: %+v", src.Pricing, l)
	}
	if (l.Cost == nil) != (l.Margin == nil) || (l.Cost == nil) != (l.CostNote != "") {
		t.Fatalf("cost, margin and note disagree: %+v", l)
	}
	places, _ := MinorUnit(l.Currency)
	exact := decimal.NewFromInt(l.SeatDays).Mul(l.UnitPrice).Div(decimal.NewFromInt(int64(l.Days)))
	if !l.Amount.Equal(exact.Round(places)) || l.Amount.Exponent() < -places {
		t.Fatalf("amount %s is not %d × %s ÷ %d rounded once: %+v", l.Amount, l.SeatDays, l.UnitPrice, l.Days, l)
	}
	if l.Cost != nil && !l.Margin.Equal(l.Amount.Decimal.Sub(l.Cost.Decimal)) {
		t.Fatalf("margin is not amount − cost: %+v", l)
	}
}

// requireTotals fails a run whose totals are not the sums of its rounded lines.
func requireTotals(t *testing.T, run Run) {
	t.Helper()
	type key struct{ tenant, currency string }
	sums := map[key][3]decimal.Decimal{}
	counts := map[key]int{}
	for _, l := range run.Lines {
		k := key{l.TenantID, l.Currency}
		s := sums[k]
		s[0] = s[0].Add(l.Amount.Decimal)
		if l.Cost != nil {
			s[1], s[2] = s[1].Add(l.Cost.Decimal), s[2].Add(l.Margin.Decimal)
		}
		sums[k] = s
		counts[k]++
	}
	if len(run.Totals) != len(sums) {
		t.Fatalf("%d totals for %d customer currencies", len(run.Totals), len(sums))
	}
	for _, tot := range run.Totals {
		k := key{tot.TenantID, tot.Currency}
		s := sums[k]
		if !tot.Amount.Equal(s[0]) || !tot.Cost.Equal(s[1]) || !tot.Margin.Equal(s[2]) || tot.Lines != counts[k] {
			t.Fatalf("total %+v is not the sum of its lines %v (%d lines)", tot, s, counts[k])
		}
	}
}

// Every run, whatever the contracts and seat histories, sums its lines to its
// totals, and every line carries its provenance.
func TestLinesSumToTotalsAndCarryProvenance(t *testing.T) {
	for seed := range uint64(300) {
		r := rand.New(rand.NewPCG(seed, 14))
		period := Period{2026 + r.IntN(3), time.Month(1 + r.IntN(12))}
		var customers []Customer
		for i := range 1 + r.IntN(3) {
			customers = append(customers, randomCustomer(r, i, period))
		}
		run := Lines(period, customers)
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			for _, l := range run.Lines {
				requireProvenance(t, l)
			}
			requireTotals(t, run)
			for _, nb := range run.NotBilled {
				if nb.Reason == "" || nb.SeatDays == 0 {
					t.Fatalf("a not-billed entry without its reason or seats: %+v", nb)
				}
			}
		})
	}
}

func randomCustomer(r *rand.Rand, i int, p Period) Customer {
	currencies := []string{"EUR", "GBP", "USD", "JPY"}
	c := Customer{TenantID: fmt.Sprintf("t%d", i), Name: fmt.Sprintf("Customer %d", i), Currency: currencies[r.IntN(len(currencies))], Market: "NL"}
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	price := func(max int) decimal.Decimal { return decimal.New(int64(1+r.IntN(max*1000)), -3) }
	for k := range 1 + r.IntN(3) {
		skuID, part := fmt.Sprintf("sku-%d", k), fmt.Sprintf("SKU%d", k)
		termLen := pick("P1M", "P1Y", "P3Y")
		plan := "monthly"
		if termLen != "P1M" && r.IntN(2) == 0 {
			plan = map[string]string{"P1Y": "annual", "P3Y": "triennial"}[termLen]
		}
		productSKU := fmt.Sprintf("PRODUCT%d:0001", k)
		for j := range 1 + r.IntN(3) {
			from := p.First().AddDate(0, -r.IntN(40), 0)
			var to *time.Time
			if r.IntN(3) == 0 {
				end := from.AddDate(0, 1+r.IntN(30), -1)
				to = &end
			}
			row := pricing.Price{Key: pricing.Key{ProductID: fmt.Sprintf("PRODUCT%d", k), SKUID: "0001", TermDuration: termLen, BillingPlan: plan,
				Market: "NL", Currency: c.Currency, Segment: "commercial"}, UnitPrice: price(400), From: from, To: to, Source: fmt.Sprintf("list.csv:%d", j+2)}
			if r.IntN(4) > 0 {
				erp := row.UnitPrice.Mul(decimal.RequireFromString("1.2"))
				row.ERPPrice = &erp
			}
			c.Prices = append(c.Prices, row)
		}
		h := Holding{SKUID: skuID, PartNumber: part}
		h.Assigned = randomSeats(r, p)
		for s := range r.IntN(3) {
			start := p.First().AddDate(0, -r.IntN(14), r.IntN(28))
			sub := Subscription{ID: fmt.Sprintf("s%d-%d", k, s), ProductSKU: productSKU, Term: termLen, BillingPlan: plan, Seats: randomSeats(r, p), SeatsFrom: pick(SeatsGraph, SeatsPartnerCenter)}
			if r.IntN(5) > 0 {
				sub.TermStart = start
			}
			if r.IntN(6) == 0 {
				sub.ProductSKU = ""
			}
			h.Subscriptions = append(h.Subscriptions, sub)
		}
		c.Holdings = append(c.Holdings, h)
		if r.IntN(5) == 0 {
			continue // held without a contract line
		}
		l := contracts.Line{TenantID: c.TenantID, SKUID: skuID, PartNumber: part, Term: termLen, BillingPlan: plan, Start: p.First().AddDate(0, -r.IntN(6), r.IntN(20)),
			NoticeDays: 30, SourceLine: k + 2, Policy: pick(contracts.PolicyProrated, contracts.PolicyFixedDay), Timing: pick(contracts.TimingAdvance, contracts.TimingArrears)}
		if l.Policy == contracts.PolicyFixedDay {
			l.BillingDay = 1 + r.IntN(28)
		}
		if r.IntN(4) == 0 {
			end := l.Start.AddDate(0, 1+r.IntN(6), r.IntN(20))
			l.End = &end
		}
		switch r.IntN(3) {
		case 0:
			n := 1 + r.IntN(50)
			l.Quantity = &n
		case 1:
			l.AsPurchased = true
		}
		switch r.IntN(3) {
		case 0:
			v := price(60)
			l.UnitPrice = &v
		case 1:
			v := decimal.New(int64(r.IntN(5000)), -2)
			l.MarkupPercent = &v
		default:
			l.ERP = true
			if r.IntN(2) == 0 {
				v := decimal.New(int64(r.IntN(9999)), -2)
				l.DiscountPercent = &v
			}
		}
		c.Contract = append(c.Contract, l)
	}
	return c
}

// randomSeats is a seat timeline around period p with a few changes, some mid-day.
func randomSeats(r *rand.Rand, p Period) []Span {
	at := p.First().AddDate(0, -2, r.IntN(60))
	var out []Span
	for range 1 + r.IntN(5) {
		out = append(out, Span{From: at, Seats: r.IntN(40)})
		if k := len(out) - 2; k >= 0 {
			out[k].To = &at
		}
		at = at.Add(time.Duration(1+r.IntN(30*24)) * time.Hour)
	}
	return out
}

// Billing customers on several goroutines gives the run one goroutine gives, line
// for line and in the same order.
func TestLinesConcurrentlyIsLines(t *testing.T) {
	for seed := range uint64(50) {
		r := rand.New(rand.NewPCG(seed, 15))
		period := Period{2026 + r.IntN(3), time.Month(1 + r.IntN(12))}
		var customers []Customer
		for i := range 1 + r.IntN(9) {
			customers = append(customers, randomCustomer(r, i, period))
		}
		one, err := json.Marshal(Lines(period, customers))
		if err != nil {
			t.Fatal(err)
		}
		for _, workers := range []int{2, 3, 16} {
			many, err := json.Marshal(LinesConcurrently(period, customers, workers))
			if err != nil {
				t.Fatal(err)
			}
			if string(many) != string(one) {
				t.Fatalf("seed %d, %d workers: the run differs from one goroutine's", seed, workers)
			}
		}
	}
}
