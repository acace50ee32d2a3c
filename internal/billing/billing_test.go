package billing

import (
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/seatledger/seatledger/internal/contracts"
	"github.com/seatledger/seatledger/internal/pricing"
)

const (
	spb   = "cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46"
	exo   = "4b9405b0-7788-4568-add1-99614e613b69"
	offer = "CFQ7TTC0LCHC:0002"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func ptr[T any](v T) *T { return &v }

func dec(s string) *decimal.Decimal { return ptr(decimal.RequireFromString(s)) }

// seats builds a timeline from (first day, seats) steps; the last holds on.
func seats(steps ...any) []Span {
	var out []Span
	for i := 0; i < len(steps); i += 2 {
		out = append(out, Span{From: steps[i].(time.Time), Seats: steps[i+1].(int)})
		if k := len(out) - 2; k >= 0 {
			out[k].To = ptr(out[k+1].From)
		}
	}
	return out
}

// line is a contract line from 2025-01-01, billed "prorated" unless changed.
func line(term, plan string, change func(*contracts.Line)) contracts.Line {
	l := contracts.Line{TenantID: "t1", SKUID: spb, PartNumber: "SPB", Term: term, BillingPlan: plan, Policy: contracts.PolicyProrated,
		Timing: contracts.TimingArrears, Start: day(2025, 1, 1), NoticeDays: 30, SourceLine: 2}
	change(&l)
	return l
}

func row(term, plan, unit string, erp *decimal.Decimal, from time.Time, to *time.Time, src string) pricing.Price {
	return pricing.Price{Key: pricing.Key{ProductID: "CFQ7TTC0LCHC", SKUID: "0002", TermDuration: term, BillingPlan: plan, Market: "NL", Currency: "EUR",
		Segment: "commercial"}, UnitPrice: decimal.RequireFromString(unit), ERPPrice: erp, From: from, To: to, Source: src}
}

func sub(id, term, plan string, start, renewal time.Time, s []Span) Subscription {
	return Subscription{ID: id, ProductSKU: offer, Term: term, BillingPlan: plan, TermStart: start, Renewal: renewal, Seats: s, SeatsFrom: SeatsGraph}
}

func customer(lines []contracts.Line, prices []pricing.Price, subs ...Subscription) Customer {
	return Customer{TenantID: "t1", Name: "Contoso", Currency: "EUR", Market: "NL", Contract: lines, Prices: prices,
		Holdings: []Holding{{SKUID: spb, PartNumber: "SPB", Subscriptions: subs}}}
}

// want is one expected line; cost and margin "" when unknown.
type want struct {
	kind     string
	from, to time.Time
	quantity string
	unit     string
	amount   string
	cost     string
	margin   string
}

func TestLines(t *testing.T) {
	nov, december := Period{2026, time.November}, Period{2026, time.December}
	monthlyRow := row("P1M", "monthly", "16.80", nil, day(2026, 1, 1), nil, "nl-2026-01.csv:12")
	cases := []struct {
		name      string
		period    Period
		customers []Customer
		want      []want
		notBilled []string
	}{{
		// Arrears, prorated: 10 seats Nov 1-14, 15 seats Nov 15-30.
		// seat-days 10×14 + 15×16 = 380; 380 ÷ 30 = 12.666667 seat-months.
		// amount 380 × 20.00 ÷ 30 = 253.333… → 253.33; cost 380 × 16.80 ÷ 30 = 212.80; margin 40.53.
		name:   "mid-month seat addition, prorated daily",
		period: nov,
		customers: []Customer{customer(
			[]contracts.Line{line("P1M", "monthly", func(l *contracts.Line) { l.AsPurchased, l.UnitPrice = true, dec("20.00") })},
			[]pricing.Price{monthlyRow},
			sub("s1", "P1M", "monthly", day(2026, 11, 1), day(2026, 12, 1), seats(day(2026, 9, 1), 10, day(2026, 11, 15), 15)))},
		want: []want{{KindMonthly, day(2026, 11, 1), day(2026, 11, 30), "12.666667", "20", "253.33", "212.80", "40.53"}},
	}, {
		// Advance, seats counted on day 1: December billed at its start from the 15
		// seats on Dec 1: 15 × 20.00 = 300.00 (cost 15 × 16.80 = 252.00).
		// November was billed in advance at the 10 seats on Nov 1; 5 more were held
		// Nov 15-30: (15 − 10) × 16 = 80 seat-days ÷ 30 = 2.666667;
		// 80 × 20.00 ÷ 30 = 53.333… → 53.33; cost 80 × 16.80 ÷ 30 = 44.80; margin 8.53.
		name:   "advance with last month's addition as an adjustment",
		period: december,
		customers: []Customer{customer(
			[]contracts.Line{line("P1M", "monthly", func(l *contracts.Line) {
				l.AsPurchased, l.UnitPrice, l.Timing = true, dec("20.00"), contracts.TimingAdvance
			})},
			[]pricing.Price{monthlyRow},
			sub("s1", "P1M", "monthly", day(2026, 12, 1), day(2027, 1, 1), seats(day(2026, 9, 1), 10, day(2026, 11, 15), 15)))},
		want: []want{
			{KindAdjustment, day(2026, 11, 1), day(2026, 11, 30), "2.666667", "20", "53.33", "44.80", "8.53"},
			{KindMonthly, day(2026, 12, 1), day(2026, 12, 31), "15", "20", "300.00", "252.00", "48.00"},
		},
	}, {
		// An annual term billed monthly renews on Nov 15. Microsoft's price rose from
		// 264.00 to 288.00 a term on 2026-07-01, but the term that began 2025-11-15
		// keeps 264.00 until its renewal. Cost plus 10 %, 10 committed seats, arrears:
		// Nov 1-14: 264.00 × 1.10 ÷ 12 = 24.20 a month; 140 seat-days;
		//   amount 140 × 24.20 ÷ 30 = 112.933… → 112.93; cost 140 × 22.00 ÷ 30 = 102.666… → 102.67; margin 10.26.
		// Nov 15-30: 288.00 × 1.10 ÷ 12 = 26.40; 160 seat-days;
		//   amount 160 × 26.40 ÷ 30 = 140.80; cost 160 × 24.00 ÷ 30 = 128.00; margin 12.80.
		name:   "cost plus markup across a price rise that reaches the subscription at its renewal",
		period: nov,
		customers: []Customer{customer(
			[]contracts.Line{line("P1Y", "monthly", func(l *contracts.Line) { l.Quantity, l.MarkupPercent = ptr(10), dec("10") })},
			[]pricing.Price{
				row("P1Y", "monthly", "264.00", nil, day(2025, 1, 1), ptr(day(2026, 6, 30)), "nl-2025-01.csv:7"),
				row("P1Y", "monthly", "288.00", nil, day(2026, 7, 1), nil, "nl-2026-07.csv:7"),
			},
			sub("s1", "P1Y", "monthly", day(2025, 11, 15), day(2026, 11, 15), seats(day(2025, 11, 15), 10)))},
		want: []want{
			{KindMonthly, day(2026, 11, 1), day(2026, 11, 14), "4.666667", "24.2", "112.93", "102.67", "10.26"},
			{KindMonthly, day(2026, 11, 15), day(2026, 11, 30), "5.333333", "26.4", "140.80", "128.00", "12.80"},
		},
	}, {
		// An annual term paid upfront starts 2026-11-01 (365 days, to 2027-10-31) with
		// 10 seats at 20.00 a month = 240.00 a term: 10 × 240.00 = 2,400.00; cost 10 ×
		// 201.60 = 2,016.00. Two seats added on Nov 20 have 346 days of the term left:
		// 2 × 240.00 × 346 ÷ 365 = 455.013… → 455.01; cost 2 × 201.60 × 346 ÷ 365 =
		// 382.211… → 382.21; margin 72.80.
		name:   "annual upfront with a seat added mid-term",
		period: nov,
		customers: []Customer{customer(
			[]contracts.Line{line("P1Y", "annual", func(l *contracts.Line) { l.AsPurchased, l.UnitPrice = true, dec("20.00") })},
			[]pricing.Price{row("P1Y", "annual", "201.60", nil, day(2026, 1, 1), nil, "nl-2026-01.csv:9")},
			sub("s1", "P1Y", "annual", day(2026, 11, 1), day(2027, 11, 1), seats(day(2026, 11, 1), 10, day(2026, 11, 20), 12)))},
		want: []want{
			{KindUpfront, day(2026, 11, 1), day(2027, 10, 31), "10", "240", "2400.00", "2016.00", "384.00"},
			{KindMidTerm, day(2026, 11, 20), day(2027, 10, 31), "1.89589", "240", "455.01", "382.21", "72.80"},
		},
	}, {
		// The same annual upfront term began 2026-03-01 and was billed then; seatledger's
		// history of it begins at its first sync, 2026-11-10 06:00, with 20 seats. That
		// is where knowledge starts, not 20 seats added: November bills nothing; two
		// seats added on Nov 20 are billed for the 101 days left to 2027-02-28:
		// 2 × 240.00 × 101 ÷ 365 = 132.821… → 132.82; cost 2 × 201.60 × 101 ÷ 365 =
		// 111.569… → 111.57; margin 21.25.
		name:   "annual upfront whose history begins mid-term",
		period: nov,
		customers: []Customer{customer(
			[]contracts.Line{line("P1Y", "annual", func(l *contracts.Line) { l.AsPurchased, l.UnitPrice = true, dec("20.00") })},
			[]pricing.Price{row("P1Y", "annual", "201.60", nil, day(2026, 1, 1), nil, "nl-2026-01.csv:9")},
			sub("s1", "P1Y", "annual", day(2026, 3, 1), day(2027, 3, 1), seats(day(2026, 11, 10).Add(6*time.Hour), 20, day(2026, 11, 20), 22)))},
		want: []want{
			{KindMidTerm, day(2026, 11, 20), day(2027, 2, 28), "0.553425", "240", "132.82", "111.57", "21.25"},
		},
	}, {
		// February 2028 has 29 days: 10 seats Feb 1-9, 20 seats Feb 10-29:
		// 90 + 400 = 490 seat-days ÷ 29 = 16.896552; 490 × 10.00 ÷ 29 = 168.965… → 168.97.
		// No subscription offer is known, so the cost is unknown.
		name:   "February in a leap year",
		period: Period{2028, time.February},
		customers: []Customer{customer(
			[]contracts.Line{line("P1M", "monthly", func(l *contracts.Line) { l.AsPurchased, l.UnitPrice = true, dec("10.00") })},
			nil,
			Subscription{ID: "s1", Term: "P1M", BillingPlan: "monthly", TermStart: day(2028, 2, 1), Renewal: day(2028, 3, 1),
				Seats: seats(day(2027, 12, 1), 10, day(2028, 2, 10), 20), SeatsFrom: SeatsGraph})},
		want: []want{{KindMonthly, day(2028, 2, 1), day(2028, 2, 29), "16.896552", "10", "168.97", "", ""}},
	}, {
		// One committed seat at 0.125 a month: exactly half a cent rounds up, 0.13.
		name:   "half a cent rounds half-up",
		period: nov,
		customers: []Customer{customer(
			[]contracts.Line{line("P1M", "monthly", func(l *contracts.Line) {
				l.Quantity, l.UnitPrice, l.Policy, l.BillingDay = ptr(1), dec("0.125"), contracts.PolicyFixedDay, 1
			})}, nil)},
		want: []want{{KindMonthly, day(2026, 11, 1), day(2026, 11, 30), "1", "0.125", "0.13", "", ""}},
	}, {
		// A credit at exactly half a cent rounds away from zero too. Advance at 3.75 a
		// month: 2 seats on Nov 1 billed in advance, one returned for Nov 30:
		// (1 − 2) × 1 day = −1 seat-day; −1 × 3.75 ÷ 30 = −0.125 → −0.13.
		// December: 1 seat on Dec 1 × 3.75 = 3.75.
		name:   "a half-cent credit rounds away from zero",
		period: december,
		customers: []Customer{customer(
			[]contracts.Line{line("P1M", "monthly", func(l *contracts.Line) {
				l.AsPurchased, l.UnitPrice, l.Timing = true, dec("3.75"), contracts.TimingAdvance
			})}, nil,
			Subscription{ID: "s1", Term: "P1M", BillingPlan: "monthly", Seats: seats(day(2026, 10, 1), 2, day(2026, 11, 30), 1), SeatsFrom: SeatsGraph})},
		want: []want{
			{KindAdjustment, day(2026, 11, 1), day(2026, 11, 30), "-0.033333", "3.75", "-0.13", "", ""},
			{KindMonthly, day(2026, 12, 1), day(2026, 12, 31), "1", "3.75", "3.75", "", ""},
		},
	}, {
		// Two customers, two currencies: 3 seats × 12.345 EUR = 37.035 → 37.04;
		// 3 seats × 1,234.5 JPY = 3,703.5 → 3,704 (the yen has no minor unit).
		name:   "two currencies",
		period: nov,
		customers: func() []Customer {
			committed := func(price string) contracts.Line {
				return line("P1M", "monthly", func(l *contracts.Line) { l.Quantity, l.UnitPrice = ptr(3), dec(price) })
			}
			eur := customer([]contracts.Line{committed("12.345")}, nil)
			jpy := customer([]contracts.Line{committed("1234.5")}, nil)
			jpy.TenantID, jpy.Name, jpy.Currency, jpy.Market = "t2", "Kaisha", "JPY", "JP"
			return []Customer{eur, jpy}
		}(),
		want: []want{
			{KindMonthly, day(2026, 11, 1), day(2026, 11, 30), "3", "12.345", "37.04", "", ""},
			{KindMonthly, day(2026, 11, 1), day(2026, 11, 30), "3", "1234.5", "3704", "", ""},
		},
	}, {
		// ERP price 316.80 a term less 10 % = 285.12 a term = 23.76 a month; 5 seats
		// the whole month: 5 × 23.76 = 118.80. Cost 264.00 ÷ 12 = 22.00 × 5 = 110.00.
		name:   "ERP price less a discount",
		period: nov,
		customers: []Customer{customer(
			[]contracts.Line{line("P1Y", "monthly", func(l *contracts.Line) { l.Quantity, l.ERP, l.DiscountPercent = ptr(5), true, dec("10") })},
			[]pricing.Price{row("P1Y", "monthly", "264.00", dec("316.80"), day(2026, 1, 1), nil, "nl-2026-01.csv:8")},
			sub("s1", "P1Y", "monthly", day(2026, 3, 1), day(2027, 3, 1), seats(day(2026, 3, 1), 5)))},
		want: []want{{KindMonthly, day(2026, 11, 1), day(2026, 11, 30), "5", "23.76", "118.80", "110.00", "8.80"}},
	}, {
		// As purchased: Partner Center says 12 seats were bought, users hold 8. Billed
		// in advance on day 1: 12 × 10.00 = 120.00. October held 12 seats all month,
		// so no adjustment follows.
		name:   "as purchased bills the seats bought, not the seats assigned",
		period: nov,
		customers: func() []Customer {
			c := customer([]contracts.Line{line("P1M", "monthly", func(l *contracts.Line) {
				l.AsPurchased, l.UnitPrice, l.Timing, l.Policy, l.BillingDay = true, dec("10.00"), contracts.TimingAdvance, contracts.PolicyFixedDay, 1
			})}, nil)
			s := Subscription{ID: "s1", PartnerCenterID: "pc1", Term: "P1M", BillingPlan: "monthly", Seats: seats(day(2026, 1, 1), 12), SeatsFrom: SeatsPartnerCenter}
			c.Holdings[0].Subscriptions = []Subscription{s}
			c.Holdings[0].Assigned = seats(day(2026, 1, 1), 8)
			return []Customer{c}
		}(),
		want: []want{{KindMonthly, day(2026, 11, 1), day(2026, 11, 30), "12", "10", "120.00", "", ""}},
	}, {
		// Exchange Online Plan 1 is held (5 seats all November) and no contract line
		// bills it: 5 × 30 = 150 seat-days listed as not billed, no line.
		name:   "a held SKU without a contract line is not billed, and says so",
		period: nov,
		customers: func() []Customer {
			c := customer([]contracts.Line{line("P1M", "monthly", func(l *contracts.Line) { l.Quantity, l.UnitPrice = ptr(1), dec("20") })}, nil)
			c.Holdings = append(c.Holdings, Holding{SKUID: exo, PartNumber: "EXCHANGESTANDARD",
				Subscriptions: []Subscription{{ID: "s9", Term: "P1M", BillingPlan: "monthly", Seats: seats(day(2026, 1, 1), 5)}}})
			return []Customer{c}
		}(),
		want:      []want{{KindMonthly, day(2026, 11, 1), day(2026, 11, 30), "1", "20", "20.00", "", ""}},
		notBilled: []string{"EXCHANGESTANDARD s9 150: no contract line bills EXCHANGESTANDARD (P1M, monthly)"},
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			run := Lines(c.period, c.customers)
			if len(run.Lines) != len(c.want) {
				t.Fatalf("got %d lines, want %d:\n%s", len(run.Lines), len(c.want), dump(run.Lines))
			}
			for i, w := range c.want {
				g := run.Lines[i]
				got := want{g.Kind, g.From, g.To, g.Quantity.String(), g.UnitPrice.String(), g.Amount.String(), moneyText(g.Cost), moneyText(g.Margin)}
				if got != w {
					t.Errorf("line %d:\n got  %+v\n want %+v\n%s", i, got, w, g.Source.Counting)
				}
				requireProvenance(t, g)
			}
			var nb []string
			for _, n := range run.NotBilled {
				nb = append(nb, n.PartNumber+" "+n.SubscriptionID+" "+decimal.NewFromInt(n.SeatDays).String()+": "+n.Reason)
			}
			if strings.Join(nb, "\n") != strings.Join(c.notBilled, "\n") {
				t.Errorf("not billed:\n got  %q\n want %q", nb, c.notBilled)
			}
			requireTotals(t, run)
		})
	}
}

