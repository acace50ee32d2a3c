package pricing

import (
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

func isoDay(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// impactCase is a holding and what a change must do to it; empty strings for what
// must be absent.
type impactCase struct {
	name                            string
	h                               Holding
	reaches, cost, customer, margin string
	below                           bool
	note                            string
}

func dec(s string) *decimal.Decimal { d := decimal.RequireFromString(s); return &d }

// Hand-computed: Microsoft 365 E3 goes from 36 to 39 a month on an annual term (432 to
// 468 a year) and from 43.20 to 46.80 on a monthly one, effective 2026-07-01.
func TestImpacts(t *testing.T) {
	e3 := func(term, plan, currency, old, new string) Change {
		return Change{Key: Key{ProductID: "CFQ7TTC0LFLZ", SKUID: "0001", TermDuration: term, BillingPlan: plan, Market: "NL", Currency: currency, Segment: "commercial"},
			Kind: ChangeUp, Old: dec(old), New: dec(new), Effective: isoDay("2026-07-01")}
	}
	changes := []Change{e3("P1Y", "Annual", "EUR", "432", "468"), e3("P1M", "Monthly", "EUR", "43.20", "46.80"), e3("P1Y", "Annual", "GBP", "360", "396")}
	holding := func(sub, term, plan, currency, start, renewal string) Holding {
		h := Holding{TenantID: "t", Customer: "C " + sub, Market: "NL", Currency: currency, SubscriptionID: sub, PartNumber: "SPE_E3",
			ProductSKU: "CFQ7TTC0LFLZ:0001", Term: term, BillingPlan: plan, Seats: 10, TermStart: isoDay(start)}
		if renewal != "" {
			h.Renewal = isoDay(renewal)
		}
		return h
	}
	cases := []impactCase{
		{"an annual term renewing after the change keeps the old price until then", holding("a", "P1Y", "annual", "EUR", "2026-03-15", "2027-03-15"), "2027-03-15", "30.00", "", "", false, ""},
		{"a monthly term gets the new price at its next renewal", holding("m", "P1M", "monthly", "EUR", "2026-06-20", "2026-07-20"), "2026-07-20", "36.00", "", "", false, ""},
		{"a monthly term whose next renewal date on record is before the change", holding("m2", "P1M", "monthly", "EUR", "2026-05-20", "2026-06-20"), "2026-07-20", "36.00", "", "", false, ""},
		{"a subscription bought after the change pays the new price from its start", holding("n", "P1Y", "annual", "EUR", "2026-07-10", "2027-07-10"), "2026-07-10", "30.00", "", "", false, ""},
		{"a customer in GBP is priced from the GBP rows", holding("g", "P1Y", "annual", "GBP", "2026-02-01", "2027-02-01"), "2027-02-01", "30.00", "", "", false, ""},
		{"a customer whose currency the list does not carry", holding("c", "P1Y", "annual", "CHF", "2026-02-01", "2027-02-01"), "", "", "", "", false, "no price in CHF"},
		{"an unknown renewal", holding("u", "P1Y", "annual", "EUR", "2026-02-01", ""), "", "30.00", "", "", false, "renewal date is unknown"},
	}
	// Bought on January 31, renewing on the last day of shorter months: the change of
	// July 1 reaches it on July 31, not on the 30th the June renewal would suggest.
	monthEnd := holding("e", "P1M", "monthly", "EUR", "2026-05-31", "2026-06-30")
	monthEnd.Created = isoDay("2026-01-31")
	cases = append(cases, impactCase{"a monthly term bought on the 31st keeps renewing on month ends", monthEnd, "2026-07-31", "36.00", "", "", false, ""})
	markup := holding("k", "P1Y", "annual", "EUR", "2026-03-15", "2027-03-15")
	markup.MarkupPercent = dec("15")
	cases = append(cases, impactCase{"cost plus 15 %: the customer's price rises with it", markup, "2027-03-15", "30.00", "34.50", "", false, ""})
	fixed := holding("f", "P1Y", "annual", "EUR", "2026-03-15", "2027-03-15")
	fixed.FixedPrice = dec("40")
	cases = append(cases, impactCase{"a fixed price of 40: the margin falls to 1.00 a seat, 2.5 %, below a 5 % floor", fixed, "2027-03-15", "30.00", "", "1.00", true, ""})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Impacts(changes, []Holding{c.h}, decimal.NewFromInt(5))
			if len(got) != 1 {
				t.Fatalf("%d impacts: %+v", len(got), got)
			}
			im := got[0]
			reaches := ""
			if !im.Reaches.IsZero() {
				reaches = im.Reaches.Format(time.DateOnly)
			}
			str := func(a interface{ String() string }, ok bool) string {
				if !ok {
					return ""
				}
				return a.String()
			}
			if reaches != c.reaches || str(im.CostChange, im.CostChange != nil) != c.cost || str(im.CustomerChange, im.CustomerChange != nil) != c.customer ||
				str(im.Margin, im.Margin != nil) != c.margin || im.BelowFloor != c.below || !strings.Contains(im.Note, c.note) {
				t.Errorf("reaches %q cost %v customer %v margin %v below %v note %q", reaches, im.CostChange, im.CustomerChange, im.Margin, im.BelowFloor, im.Note)
			}
		})
	}

	// A retired offer held by a customer: its own line, dated to the renewal before
	// which the customer must move.
	retired := Change{Key: changes[0].Key, Kind: ChangeRetired, Old: dec("432"), Effective: isoDay("2026-07-01")}
	got := Impacts([]Change{retired}, []Holding{holding("r", "P1Y", "annual", "EUR", "2026-03-15", "2027-03-15")}, decimal.Zero)
	if len(got) != 1 || !strings.Contains(got[0].Note, "retired") || got[0].Reaches.Format(time.DateOnly) != "2027-03-15" {
		t.Errorf("retired: %+v", got)
	}

	// A term that will not renew ends before a later rise reaches it; one that began
	// after the rise pays it from its start all the same.
	off := holding("o", "P1Y", "annual", "EUR", "2026-03-15", "2027-03-15")
	off.AutoRenewOff = true
	if got := Impacts(changes, []Holding{off}, decimal.Zero); len(got) != 0 {
		t.Errorf("auto-renew off, reached: %+v", got)
	}
	off.TermStart, off.Renewal = isoDay("2026-07-10"), isoDay("2027-07-10")
	if got := Impacts(changes, []Holding{off}, decimal.Zero); len(got) != 1 || got[0].Reaches.Format(time.DateOnly) != "2026-07-10" {
		t.Errorf("auto-renew off, bought after the rise: %+v", got)
	}

	// Terms that began under the change, with the purchase known: a monthly term
	// bought before it pays it from its first renewal on or after it, not from the
	// current term's start; one bought after it from its purchase.
	since := holding("s", "P1M", "monthly", "EUR", "2026-09-20", "2026-10-20")
	since.Created = isoDay("2026-02-20")
	bought := holding("b", "P1M", "monthly", "EUR", "2026-09-12", "2026-10-12")
	bought.Created = isoDay("2026-07-12")
	for _, c := range []struct {
		h    Holding
		want string
	}{{since, "2026-07-20"}, {bought, "2026-07-12"}} {
		got := Impacts(changes, []Holding{c.h}, decimal.Zero)
		if len(got) != 1 || got[0].Reaches.Format(time.DateOnly) != c.want {
			t.Errorf("%s: %+v, want reaching %s", c.h.SubscriptionID, got, c.want)
		}
	}

	// A customer in a market no list prices the offer in: one line, nothing guessed;
	// none when no change names its offer, term and billing plan anywhere.
	fr := holding("fr", "P1Y", "annual", "EUR", "2026-03-15", "2027-03-15")
	fr.Market, fr.NoPriceList = "FR", true
	if got := Impacts(changes, []Holding{fr}, decimal.Zero); len(got) != 1 || got[0].CostChange != nil || !got[0].Reaches.IsZero() ||
		!strings.Contains(got[0].Note, "no price list") || !strings.Contains(got[0].Note, "FR") {
		t.Errorf("no list in the market: %+v", got)
	}
	fr.BillingPlan = "triennial"
	if got := Impacts(changes, []Holding{fr}, decimal.Zero); len(got) != 0 {
		t.Errorf("no list in the market, offer unchanged elsewhere: %+v", got)
	}

	// Sorted by the day the change lands.
	all := Impacts(changes, []Holding{cases[0].h, cases[1].h, cases[3].h}, decimal.Zero)
	for i := 1; i < len(all); i++ {
		if all[i].Reaches.Before(all[i-1].Reaches) {
			t.Errorf("not sorted by the day it lands: %s before %s", all[i-1].Reaches, all[i].Reaches)
		}
	}
}

