package invoice

import (
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/seatledger/seatledger/internal/ids"
	"github.com/seatledger/seatledger/internal/money"
	"github.com/seatledger/seatledger/internal/problems"
	"github.com/seatledger/seatledger/internal/records"
)

// Fields are named as Microsoft's reconciliation CSV names its columns; JSON names
// them in camelCase (jsonName). Aliases are the names other shapes use for the same
// value: totalForCustomer in the JSON answers, tax, offerName and billingCycleType in
// legacy licence-based ones.
const (
	fPartnerID          = "PartnerId"
	fCustomerID         = "CustomerId"
	fCustomerName       = "CustomerName"
	fCustomerDomain     = "CustomerDomainName"
	fInvoiceNumber      = "InvoiceNumber"
	fOrderID            = "OrderId"
	fProductID          = "ProductId"
	fSKUID              = "SkuId"
	fAvailabilityID     = "AvailabilityId"
	fSKUName            = "SkuName"
	fProductName        = "ProductName"
	fChargeType         = "ChargeType"
	fUnitPrice          = "UnitPrice"
	fEffectiveUnitPrice = "EffectiveUnitPrice"
	fQuantity           = "Quantity"
	fBillableQuantity   = "BillableQuantity"
	fSubtotal           = "Subtotal"
	fTaxTotal           = "TaxTotal"
	fTotal              = "Total"
	fCurrency           = "Currency"
	fPricingCurrency    = "PricingCurrency"
	fExchangeRate       = "PCToBCExchangeRate"
	fSubscriptionID     = "SubscriptionId"
	fSubscriptionStart  = "SubscriptionStartDate"
	fSubscriptionEnd    = "SubscriptionEndDate"
	fChargeStart        = "ChargeStartDate"
	fChargeEnd          = "ChargeEndDate"
	fTermAndCycle       = "TermAndBillingCycle"
	fBillingFrequency   = "BillingFrequency"
	fReferenceID        = "ReferenceId"
	fPriceAdjustment    = "PriceAdjustmentDescription"
)

var aliases = map[string][]string{
	fTotal:            {"totalForCustomer"},
	fTaxTotal:         {"tax"},
	fProductName:      {"offerName"},
	fSKUName:          {"subscriptionName", "offerName"},
	fCustomerDomain:   {"domainName"},
	fBillingFrequency: {"billingCycleType"},
}

// requiredFields are the values without which a line cannot be checked. A file may
// spell Total as totalForCustomer, and so on: a column is present when any of its
// names is.
var requiredFields = []string{fCustomerID, fSubscriptionID, fChargeType, fUnitPrice, fSubtotal, fCurrency, fChargeStart, fChargeEnd}

// jsonName is a field's name as the JSON shapes write it.
func jsonName(f string) string {
	if f == fExchangeRate {
		return "pcToBCExchangeRate"
	}
	return strings.ToLower(f[:1]) + f[1:]
}

// source is one line's values by folded name (see key), whatever the file's shape.
type source interface {
	value(k string) (v string, ok bool)
}

// lineReader turns one line's values into a LineItem, adding a problem for each
// value that cannot be taken.
type lineReader struct {
	probs *problems.Collector
	line  int
	// where prefixes field names in messages: "items[3]." in a JSON answer.
	where        string
	json         bool
	decimalComma bool
	src          source
	bad          bool
}

func (r *lineReader) name(f string) string {
	if r.json {
		return r.where + jsonName(f)
	}
	return r.where + f
}

func (r *lineReader) fail(f, format string, args ...any) {
	r.bad = true
	r.probs.Add(r.line, r.name(f), format, args...)
}

// str is a field's value, trimmed, under its name or an alias; "" when absent.
func (r *lineReader) str(f string) string {
	if v, ok := r.src.value(key(f)); ok && strings.TrimSpace(v) != "" {
		return r.text(f, v, records.MaxNameLength)
	}
	for _, a := range aliases[f] {
		if v, ok := r.src.value(key(a)); ok && strings.TrimSpace(v) != "" {
			return r.text(f, v, records.MaxNameLength)
		}
	}
	return ""
}

func (r *lineReader) text(f, v string, max int) string {
	v = strings.TrimSpace(v)
	if v == nonScalar {
		r.fail(f, "must be a single value, not a list or an object")
		return ""
	}
	if !records.CheckLength(r.probs, r.line, r.name(f), v, max) {
		r.bad = true
		return ""
	}
	return v
}

func (r *lineReader) required(f string) string {
	v := r.str(f)
	if v == "" && !r.bad {
		r.fail(f, "missing")
	}
	return v
}

// guid lower-cases a GUID; other ids (legacy subscriptions) stay as written.
func guid(s string) string {
	if id, ok := ids.ParseGUID(s); ok {
		return id
	}
	return s
}

// tenant reads a customer's tenant id. Marketplace lines prefix it ("org:9060d13d-…").
func (r *lineReader) tenant(f string) string {
	v := r.required(f)
	if v == "" {
		return ""
	}
	s := v
	if i := strings.IndexByte(s, ':'); i >= 0 {
		s = s[i+1:]
	}
	id, ok := ids.ParseGUID(s)
	if !ok {
		r.fail(f, "%q is not a tenant id (a GUID)", v)
	}
	return id
}

// number reads a decimal at full precision; absent reads as def (nil: missing).
func (r *lineReader) number(f string, def *decimal.Decimal) decimal.Decimal {
	v := r.str(f)
	if v == "" {
		if def == nil && !r.bad {
			r.fail(f, "missing")
		}
		if def == nil {
			return decimal.Zero
		}
		return *def
	}
	parse := money.ParsePlain
	if r.decimalComma {
		parse = money.ParseDecimalComma
	}
	d, err := parse(v)
	if err != nil {
		r.fail(f, "%v", err)
	}
	return d
}

