package sandbox

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// line writes a truth line the way the hand-computed expectations are written.
func (im ImpactTruth) line() string {
	day := func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		return t.Format(time.DateOnly)
	}
	amount := func(d *decimal.Decimal) string {
		if d == nil {
			return "-"
		}
		return d.StringFixed(2)
	}
	term := func(d *decimal.Decimal) string {
		if d == nil {
			return "-"
		}
		return d.String()
	}
	return fmt.Sprintf("%s %s %s %s/%s x%d %s %s→%s from %s reaches %s cost %s customer %s margin %s (%s %%) below %v",
		im.Customer, im.Market, im.PartNumber, im.Term, im.BillingPlan, im.Seats, im.Kind, term(im.OldPrice), term(im.NewPrice),
		day(im.Effective), day(im.Reaches), amount(im.CostChange), amount(im.CustomerChange), amount(im.Margin), amount(im.MarginPercent), im.BelowFloor)
}

// Hand-computed from the world's subscriptions, contracts and lists. The partner pays
// 95 % of the retail price; retail is the contract price (GBP at 0.88 to the euro).
//
//   - CUST-0007's Power BI Pro, monthly, renewed on 2026-11-01, the day the
//     correction took effect, so it pays it from then: 13.10 × 0.98 × 0.95 × 1.2 =
//     14.6353 → 13.10 × 0.95 × 1.2 = 14.934 a month, × 5 seats = +1.49; the fixed
//     15.72 leaves 0.786 (5 %).
//   - CUST-0001's Business Standard, monthly: renews 2026-11-22, so the rise of
//     2026-12-01 reaches it on 2026-12-22: 11.70 × 0.95 × 1.2 = 13.338 → × 1.12 =
//     14.9386, × 5 = +8.00; the fixed 14.04 leaves −0.8986 (−6.40 %).
//   - CUST-0002 (GB) Business Standard, annual, renewing 2027-06-10: 10.30 × 0.95 ×
//     12 = 117.42 → 131.5104, +1.1742 a seat a month, × 20 = +23.48; no contract line.
//   - CUST-0003 (DE, cost plus 15 %) Business Basic, annual, renewed on 2026-11-21,
//     before the rise, so next on 2027-11-21: 63.84 → 74.48, 0.88667 × 13 = +11.53,
//     the customer +13.26.
//   - CUST-0005 (IT) Business Standard, three years to 2029-04-16: 400.14 → 448.1568,
//     1.3338 × 10 = +13.34; the fixed 11.70 leaves −0.7488.
//   - CUST-0008 (GB) holds the retired Planner and Project Plan 3 until 2027-07-25;
//     its Business Standard does not renew (auto-renew off) and is not reached.
//   - CUST-0004 is in France, which has no list: its Business Standard and Power BI
//     Pro, whose offers change elsewhere, are reported; its Business Premium, whose
//     offer changes nowhere, is not.
func TestPriceImpactTruth(t *testing.T) {
	w, err := Generate(Options{Seed: 3, Tenants: 8})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"CUST-0007 NL POWER_BI_PRO P1M/monthly x5 up 14.6353→14.934 from 2026-11-01 reaches 2026-11-01 cost 1.49 customer - margin 0.79 (5.00 %) below false",
		"CUST-0007 NL O365_BUSINESS_PREMIUM P1M/monthly x3 up 13.338→14.9386 from 2026-12-01 reaches 2026-12-15 cost 4.80 customer - margin -0.90 (-6.40 %) below true",
		"CUST-0001 NL O365_BUSINESS_PREMIUM P1M/monthly x5 up 13.338→14.9386 from 2026-12-01 reaches 2026-12-22 cost 8.00 customer - margin -0.90 (-6.40 %) below true",
		"CUST-0001 NL POWER_BI_PRO P1Y/annual x5 up 146.3532→149.34 from 2026-11-01 reaches 2027-02-14 cost 1.24 customer - margin 0.66 (5.00 %) below false",
		"CUST-0002 GB O365_BUSINESS_PREMIUM P1Y/annual x20 up 117.42→131.5104 from 2026-12-01 reaches 2027-06-10 cost 23.48 customer - margin - (- %) below false",
		"CUST-0003 DE POWER_BI_PRO P1Y/annual x4 up 146.3532→149.34 from 2026-11-01 reaches 2027-07-10 cost 1.00 customer 1.14 margin - (- %) below false",
		"CUST-0008 GB PROJECTPROFESSIONAL P1Y/annual x2 retired 281.922→- from 2026-12-01 reaches 2027-07-25 cost - customer - margin - (- %) below false",
		"CUST-0003 DE O365_BUSINESS_ESSENTIALS P1Y/annual x13 up 63.84→74.48 from 2026-12-01 reaches 2027-11-21 cost 11.53 customer 13.26 margin - (- %) below false",
		"CUST-0005 IT O365_BUSINESS_PREMIUM P3Y/triennial x10 up 400.14→448.1568 from 2026-12-01 reaches 2029-04-16 cost 13.34 customer - margin -0.75 (-6.40 %) below true",
		"CUST-0004 FR O365_BUSINESS_PREMIUM P1Y/annual x4 no-list -→- from - reaches - cost - customer - margin - (- %) below false",
		"CUST-0004 FR POWER_BI_PRO P1Y/annual x32 no-list -→- from - reaches - cost - customer - margin - (- %) below false",
	}
	got := w.PriceImpactTruth(decimal.Zero)
	var lines []string
	for _, im := range got {
		lines = append(lines, im.line())
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("truth:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}

	// A floor of 10 % flags the fixed lines that keep 5 %.
	for _, im := range w.PriceImpactTruth(decimal.NewFromInt(10)) {
		if im.MarginPercent != nil && !im.BelowFloor {
			t.Errorf("%s: %s %% is not below a 10 %% floor", im.line(), im.MarginPercent)
		}
	}
}

// Renewals fall on the purchase's day of the month, or the month's last day; past
// renewals count.
func TestReachDay(t *testing.T) {
	d := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	for _, c := range []struct {
		term, created, next, effective, want string
		off                                  bool
	}{
		{"P1M", "2026-01-31", "2026-11-30", "2026-12-01", "2026-12-31", false},
		{"P1M", "2026-01-31", "2026-11-30", "2027-02-01", "2027-02-28", false},
		{"P1Y", "2024-02-29", "2026-02-28", "2026-12-01", "2027-02-28", false},
		{"P1Y", "2026-12-05", "2027-12-05", "2026-12-01", "2026-12-05", false}, // bought after the change
		{"P1Y", "2025-12-20", "2026-12-20", "2026-12-01", "", true},            // ends first, will not renew
		{"P1Y", "2026-12-05", "2027-12-05", "2026-12-01", "2026-12-05", true},  // bought after, renewal irrelevant
		{"P1M", "2026-10-01", "2027-01-01", "2026-11-01", "2026-11-01", false}, // renewed twice since: the first renewal under it
		{"P1M", "2026-10-01", "2027-01-01", "2026-11-01", "2026-11-01", true},  // which happened, auto-renew off or not
		{"P1M", "2026-01-31", "2026-12-31", "2026-09-15", "2026-09-30", false},
	} {
		s := &Subscription{Term: c.term, Created: d(c.created), NextLifecycle: d(c.next), AutoRenewOff: c.off}
		got, ok := reachDay(s, d(c.effective))
		if c.want == "" && ok || c.want != "" && (!ok || got.Format(time.DateOnly) != c.want) {
			t.Errorf("%s bought %s renewing %s, change %s: %s %v, want %q", c.term, c.created, c.next, c.effective, got.Format(time.DateOnly), ok, c.want)
		}
	}
}
