package sandbox

import (
	"bytes"
	"encoding/csv"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/seatledger/seatledger/internal/pricing"
)

func month(s string) time.Time {
	t, err := time.Parse("2006-01", s)
	if err != nil {
		panic(err)
	}
	return t
}

// sheetPrices reads a market's list of a month the way seatledger does, by key.
func sheetPrices(t *testing.T, w *World, market string, m time.Time) map[pricing.Key]pricing.Price {
	t.Helper()
	data, ok := w.PriceSheetCSV(market, m)
	if !ok {
		t.Fatalf("no price list for %s %s", market, m.Format("2006-01"))
	}
	list, err := pricing.ParseCSV(bytes.NewReader(data), market+".csv")
	if err != nil {
		t.Fatalf("%s %s: %v", market, m.Format("2006-01"), err)
	}
	if want := []pricing.Market{{Market: market, Currency: currencyOf(market)}}; !slices.Equal(list.Markets, want) {
		t.Errorf("%s %s covers %v, want %v", market, m.Format("2006-01"), list.Markets, want)
	}
	if list.Overridden != 0 {
		t.Errorf("%s %s: %d rows overridden", market, m.Format("2006-01"), list.Overridden)
	}
	out := map[pricing.Key]pricing.Price{}
	for _, p := range list.Prices() {
		if !p.From.Equal(m) || p.To != nil {
			t.Errorf("%s %s: %v runs %s to %v, want from the month's first day, open", market, m.Format("2006-01"), p.Key, p.From, p.To)
		}
		out[p.Key] = p
	}
	return out
}