func (r *lineReader) code(f string) string {
	v := strings.ToUpper(r.str(f))
	if v != "" && (len(v) != 3 || strings.Trim(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "") {
		r.fail(f, "%q is not an ISO 4217 currency code", v)
	}
	return v
}

// date reads a day; zero when absent or a placeholder (0001-01-01).
func (r *lineReader) date(f string, need bool) time.Time {
	v := r.str(f)
	if v == "" {
		if need && !r.bad {
			r.fail(f, "missing")
		}
		return time.Time{}
	}
	d, err := parseDay(v)
	if err != nil {
		r.fail(f, "%v", err)
	} else if d.IsZero() && need {
		r.fail(f, "%q is a placeholder, not a day", v)
	}
	return d
}

var dayLayouts = []string{
	time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02",
	"1/2/2006 3:04:05 PM", "1/2/2006 3:04 PM", "1/2/2006 15:04:05", "1/2/2006 15:04", "1/2/2006",
}

// parseDay reads the dates Microsoft writes — 2021-05-20T00:00:00Z, without a zone,
// with an offset, with fractions of a second, 2021-05-20, or 5/20/2021 (month
// first) — as the day written, whatever the zone: a charge from the 4th at 09:22
// Pacific time charges from the 4th. Years before 1900 are Microsoft's "none"
// (0001-01-01) and read as the zero time.
func parseDay(s string) (time.Time, error) {
	for _, layout := range dayLayouts {
		// time.Parse takes fractions of a second after the seconds even when the
		// layout has none.
		if t, err := time.Parse(layout, s); err == nil {
			if t.Year() < 1900 {
				return time.Time{}, nil
			}
			return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), nil
		}
	}
	return time.Time{}, errDate(s)
}

type errDate string

func (e errDate) Error() string {
	return "\"" + string(e) + "\" is not a date (2021-05-20T00:00:00Z, 2021-05-20 or 5/20/2021)"
}

// item reads one line item; ok is false when a problem was added.
func (r *lineReader) item(source string) (LineItem, bool) {
	one := decimal.NewFromInt(1)
	l := LineItem{Source: source}
	l.CustomerID = r.tenant(fCustomerID)
	l.SubscriptionID = guid(r.required(fSubscriptionID))
	if ct := r.required(fChargeType); ct != "" {
		var known bool
		l.ChargeType, known = NormalChargeType(ct)
		l.UnknownChargeType = !known
	}
	l.UnitPrice = r.number(fUnitPrice, nil)
	// Legacy licence-based lines have no effective price, billable quantity or
	// exchange rate: they charge the unit price for the quantity, in one currency.
	l.EffectiveUnitPrice = r.number(fEffectiveUnitPrice, &l.UnitPrice)
	l.Quantity = r.number(fQuantity, &decimal.Zero)
	l.BillableQuantity = r.number(fBillableQuantity, &l.Quantity)
	if r.str(fQuantity) == "" && r.str(fBillableQuantity) == "" && !r.bad {
		r.fail(fBillableQuantity, "missing, and so is %s", r.name(fQuantity))
	}
	l.Subtotal = r.number(fSubtotal, nil)
	l.TaxTotal = r.number(fTaxTotal, &decimal.Zero)
	l.Total = r.number(fTotal, &decimal.Zero)
	l.Currency = r.code(fCurrency)
	if l.Currency == "" && !r.bad {
		r.fail(fCurrency, "missing")
	}
	l.PricingCurrency = r.code(fPricingCurrency)
	if l.PricingCurrency == "" {
		l.PricingCurrency = l.Currency
	}
	l.PCToBCExchangeRate = r.number(fExchangeRate, &one)
	if !l.PCToBCExchangeRate.IsPositive() && !r.bad {
		r.fail(fExchangeRate, "%s is not a rate: it must be above 0", l.PCToBCExchangeRate)
	}
	l.SubscriptionStart = r.date(fSubscriptionStart, false)
	l.SubscriptionEnd = r.date(fSubscriptionEnd, false)
	l.ChargeStart = r.date(fChargeStart, true)
	l.ChargeEnd = r.date(fChargeEnd, true)
	if !l.ChargeStart.IsZero() && l.ChargeEnd.Before(l.ChargeStart) && !l.ChargeEnd.IsZero() {
		r.fail(fChargeEnd, "%s is before the charge start %s", l.ChargeEnd.Format(time.DateOnly), l.ChargeStart.Format(time.DateOnly))
	}
	l.PartnerID = guid(r.str(fPartnerID))
	l.CustomerName = r.str(fCustomerName)
	l.CustomerDomain = strings.ToLower(r.str(fCustomerDomain))
	l.InvoiceNumber = r.str(fInvoiceNumber)
	l.OrderID = r.str(fOrderID)
	l.ProductID = strings.ToUpper(r.str(fProductID))
	l.SKUID = strings.ToUpper(r.str(fSKUID))
	l.AvailabilityID = strings.ToUpper(r.str(fAvailabilityID))
	l.SKUName = r.str(fSKUName)
	l.ProductName = r.str(fProductName)
	l.TermAndBillingCycle = r.str(fTermAndCycle)
	l.BillingFrequency = r.str(fBillingFrequency)
	l.ReferenceID = guid(r.str(fReferenceID))
	if v, ok := r.src.value(key(fPriceAdjustment)); ok {
		l.PriceAdjustmentDescription = r.text(fPriceAdjustment, v, records.MaxTextLength)
	}
	return l, !r.bad
}
