package export

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/seatledger/seatledger/internal/billing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func money(s string) *billing.Money { return &billing.Money{Decimal: dec(s)} }

const (
	mz = "4f1a2b3c-0000-4000-8000-00000000a001" // Müller & Zoë B.V.
	co = "4f1a2b3c-0000-4000-8000-00000000b002" // Contoso, "The Best" Ltd
	e3 = "05e9a617-0261-4cee-bb44-138d3ef5d965"
	bp = "cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46"
	ex = "4b9405b0-7788-4568-add1-99614e613b69"
)

// november is a hand-built run of November 2026: two customers in two currencies,
// a monthly line prorated daily, a credit adjusting October, a line whose cost is
// unknown, an annual term paid upfront and seats added to it mid-term. Every amount
// is worked out by hand below.
func november(status string) Run {
	nov := billing.Period{Year: 2026, Month: time.November}
	line := func(tenant, name, currency, kind, sku, part, term, plan string, from, to time.Time, qty, unit, amount string, cost, margin *billing.Money, src billing.Provenance) billing.Line {
		u := billing.PerMonth
		if kind == billing.KindUpfront || kind == billing.KindMidTerm {
			u = billing.PerTerm
		}
		return billing.Line{TenantID: tenant, Customer: name, Currency: currency, Period: nov, From: from, To: to, Kind: kind,
			SKUID: sku, PartNumber: part, Term: term, BillingPlan: plan, Quantity: dec(qty), Unit: u, UnitPrice: dec(unit),
			Amount: *money(amount), Cost: cost, Margin: margin, Source: src}
	}
	lines := []billing.Line{
		// 10 seats Nov 1-14, 15 from Nov 15: 380 seat-days ÷ 30 = 12.666667;
		// 380 × 36.00 ÷ 30 = 456.00; cost 380 × 32.76 ÷ 30 = 414.96; margin 41.04.
		line(mz, "Müller & Zoë B.V.", "EUR", billing.KindMonthly, e3, "SPE_E3", "P1Y", "monthly", day(2026, 11, 1), day(2026, 11, 30),
			"12.666667", "36", "456.00", money("414.96"), money("41.04"),
			billing.Provenance{ContractLine: 4, ContractRef: "MZ-2026", SubscriptionID: "sub-mz-e3", PartnerCenterID: "pc-mz-e3"}),
		// October was billed in advance at 15 seats; 14 were held Oct 18-31:
		// −14 seat-days ÷ 31 = −0.451613; −14 × 36.00 ÷ 31 = −16.258… → −16.26;
		// cost −14 × 32.76 ÷ 31 = −14.794… → −14.79; margin −1.47.
		line(mz, "Müller & Zoë B.V.", "EUR", billing.KindAdjustment, e3, "SPE_E3", "P1Y", "monthly", day(2026, 10, 18), day(2026, 10, 31),
			"-0.451613", "36", "-16.26", money("-14.79"), money("-1.47"),
			billing.Provenance{ContractLine: 4, ContractRef: "MZ-2026", SubscriptionID: "sub-mz-e3", PartnerCenterID: "pc-mz-e3"}),
		// 10 committed seats × 3.30 = 33.00; no price-list row, so no cost.
		line(co, `Contoso, "The Best" Ltd`, "GBP", billing.KindMonthly, ex, "EXCHANGESTANDARD", "P1M", "monthly", day(2026, 11, 1), day(2026, 11, 30),
			"10", "3.30", "33.00", nil, nil, billing.Provenance{ContractLine: 7}),
		// 5 seats × 198.00 a term = 990.00; cost 5 × 165.00 = 825.00.
		line(co, `Contoso, "The Best" Ltd`, "GBP", billing.KindUpfront, bp, "SPB", "P1Y", "annual", day(2026, 11, 1), day(2027, 10, 31),
			"5", "198.00", "990.00", money("825.00"), money("165.00"), billing.Provenance{ContractLine: 8, SubscriptionID: "sub-co-bp"}),
		// 2 seats added Nov 20, 346 of 365 days left: 2 × 346 ÷ 365 = 1.89589;
		// 2 × 198.00 × 346 ÷ 365 = 375.386… → 375.39; cost 2 × 165.00 × 346 ÷ 365 =
		// 312.821… → 312.82; margin 62.57.
		line(co, `Contoso, "The Best" Ltd`, "GBP", billing.KindMidTerm, bp, "SPB", "P1Y", "annual", day(2026, 11, 20), day(2027, 10, 31),
			"1.89589", "198.00", "375.39", money("312.82"), money("62.57"), billing.Provenance{ContractLine: 8, SubscriptionID: "sub-co-bp"}),
	}
	return Run{
		Run:     billing.Run{Period: nov, Lines: lines, Totals: billing.Totals(lines)},
		Status:  status,
		RunID:   "run-2026-11-7",
		LineIDs: []string{"L1", "L2", "L3", "L4", "L5"},
		Customers: map[string]Customer{
			mz: {ExternalRef: "DEB-10042", Email: "finance@mueller-zoe.example"},
			co: {ExternalRef: "=HYPERLINK(\"x\")"}, // a reference typed by someone, never a formula
		},
		SKUNames:    map[string]string{e3: "Microsoft 365 E3", bp: "Microsoft 365 Business Premium"},
		InvoiceDate: day(2026, 12, 1),
	}
}