func moneyText(m *Money) string {
	if m == nil {
		return ""
	}
	return m.String()
}

func dump(lines []Line) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l.Kind + " " + l.From.Format(time.DateOnly) + ".." + l.To.Format(time.DateOnly) + " " + l.Quantity.String() + " × " +
			l.UnitPrice.String() + " = " + l.Amount.String() + " (" + l.Source.Counting + ")\n")
	}
	return b.String()
}

// The price lock follows the subscription, not the list: the price row, its source
// and the day the lock read it are on the line.
func TestLinesNamePriceRowUnderTheLock(t *testing.T) {
	l := line("P1Y", "monthly", func(l *contracts.Line) { l.Quantity, l.MarkupPercent = ptr(10), dec("10") })
	c := customer([]contracts.Line{l}, []pricing.Price{
		row("P1Y", "monthly", "264.00", nil, day(2025, 1, 1), ptr(day(2026, 6, 30)), "nl-2025-01.csv:7"),
		row("P1Y", "monthly", "288.00", nil, day(2026, 7, 1), nil, "nl-2026-07.csv:7"),
	}, sub("s1", "P1Y", "monthly", day(2025, 11, 15), day(2026, 11, 15), seats(day(2025, 11, 15), 10)))
	// October 2026: after the rise, before the renewal: still 264.00 a term.
	run := Lines(Period{2026, time.October}, []Customer{c})
	if len(run.Lines) != 1 {
		t.Fatalf("got %s", dump(run.Lines))
	}
	p := run.Lines[0].Source.Price
	if p == nil || p.Source != "nl-2025-01.csv:7" || !p.LockedOn.Equal(day(2025, 11, 15)) || run.Lines[0].UnitPrice.String() != "24.2" {
		t.Errorf("price under the lock: %+v, unit %s", p, run.Lines[0].UnitPrice)
	}
	if ts := run.Lines[0].Source.TermStart; ts == nil || !ts.Equal(day(2025, 11, 15)) || !run.Lines[0].Source.TermEnd.Equal(day(2026, 11, 14)) {
		t.Errorf("term: %v %v", ts, run.Lines[0].Source.TermEnd)
	}
	// A cost-plus line with no row in force is listed as not billed, never dropped.
	c.Prices = c.Prices[1:]
	run = Lines(Period{2026, time.October}, []Customer{c})
	if len(run.Lines) != 0 || len(run.NotBilled) != 1 || run.NotBilled[0].SeatDays != 310 ||
		!strings.Contains(run.NotBilled[0].Reason, "no price-list row of CFQ7TTC0LCHC:0002 (P1Y, monthly) in NL EUR was in force on 2025-11-15") {
		t.Errorf("got lines %s, not billed %+v", dump(run.Lines), run.NotBilled)
	}
}

