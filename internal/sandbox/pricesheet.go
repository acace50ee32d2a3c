package sandbox

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// The world's New Commerce price lists: what Partner Center's price sheet API
// (updatedlicensebased view) would answer for the partner, in the markets its
// customers are in, for three consecutive months. They are consistent with the world:
// every offer of the offer matrix is priced, the partner's cost sits 5 % under the
// estimated retail price, and the retail price of an annual term is the sandbox
// partner's contract price (contracts.go), so that a fixed-price contract line earns
// 5 % until Microsoft raises its price.
//
// Between the first and the second month Power BI Pro is corrected upwards by about
// 2 % in the euro markets. The preview month (day 0's next month, effective its first
// day) raises some suites the way Microsoft's 2026-07-01 rise did (DOMAIN.md), retires
// RetiredPartNumber and adds NewOfferSKUID.

// PriceSheetMarkets are the markets the world publishes price lists for.
var PriceSheetMarkets = []string{"NL", "DE", "IT", "HR", "GB"}

// The offer the preview month adds, and the one it retires.
const (
	// NewOfferSKUID is Microsoft 365 Copilot's Graph skuId (Microsoft's SKU catalogue):
	// on sale from the preview month, in the offer matrix from the start.
	NewOfferSKUID      = "639dec6b-bb19-468b-871c-c5c441c4b0cb"
	NewOfferPartNumber = "Microsoft_365_Copilot"
	NewOfferTitle      = "Microsoft 365 Copilot"
	// RetiredPartNumber is the offer the preview month no longer lists (Planner and
	// Project Plan 3): customers holding it must move before their renewal.
	RetiredPartNumber = "PROJECTPROFESSIONAL"
)

// priceRise is, per SKU part number, the factor of the preview month's rise: the
// 2026-07-01 rise in USD (DOMAIN.md), new price over old, applied to the local price.
var priceRise = map[string]decimal.Decimal{
	"O365_BUSINESS_ESSENTIALS": ratio(7, 6),           // Business Basic 6 → 7
	"O365_BUSINESS_PREMIUM":    ratio(1400, 1250),     // Business Standard 12.50 → 14
	"ENTERPRISEPACK":           ratio(26, 23),         // Office 365 E3 23 → 26
	"SPE_E3":                   ratio(39, 36),         // Microsoft 365 E3 36 → 39
	"SPE_E5":                   ratio(60, 57),         // Microsoft 365 E5 57 → 60
	"M365_F1_COMM":             ratio(300, 225),       // Microsoft 365 F1 2.25 → 3
	"SPE_F1":                   ratio(10, 8),          // Microsoft 365 F3 8 → 10
	"POWER_BI_PRO":             decimal.NewFromInt(1), // unchanged: the correction came a month earlier
}

func ratio(n, d int64) decimal.Decimal {
	return decimal.NewFromInt(n).Div(decimal.NewFromInt(d))
}

// correction is the factor of the first month's price of Power BI Pro in euro against
// the second's: the second month corrects it upwards by 1/0.98.
var correction = decimal.RequireFromString("0.98")

// sheetRetail are the retail prices per unit per month, annual term, in euro, of
// offers the contracts do not price.
var sheetRetail = map[string]string{
	"SHAREPOINTSTORAGE": "0.19", // per GB
	NewOfferPartNumber:  "28.10",
}

var (
	partnerShare = decimal.RequireFromString("0.95")
	gbpPerEUR    = decimal.RequireFromString("0.88")
	monthlyTerm  = decimal.RequireFromString("1.2")
	billedMonth  = decimal.RequireFromString("1.05")
	storageTier2 = decimal.RequireFromString("0.9")
	education    = decimal.RequireFromString("0.4")
)

// PriceSheetMonths are the first days of the months published: the month before day
// 0's month, day 0's month, and the next (the preview).
func (w *World) PriceSheetMonths() []time.Time {
	m := time.Date(w.Start.Year(), w.Start.Month(), 1, 0, 0, 0, 0, time.UTC)
	return []time.Time{m.AddDate(0, -1, 0), m, m.AddDate(0, 1, 0)}
}

// sheetRow is one row of a price list.
type sheetRow struct {
	SKUID, PartNumber, Title string
	// ProductID and SKU are Partner Center's ProductId and SkuId.
	ProductID, SKU   string
	Term, Plan       string // P1Y, Annual
	Market, Currency string
	Segment          string // Commercial, Education
	TierMin, TierMax int    // 0: no tiers / no limit
	// Unit is the partner's price of one unit for the whole term, ERP the retail one.
	Unit, ERP decimal.Decimal
	From      time.Time
}

