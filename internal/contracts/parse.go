package contracts

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/seatledger/seatledger/internal/money"
	"github.com/seatledger/seatledger/internal/problems"
	"github.com/seatledger/seatledger/internal/records"
)

// Resolver turns what a contract file names into ids: a customer by tenant id,
// external reference or name; a SKU by part number, GUID or Partner Center
// ProductId:SkuId.
type Resolver interface {
	Customer(key string) (tenantID string, err error)
	SKU(key string) (skuID, partNumber string, err error)
}

// DefaultNoticeDays is the notice period of a line that does not name one.
const DefaultNoticeDays = 30

var format = records.Format{
	Fields: []string{"customer", "reference", "sku", "term", "billing_plan", "quantity", "pricing", "unit_price",
		"markup_percent", "discount_percent", "billing", "timing", "start", "end", "notice_days"},
	Required: []string{"customer", "sku", "term", "billing_plan", "quantity", "billing", "start"},
	YAMLKey:  "contracts",
}

// ParseFile reads a contracts file (CSV or YAML by extension) and validates all of it.
// On any problem it returns a problems.List naming every one.
func ParseFile(path string, res Resolver) ([]Line, error) {
	probs := &problems.Collector{File: path}
	recs, err := format.ReadFile(path, probs)
	if err != nil {
		return nil, fmt.Errorf("read contracts file: %w", err)
	}
	return validate(recs, res, probs)
}

// ParseCSV reads contract lines from CSV; name is used in messages.
func ParseCSV(r io.Reader, name string, res Resolver) ([]Line, error) {
	probs := &problems.Collector{File: name}
	return validate(format.CSV(r, probs), res, probs)
}

// ParseYAML reads contract lines from a top-level "contracts:" list.
func ParseYAML(data []byte, name string, res Resolver) ([]Line, error) {
	probs := &problems.Collector{File: name}
	return validate(format.YAML(data, probs), res, probs)
}

var billingDay = regexp.MustCompile(`^(?i)day\s*(\d{1,2})$`)

// plansOf lists the billing plans Partner Center offers on each term.
var plansOf = map[string][]string{
	TermMonthly:   {PlanMonthly},
	TermAnnual:    {PlanMonthly, PlanAnnual},
	TermTriennial: {PlanMonthly, PlanAnnual, PlanTriennial},
}

// maxPriceDecimals bounds unit prices: Partner Center publishes at most 6 decimals.
const maxPriceDecimals = 6

// maxMarkupDecimals bounds markups to what the database keeps exactly.
const maxMarkupDecimals = 4