// A subscription pays the price in force when its term began, not today's.
func TestLocked(t *testing.T) {
	key := Key{ProductID: "CFQ7TTC0LFLZ", SKUID: "0001", TermDuration: "P1Y", BillingPlan: "Annual", Market: "NL", Currency: "EUR", Segment: "commercial"}
	june := isoDay("2026-06-30")
	prices := []Price{{Key: key, UnitPrice: decimal.RequireFromString("432"), From: isoDay("2023-04-01"), To: &june},
		{Key: key, UnitPrice: decimal.RequireFromString("468"), From: isoDay("2026-07-01")}}
	h := Holding{Market: "NL", Currency: "EUR", ProductSKU: "CFQ7TTC0LFLZ:0001", Term: "P1Y", BillingPlan: "annual", Seats: 10, TermStart: isoDay("2026-03-15")}
	p, ok := Locked(prices, h, isoDay("2026-11-30"))
	if !ok || p.Monthly().String() != "36" {
		t.Errorf("locked at the term's start: %v %s", ok, p.Monthly())
	}
	h.TermStart = isoDay("2026-07-15")
	if p, ok := Locked(prices, h, isoDay("2026-11-30")); !ok || p.Monthly().String() != "39" {
		t.Errorf("bought after the rise: %v %s", ok, p.Monthly())
	}
	h.Currency = "GBP"
	if _, ok := Locked(prices, h, isoDay("2026-11-30")); ok {
		t.Error("priced in another currency")
	}
}