func TestMinorUnit(t *testing.T) {
	for cur, want := range map[string]int32{"EUR": 2, "gbp": 2, "USD": 2, "JPY": 0} {
		if got, ok := MinorUnit(cur); !ok || got != want {
			t.Errorf("%s: %d %v", cur, got, ok)
		}
	}
	if _, ok := MinorUnit("XXX"); ok {
		t.Error("an unknown currency was given a minor unit")
	}
	c := customer([]contracts.Line{line("P1M", "monthly", func(l *contracts.Line) { l.Quantity, l.UnitPrice = ptr(1), dec("20") })}, nil)
	c.Currency = "XXX"
	run := Lines(Period{2026, time.November}, []Customer{c})
	if len(run.Lines) != 0 || len(run.NotBilled) != 1 || !strings.Contains(run.NotBilled[0].Reason, `currency "XXX"`) {
		t.Errorf("an unknown currency: %s %+v", dump(run.Lines), run.NotBilled)
	}
}

func TestParsePeriod(t *testing.T) {
	p, err := ParsePeriod("2028-02")
	if err != nil || p.Days() != 29 || p.String() != "2028-02" || p.Prev().String() != "2028-01" || !p.Contains(day(2028, 2, 29)) {
		t.Errorf("got %v %v", p, err)
	}
	if _, err := ParsePeriod("2028-13"); err == nil {
		t.Error("month 13 accepted")
	}
}