func validate(recs []records.Record, res Resolver, probs *problems.Collector) ([]Line, error) {
	// Problems of shape leave no records; an unknown YAML field leaves its record, whose
	// other fields are still checked, so that every problem is reported at once.
	if len(recs) == 0 && probs.Len() > 0 {
		return nil, probs.Err()
	}
	out := make([]Line, 0, len(recs))
	for _, r := range recs {
		v := r.Values
		parseMoney := money.ParsePlain
		if r.DecimalComma {
			parseMoney = money.ParseDecimalComma
		}
		add := func(field, format string, args ...any) { probs.Add(r.LineOf(field), field, format, args...) }
		l := Line{Reference: v["reference"], SourceLine: r.Line, NoticeDays: DefaultNoticeDays}
		if v["customer"] == "" {
			add("customer", "required (tenant id, external reference or name of a registered customer)")
		} else if id, err := res.Customer(v["customer"]); err != nil {
			add("customer", "%v", err)
		} else {
			l.TenantID = id
		}
		if v["sku"] == "" {
			add("sku", "required (part number such as SPB, SKU GUID, or Partner Center ProductId:SkuId)")
		} else if id, part, err := res.SKU(v["sku"]); err != nil {
			add("sku", "%v", err)
		} else {
			l.SKUID, l.PartNumber = id, part
		}
		l.Term = strings.ToUpper(v["term"])
		plans, termOK := plansOf[l.Term]
		if !termOK {
			add("term", "%q is not a term: P1M, P1Y or P3Y", v["term"])
		}
		l.BillingPlan = strings.ToLower(v["billing_plan"])
		if !slices.Contains([]string{PlanMonthly, PlanAnnual, PlanTriennial}, l.BillingPlan) {
			add("billing_plan", "%q is not a billing plan: monthly, annual or triennial", v["billing_plan"])
		} else if termOK && !slices.Contains(plans, l.BillingPlan) {
			add("billing_plan", "a %s term cannot be billed %s (allowed: %s)", l.Term, l.BillingPlan, strings.Join(plans, ", "))
		}
		switch q := strings.ToLower(strings.ReplaceAll(v["quantity"], " ", "-")); {
		case q == "as-assigned":
		case q == "as-purchased":
			l.AsPurchased = true
		case q == "":
			add("quantity", "required: a number of seats, as-assigned or as-purchased")
		default:
			n, err := strconv.Atoi(q)
			if err != nil || n < 0 {
				add("quantity", "%q is neither a number of seats, as-assigned nor as-purchased", v["quantity"])
			} else if n == 0 {
				add("quantity", "0 seats bills nothing: leave the line out, give it an end date, or use as-assigned or as-purchased")
			} else {
				l.Quantity = &n
			}
		}
		parsePrice(&l, v, parseMoney, add)
		if b := strings.ToLower(v["billing"]); b == PolicyProrated || b == "daily" || b == "prorated-daily" {
			l.Policy = PolicyProrated
		} else if m := billingDay.FindStringSubmatch(b); m != nil {
			n, _ := strconv.Atoi(m[1])
			if n < 1 || n > 28 {
				add("billing", "day %d: the billing day must be 1 to 28, so that every month has it", n)
			}
			l.Policy, l.BillingDay = PolicyFixedDay, n
		} else {
			add("billing", "%q is neither \"day N\" (seats counted on day N of the month) nor \"prorated\"", v["billing"])
		}
		switch t := strings.ToLower(v["timing"]); t {
		case "", TimingAdvance:
			l.Timing = TimingAdvance
		case TimingArrears:
			l.Timing = TimingArrears
		default:
			add("timing", "%q is neither advance (the month billed at its start) nor arrears (billed after it ends)", v["timing"])
		}
		if t, err := parseDate(v["start"]); err != nil {
			add("start", "%v", err)
		} else {
			l.Start = t
		}
		if v["end"] != "" {
			if t, err := parseDate(v["end"]); err != nil {
				add("end", "%v", err)
			} else if !l.Start.IsZero() && t.Before(l.Start) {
				add("end", "%s is before the start %s", v["end"], v["start"])
			} else {
				l.End = &t
			}
		}
		if n := v["notice_days"]; n != "" {
			d, err := strconv.Atoi(n)
			if err != nil || d < 0 || d > 365 {
				add("notice_days", "%q is not a number of days from 0 to 365", n)
			} else {
				l.NoticeDays = d
			}
		}
		out = append(out, l)
	}
	checkOverlaps(out, probs)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		probs.Add(0, "", "no contract lines in the file")
		return nil, probs.Err()
	}
	return out, nil
}