// golden compares got with testdata/NAME.golden, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from %s (run with -update if the change is meant):\n--- got\n%s\n--- want\n%s", name, path, got, want)
	}
}

func TestFileName(t *testing.T) {
	for _, c := range []struct {
		status string
		format Format
		want   string
	}{
		{StatusApproved, XLSX, "billing-2026-11.xlsx"},
		{StatusDraft, XLSX, "billing-2026-11-DRAFT.xlsx"},
		{StatusApproved, CSV, "billing-2026-11.csv"},
		{StatusDraft, CSV, "billing-2026-11-DRAFT.csv"},
	} {
		if got := FileName(november(c.status), c.format); got != c.want {
			t.Errorf("FileName(%s, %s) = %q, want %q", c.status, c.format, got, c.want)
		}
	}
}

func TestWriteRefusesWhatItWouldMisstate(t *testing.T) {
	p, _ := Builtin("default")
	for _, c := range []struct {
		name   string
		change func(*Run)
		want   string
	}{
		{"unknown status", func(r *Run) { r.Status = "approved-ish" }, `status "approved-ish" is not draft or approved`},
		{"line ids not paired", func(r *Run) { r.LineIDs = r.LineIDs[:2] }, "2 line ids for 5 lines"},
		{"amount not rounded", func(r *Run) { r.Lines[0].Amount = *money("456.004") }, "line 1 (Müller & Zoë B.V., SPE_E3): amount 456.004 is not rounded to 2 decimals of EUR"},
		{"yen in hundredths", func(r *Run) {
			r.Lines[2].Currency, r.Lines[2].Cost = "JPY", money("3.5")
		}, "line 3 (Contoso, \"The Best\" Ltd, EXCHANGESTANDARD): cost 3.5 is not rounded to 0 decimals of JPY"},
		{"unknown currency", func(r *Run) { r.Lines[4].Currency = "XTS" }, `currency "XTS" has no known minor unit`},
	} {
		t.Run(c.name, func(t *testing.T) {
			run := november(StatusApproved)
			c.change(&run)
			for _, f := range []Format{CSV, XLSX} {
				err := Write(&bytes.Buffer{}, run, f, p)
				if err == nil || !strings.Contains(err.Error(), c.want) {
					t.Errorf("%s: error %v, want one saying %q", f, err, c.want)
				}
			}
		})
	}
	if err := Write(&bytes.Buffer{}, november(StatusDraft), "json", p); err == nil || !strings.Contains(err.Error(), `format "json"`) {
		t.Errorf("json: error %v, want an unknown format", err)
	}
}

func TestDescription(t *testing.T) {
	run := november(StatusApproved)
	p, _ := Builtin("default")
	want := []string{
		"Microsoft 365 E3, annual term billed monthly, 1–30 Nov 2026",
		"Microsoft 365 E3, annual term billed monthly, adjustment for 18–31 Oct 2026",
		"EXCHANGESTANDARD, monthly term, 1–30 Nov 2026",
		"Microsoft 365 Business Premium, annual term paid upfront, 1 Nov 2026 – 31 Oct 2027",
		"Microsoft 365 Business Premium, annual term paid upfront, seats added 20 Nov 2026 – 31 Oct 2027",
	}
	for i := range run.Lines {
		x := lineView{run: &run, profile: &p, index: i, line: &run.Lines[i]}
		if got := x.description(); got != want[i] {
			t.Errorf("line %d: %q, want %q", i+1, got, want[i])
		}
	}
	// A correction's amount is an approved line's error: it says which line it corrects.
	oct := billing.Period{Year: 2026, Month: time.October}
	correction := run.Lines[0]
	correction.Kind, correction.From, correction.To, correction.Corrects, correction.CorrectsPeriod = billing.KindCorrection, day(2026, 10, 1), day(2026, 10, 31), 412, &oct
	x := lineView{run: &run, profile: &p, line: &correction}
	if got, want := x.description(), "Microsoft 365 E3, annual term billed monthly, correction of 1–31 Oct 2026 (2026-10, approved, line 412)"; got != want {
		t.Errorf("correction: %q, want %q", got, want)
	}
	for _, c := range []struct {
		from, to time.Time
		want     string
	}{
		{day(2026, 11, 30), day(2026, 11, 30), "30 Nov 2026"},
		{day(2026, 11, 15), day(2026, 12, 3), "15 Nov – 3 Dec 2026"},
		{day(2028, 2, 1), day(2028, 2, 29), "1–29 Feb 2028"},
	} {
		if got := dayRange(c.from, c.to); got != c.want {
			t.Errorf("dayRange(%s, %s) = %q, want %q", c.from.Format(time.DateOnly), c.to.Format(time.DateOnly), got, c.want)
		}
	}
	for _, c := range []struct{ term, plan, want string }{
		{"P3Y", "annual", "triennial term billed annually"},
		{"P3Y", "triennial", "triennial term paid upfront"},
		{"P1Y", "monthly", "annual term billed monthly"},
	} {
		if got := termWords(c.term, c.plan); got != c.want {
			t.Errorf("termWords(%s, %s) = %q, want %q", c.term, c.plan, got, c.want)
		}
	}
}