func TestPriceSheetMonths(t *testing.T) {
	w, err := Generate(Options{Seed: 3, Tenants: 2})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := w.PriceSheetMonths(), []time.Time{month("2026-10"), month("2026-11"), month("2026-12")}; !slices.Equal(got, want) {
		t.Errorf("months %v, want %v", got, want)
	}
	w2, err := Generate(Options{Seed: 3, Tenants: 2, Start: time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := w2.PriceSheetMonths(), []time.Time{month("2026-12"), month("2027-01"), month("2027-02")}; !slices.Equal(got, want) {
		t.Errorf("months from 2027-01-31: %v, want %v", got, want)
	}
	for _, c := range []struct {
		market string
		m      time.Time
	}{{"FR", month("2026-11")}, {"NL", month("2026-09")}, {"NL", month("2027-01")}, {"NL", month("2026-11").AddDate(0, 0, 1)}} {
		if _, ok := w.PriceSheetCSV(c.market, c.m); ok {
			t.Errorf("a list for %s %s", c.market, c.m)
		}
	}
}

// The lists price every offer the partner sells, in the market's currency, and change
// from month to month exactly as planned: a correction of Power BI Pro in euro, then
// the preview month's rise, one offer retired and one added.
func TestPriceSheetsConsistentWithTheWorld(t *testing.T) {
	w, err := Generate(Options{Seed: 3, Tenants: 8})
	if err != nil {
		t.Fatal(err)
	}
	matrix, err := csv.NewReader(bytes.NewReader(w.OfferMatrixCSV())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	offered := map[string]string{} // ProductId:SkuId → Graph skuId
	for _, r := range matrix[1:] {
		offered[r[1]+":"+r[2]] = r[4]
	}
	newOffer := ProductSKU(NewOfferSKUID)
	if offered[newOffer] != NewOfferSKUID {
		t.Errorf("the offer matrix lacks the new offer %s", newOffer)
	}
	var retired string
	for ps, id := range offered {
		if sku, _ := w.gen.cat.ByID(id); sku.PartNumber == RetiredPartNumber {
			retired = ps
		}
	}
	held := false
	for _, tn := range w.Tenants {
		for _, s := range tn.Subscriptions {
			held = held || s.PartNumber == RetiredPartNumber && s.OwnerTenantID == PartnerTenantID && !s.Trial && s.Status == "Enabled"
		}
	}
	if retired == "" || !held {
		t.Fatalf("the retired offer %s is not held by any customer (offer %q)", RetiredPartNumber, retired)
	}

	months := w.PriceSheetMonths()
	for _, market := range PriceSheetMarkets {
		lists := make([]map[pricing.Key]pricing.Price, len(months))
		for i, m := range months {
			lists[i] = sheetPrices(t, w, market, m)
			products := map[string]bool{}
			for k, p := range lists[i] {
				products[k.ProductID+":"+k.SKUID] = true
				if k.Currency != currencyOf(market) {
					t.Errorf("%s %v in %s", market, k, k.Currency)
				}
				if p.ERPPrice == nil || p.UnitPrice.GreaterThan(*p.ERPPrice) {
					t.Errorf("%s %v: unit price %s above the retail price %v", market, k, p.UnitPrice, p.ERPPrice)
				}
			}
			for ps := range offered {
				want := !(i < 2 && ps == newOffer || i == 2 && ps == retired)
				if products[ps] != want {
					t.Errorf("%s %s: offer %s listed %v, want %v", market, m.Format("2006-01"), ps, products[ps], want)
				}
			}
			if len(products) != len(offered)-1 {
				t.Errorf("%s %s: %d offers, want %d", market, m.Format("2006-01"), len(products), len(offered)-1)
			}
		}
		// The terms of one offer keep the documented ratios: annual is 12 months,
		// billed monthly 5 % more, a monthly term 20 % more.
		for k, p := range lists[1] {
			if k.TermDuration != "P1Y" || k.BillingPlan != "annual" || k.Segment != "commercial" {
				continue
			}
			monthly := p.UnitPrice.Div(decimal.NewFromInt(12))
			for _, c := range []struct {
				term, plan string
				factor     string
			}{{"P1M", "monthly", "1.2"}, {"P1Y", "monthly", "12.6"}} {
				k2 := k
				k2.TermDuration, k2.BillingPlan = c.term, c.plan
				o, ok := lists[1][k2]
				if !ok {
					t.Errorf("%s: %v has no %s %s row", market, k, c.term, c.plan)
					continue
				}
				if want := monthly.Mul(decimal.RequireFromString(c.factor)); o.UnitPrice.Sub(want).Abs().GreaterThan(decimal.RequireFromString("0.0001")) {
					t.Errorf("%s %v: %s, want %s", market, k2, o.UnitPrice, want)
				}
			}
		}
		// From the first month to the second only Power BI Pro moves, in euro.
		for k, p := range lists[1] {
			old, ok := lists[0][k]
			moved := ok && !old.UnitPrice.Equal(p.UnitPrice)
			want := market != "GB" && strings.HasPrefix(p.ProductTitle, "Power BI Pro")
			if moved != want {
				t.Errorf("%s %v: %v → %s, moved %v, want %v", market, k, old.UnitPrice, p.UnitPrice, moved, want)
			}
		}
		// The preview month raises the suites by the 2026-07-01 percentages.
		rises := map[string]string{"Microsoft 365 Business Basic": "16.67", "Microsoft 365 Business Standard": "12.00", "Microsoft 365 Business Premium": "0.00",
			"Power BI Pro": "0.00", "Visio Plan 2": "0.00"}
		seen := map[string]bool{}
		for k, p := range lists[2] {
			old, ok := lists[1][k]
			if !ok || old.UnitPrice.IsZero() {
				continue
			}
			pct := p.UnitPrice.Sub(old.UnitPrice).Div(old.UnitPrice).Mul(decimal.NewFromInt(100)).Round(2).StringFixed(2)
			if want, ok := rises[p.ProductTitle]; ok {
				seen[p.ProductTitle] = true
				if pct != want {
					t.Errorf("%s %v: %s → %s is %s %%, want %s %%", market, k, old.UnitPrice, p.UnitPrice, pct, want)
				}
			}
		}
		for title := range rises {
			if !seen[title] {
				t.Errorf("%s: %s not priced in both months", market, title)
			}
		}
	}

	// Hand-computed: Business Premium in the Netherlands retails at 20.60 a month; the
	// partner pays 95 % of it.
	nl := sheetPrices(t, w, "NL", months[1])
	spb := strings.SplitN(ProductSKU("cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46"), ":", 2)
	for _, c := range []struct{ term, plan, unit, erp string }{
		{"P1Y", "annual", "234.84", "247.2"}, {"P1Y", "monthly", "246.582", "259.56"}, {"P1M", "monthly", "23.484", "24.72"},
	} {
		k := pricing.Key{ProductID: spb[0], SKUID: spb[1], TermDuration: c.term, BillingPlan: c.plan, Market: "NL", Currency: "EUR", Segment: "commercial"}
		p, ok := nl[k]
		if !ok || p.UnitPrice.String() != c.unit || p.ERPPrice.String() != c.erp {
			t.Errorf("%v: %s (ERP %v), want %s (ERP %s)", k, p.UnitPrice, p.ERPPrice, c.unit, c.erp)
		}
	}
	// Business Standard in pounds: 11.70 × 0.88 = 10.30 retail, 10.30 × 0.95 × 12 ×
	// 14 / 12.50 = 131.5104 in the preview month.
	gb := sheetPrices(t, w, "GB", months[2])
	bs := strings.SplitN(ProductSKU("f245ecc8-75af-4f8e-b61f-27d8114de5f3"), ":", 2)
	k := pricing.Key{ProductID: bs[0], SKUID: bs[1], TermDuration: "P1Y", BillingPlan: "annual", Market: "GB", Currency: "GBP", Segment: "commercial"}
	if p := gb[k]; p.UnitPrice.String() != "131.5104" {
		t.Errorf("%v: %s, want 131.5104", k, p.UnitPrice)
	}
	// The three-year term the world sells is listed, on the triennial plan.
	k.TermDuration, k.BillingPlan = "P3Y", "triennial"
	if p := gb[k]; p.UnitPrice.String() != "394.5312" {
		t.Errorf("%v: %s, want 394.5312", k, p.UnitPrice)
	}

	// What the files look like: both of Partner Center's date formats, the open end,
	// tiers and an education row.
	data, _ := w.PriceSheetCSV("HR", months[2])
	for _, want := range []string{"12/1/2026 12:00:00 AM", "12/1/2026 0:00", "12/31/9999", ",1,1000,", ",1001,,", ",Education\n", ",Commercial\n", "ERP Price"} {
		if !bytes.Contains(data, []byte(want)) {
			t.Errorf("the HR list lacks %q", want)
		}
	}
}

func TestPriceSheetFiles(t *testing.T) {
	w, err := Generate(Options{Seed: 3, Tenants: 2})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files, err := w.PriceSheetFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, filepath.Base(f))
	}
	if len(names) != 15 || names[0] != "pricesheet-NL-2026-10.csv" || names[4] != "pricesheet-GB-2026-10.csv" || names[14] != "pricesheet-GB-2026-12.csv" {
		t.Errorf("files %v", names)
	}
	for i := 1; i < len(names); i++ {
		if names[i][len(names[i])-11:] < names[i-1][len(names[i-1])-11:] {
			t.Errorf("months out of order: %s after %s", names[i], names[i-1])
		}
	}
}