// productSKU is the row's ProductId:SkuId.
func (r sheetRow) productSKU() string { return r.ProductID + ":" + r.SKU }

// currencyOf is the currency a market's list is in.
func currencyOf(market string) string {
	if market == "GB" {
		return "GBP"
	}
	return "EUR"
}

// offeredSKUs are the Graph SKU ids the partner sells in the world, sorted: those its
// tenants hold from it, and the offer the preview month adds.
func (w *World) offeredSKUs() []string {
	seen := map[string]bool{NewOfferSKUID: true}
	skus := []string{NewOfferSKUID}
	for _, t := range w.Tenants {
		for _, s := range t.Subscriptions {
			if s.OwnerTenantID == PartnerTenantID && !seen[s.SKUID] {
				seen[s.SKUID] = true
				skus = append(skus, s.SKUID)
			}
		}
	}
	sort.Strings(skus)
	return skus
}

// threeYearSKUs are the SKUs the partner sold on a three-year term in the world: only
// those have P3Y rows.
func (w *World) threeYearSKUs() map[string]bool {
	out := map[string]bool{}
	for _, t := range w.Tenants {
		for _, s := range t.Subscriptions {
			if s.OwnerTenantID == PartnerTenantID && s.Term == "P3Y" {
				out[s.SKUID] = true
			}
		}
	}
	return out
}

// sheetRows are the rows of a market's list of a month, sorted as Partner Center
// sorts them (by product, then SKU, segment, term, billing plan and tier); nil when
// the world publishes none.
func (w *World) sheetRows(market string, month time.Time) []sheetRow {
	months := w.PriceSheetMonths()
	k := slices.IndexFunc(months, func(m time.Time) bool { return m.Equal(month) })
	if k < 0 || !slices.Contains(PriceSheetMarkets, market) {
		return nil
	}
	currency := currencyOf(market)
	threeYear := w.threeYearSKUs()
	var rows []sheetRow
	for _, id := range w.offeredSKUs() {
		part, title, free := NewOfferPartNumber, NewOfferTitle, false
		if id != NewOfferSKUID {
			sku, _ := w.gen.cat.ByID(id)
			part, title, free = sku.PartNumber, sku.DisplayName, sku.Free
		}
		if id == StorageSKUID {
			part, title = "SHAREPOINTSTORAGE", "Office 365 Extra File Storage"
		}
		if k < 2 && id == NewOfferSKUID || k == 2 && part == RetiredPartNumber {
			continue
		}
		retail := retailMonthly(part, currency)
		if free {
			retail = decimal.Zero // a free offer is listed at nothing
		}
		switch {
		case k == 0 && part == "POWER_BI_PRO" && currency == "EUR":
			retail = retail.Mul(correction)
		case k == 2 && priceRise[part].IsPositive():
			retail = retail.Mul(priceRise[part])
		}
		ps := strings.SplitN(ProductSKU(id), ":", 2)
		base := sheetRow{SKUID: id, PartNumber: part, Title: title, ProductID: ps[0], SKU: ps[1], Market: market, Currency: currency,
			Segment: "Commercial", From: month}
		terms := []struct {
			term, plan string
			factor     decimal.Decimal
		}{
			{"P1M", "Monthly", monthlyTerm},
			{"P1Y", "Annual", decimal.NewFromInt(12)},
			{"P1Y", "Monthly", decimal.NewFromInt(12).Mul(billedMonth)},
		}
		if threeYear[id] {
			terms = append(terms, struct {
				term, plan string
				factor     decimal.Decimal
			}{"P3Y", "Triennial", decimal.NewFromInt(36)})
		}
		for _, t := range terms {
			r := base
			r.Term, r.Plan = t.term, t.plan
			r.ERP = retail.Mul(t.factor).Round(4)
			r.Unit = retail.Mul(partnerShare).Mul(t.factor).Round(4)
			if part == "SHAREPOINTSTORAGE" {
				// Storage is sold by the gigabyte, cheaper from the 1,001st.
				r.TierMin, r.TierMax = 1, 1000
				rows = append(rows, r)
				r.TierMin, r.TierMax = 1001, 0
				r.ERP = retail.Mul(storageTier2).Mul(t.factor).Round(4)
				r.Unit = retail.Mul(storageTier2).Mul(partnerShare).Mul(t.factor).Round(4)
			}
			rows = append(rows, r)
			if t.term == "P1Y" && t.plan == "Annual" && (part == "POWER_BI_PRO" || part == "VISIOCLIENT") {
				r.Segment = "Education"
				r.ERP = r.ERP.Mul(education).Round(4)
				r.Unit = r.Unit.Mul(education).Round(4)
				rows = append(rows, r)
			}
		}
	}
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if a.Title != b.Title {
			return a.Title < b.Title
		}
		if a.productSKU() != b.productSKU() {
			return a.productSKU() < b.productSKU()
		}
		if a.Segment != b.Segment {
			return a.Segment < b.Segment
		}
		if a.Term != b.Term {
			return a.Term < b.Term
		}
		if a.Plan != b.Plan {
			return a.Plan < b.Plan
		}
		return a.TierMin < b.TierMin
	})
	return rows
}