// parsePrice reads how a line is priced. pricing may be left out: a unit_price makes
// the line fixed, a markup_percent cost-plus, as in files written before it existed.
func parsePrice(l *Line, v map[string]string, parseMoney func(string) (decimal.Decimal, error), add func(field, format string, args ...any)) {
	price, markup, discount := v["unit_price"], v["markup_percent"], v["discount_percent"]
	pricing := strings.ToLower(v["pricing"])
	switch pricing {
	case "":
		switch {
		case price != "" && markup != "":
			add("markup_percent", "give either unit_price or markup_percent, not both")
		case price == "" && markup == "":
			add("unit_price", "required: a fixed unit price per month, markup_percent over Microsoft's cost, or pricing: erp")
		case price != "":
			pricing = PricingFixed
		default:
			pricing = PricingCostPlus
		}
	case PricingFixed:
		if price == "" {
			add("unit_price", "required with pricing fixed: the price per seat per month")
		}
		if markup != "" {
			add("markup_percent", "a fixed price takes no markup_percent")
		}
	case PricingCostPlus, "cost+markup", "markup":
		pricing = PricingCostPlus
		if markup == "" {
			add("markup_percent", "required with pricing cost-plus: the percentage over Microsoft's cost (0 for none)")
		}
		if price != "" {
			add("unit_price", "a cost-plus line takes no unit_price: its price follows Microsoft's cost")
		}
	case PricingERP:
		l.ERP = true
		if price != "" {
			add("unit_price", "an ERP-priced line takes no unit_price: its price is the price list's ERP price")
		}
		if markup != "" {
			add("markup_percent", "an ERP-priced line takes discount_percent, not markup_percent")
		}
	default:
		add("pricing", "%q is not a pricing: fixed (unit_price), cost-plus (markup_percent) or erp (the price list's ERP price, less discount_percent)", v["pricing"])
	}
	if discount != "" && pricing != PricingERP {
		add("discount_percent", "a discount applies to ERP-priced lines only (pricing: erp)")
	}
	if pricing == PricingFixed && price != "" {
		d, err := parseMoney(price)
		switch {
		case err != nil:
			add("unit_price", "%s", err)
		case d.IsNegative():
			add("unit_price", "%s is negative", price)
		case -d.Exponent() > maxPriceDecimals:
			add("unit_price", "%s has more than %d decimals", price, maxPriceDecimals)
		default:
			l.UnitPrice = &d
		}
	}
	if pricing == PricingCostPlus && markup != "" {
		d, err := parseMoney(strings.TrimSuffix(markup, "%"))
		switch {
		case err != nil:
			add("markup_percent", "%q is not a percentage such as 15 or 12.5", markup)
		case -d.Exponent() > maxMarkupDecimals:
			add("markup_percent", "%s has more than %d decimals", markup, maxMarkupDecimals)
		case d.LessThanOrEqual(decimal.NewFromInt(-100)) || d.GreaterThan(decimal.NewFromInt(1000)):
			add("markup_percent", "%s is outside -100 to 1000", markup)
		default:
			l.MarkupPercent = &d
		}
	}
	if pricing == PricingERP && discount != "" {
		d, err := parseMoney(strings.TrimSuffix(discount, "%"))
		switch {
		case err != nil:
			add("discount_percent", "%q is not a percentage such as 10 or 7.5", discount)
		case -d.Exponent() > maxMarkupDecimals:
			add("discount_percent", "%s has more than %d decimals", discount, maxMarkupDecimals)
		case d.IsNegative() || d.GreaterThanOrEqual(decimal.NewFromInt(100)):
			add("discount_percent", "%s is outside 0 to 100 (a discount of 100%% or more bills nothing)", discount)
		default:
			l.DiscountPercent = &d
		}
	}
}

// checkOverlaps refuses two lines billing the same SKU on the same term for the same
// customer on the same day (billing could not tell which one applies), and two lines
// billing the same SKU's assigned seats (they would bill them twice).
func checkOverlaps(lines []Line, probs *problems.Collector) {
	for i, a := range lines {
		if a.TenantID == "" || a.SKUID == "" || a.Start.IsZero() {
			continue
		}
		for _, b := range lines[:i] {
			if b.TenantID != a.TenantID || b.SKUID != a.SKUID || b.Start.IsZero() || !overlap(a, b) {
				continue
			}
			switch {
			case b.Term == a.Term:
				probs.Add(a.SourceLine, "sku", "%s on %s overlaps the line on line %d for the same customer", a.PartNumber, a.Term, b.SourceLine)
			case a.AsAssigned() && b.AsAssigned():
				probs.Add(a.SourceLine, "quantity", "line %d already bills the assigned seats of %s for this customer: give one of them a committed quantity", b.SourceLine, a.PartNumber)
			case a.Quantity == nil && b.Quantity == nil:
				// Purchased seats include the assigned ones: both would bill them.
				probs.Add(a.SourceLine, "quantity", "line %d already bills the %s seats of %s for this customer: give one of them a committed quantity", b.SourceLine, countName(b), a.PartNumber)
			}
		}
	}
}

func countName(l Line) string {
	if l.AsPurchased {
		return "purchased"
	}
	return "assigned"
}

func overlap(a, b Line) bool {
	aEndsBeforeB := a.End != nil && a.End.Before(b.Start)
	bEndsBeforeA := b.End != nil && b.End.Before(a.Start)
	return !aEndsBeforeB && !bEndsBeforeA
}

func parseDate(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, errors.New("required (YYYY-MM-DD)")
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date as YYYY-MM-DD", s)
	}
	return t, nil
}