// retailMonthly is the retail price of one unit a month on an annual term, in the
// currency: the contract's price in euro, or sheetRetail's; pounds at 0.88 to the
// euro, to the penny.
func retailMonthly(part, currency string) decimal.Decimal {
	s, ok := sheetRetail[part]
	if !ok {
		s = price(part, "P1Y")
	}
	d := decimal.RequireFromString(s)
	if currency == "GBP" {
		d = d.Mul(gbpPerEUR).Round(2)
	}
	return d
}

// PriceSheetCSV is the New Commerce licence-based price list of one market and month,
// in Partner Center's columns and date formats, as the price sheet API returns it; ok
// is false when the world publishes none for that market and month.
//
// UnitPrice is the partner's price of one unit for the whole term, ERP Price the
// estimated retail price of the same, to four decimals: a P1Y row costs 12 × the
// monthly price on the annual plan and 12 × 1.05 × it billed monthly, P1M 1.2 × it,
// P3Y 36 × it (triennial plan). Every row starts on the month's first day and is open
// (a 9999 end date); dates are written half as 12/1/2026 12:00:00 AM and half as
// 12/1/2026 0:00, as Partner Center's files mix them.
func (w *World) PriceSheetCSV(market string, month time.Time) (csvData []byte, ok bool) {
	rows := w.sheetRows(market, month)
	if rows == nil {
		return nil, false
	}
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	_ = cw.Write([]string{"ProductTitle", "ProductId", "SkuId", "SkuTitle", "Publisher", "SkuDescription", "UnitOfMeasure", "TermDuration",
		"BillingPlan", "Market", "Currency", "UnitPrice", "PricingTierRangeMin", "PricingTierRangeMax", "EffectiveStartDate",
		"EffectiveEndDate", "Tags", "ERP Price", "Segment"})
	for i, r := range rows {
		from, to := r.From.Format("1/2/2006 3:04:05 PM"), "12/31/9999 11:59:59 PM"
		if i%2 == 1 {
			from, to = fmt.Sprintf("%d/%d/%d 0:00", r.From.Month(), r.From.Day(), r.From.Year()), "12/31/9999 0:00"
		}
		unit, tierMin, tierMax := "1 License", "", ""
		if r.PartNumber == "SHAREPOINTSTORAGE" {
			unit = "1 GB"
		}
		if r.TierMin > 0 {
			tierMin = strconv.Itoa(r.TierMin)
		}
		if r.TierMax > 0 {
			tierMax = strconv.Itoa(r.TierMax)
		}
		_ = cw.Write([]string{r.Title, r.ProductID, r.SKU, r.Title, "Microsoft Corporation", r.Title + " (" + r.PartNumber + ")", unit, r.Term,
			r.Plan, r.Market, r.Currency, r.Unit.String(), tierMin, tierMax, from, to, "License", r.ERP.String(), r.Segment})
	}
	cw.Flush()
	return buf.Bytes(), true
}

// PriceSheetFiles writes every market's list of every month to dir, as
// pricesheet-NL-2026-12.csv, and returns their paths month by month, oldest first, so
// that importing them in that order replays the months as they were published.
func (w *World) PriceSheetFiles(dir string) ([]string, error) {
	var out []string
	for _, m := range w.PriceSheetMonths() {
		for _, market := range PriceSheetMarkets {
			data, _ := w.PriceSheetCSV(market, m)
			path := filepath.Join(dir, fmt.Sprintf("pricesheet-%s-%s.csv", market, m.Format("2006-01")))
			if err := os.WriteFile(path, data, 0o600); err != nil {
				return nil, fmt.Errorf("write price list %s: %w", path, err)
			}
			out = append(out, path)
		}
	}
	return out, nil
}
