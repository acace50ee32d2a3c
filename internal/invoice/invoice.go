// Package invoice reads what Microsoft bills a CSP partner — New Commerce billed or
// unbilled reconciliation line items — and checks them against the charges seatledger
// expects for the partner's subscriptions. Pure: values in, values out.
//
// Three shapes are read into one LineItem:
//   - the reconciliation CSV Partner Center lets partners download (headers by name,
//     in any case; a UTF-8 byte-order mark, semicolons, curly quotes as elsewhere);
//   - the JSON answers of Partner Center's line-item APIs (an object with "items", or
//     a bare array; camelCase or PascalCase keys; numbers as strings or numbers);
//   - the blobs of Graph's billed reconciliation export: gzip'd JSON lines, one line
//     item per line, camelCase.
package invoice

import (
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Charge types, as Microsoft names them in the ChargeType column.
const (
	ChargeNew               = "new"
	ChargeRenew             = "renew"
	ChargeCycle             = "cycleCharge"
	ChargeAddQuantity       = "addQuantity"
	ChargeRemoveQuantity    = "removeQuantity"
	ChargeMoveQuantity      = "moveQuantity"
	ChargeCancelImmediate   = "cancelImmediate"
	ChargeConvert           = "convert"
	ChargeChangeBillingPlan = "changeBillingPlan"
	ChargeCustomerCredit    = "customerCredit"
	ChargeExtendTerm        = "extendTerm"
)

// chargeTypes maps a charge type written in any case, with or without blanks,
// underscores or hyphens ("New", "cycle_charge", "Add Quantity"), to Microsoft's name.
var chargeTypes = func() map[string]string {
	m := map[string]string{}
	for _, c := range []string{ChargeNew, ChargeRenew, ChargeCycle, ChargeAddQuantity, ChargeRemoveQuantity, ChargeMoveQuantity,
		ChargeCancelImmediate, ChargeConvert, ChargeChangeBillingPlan, ChargeCustomerCredit, ChargeExtendTerm} {
		m[key(c)] = c
	}
	return m
}()

// NormalChargeType returns Microsoft's name for a charge type, and false (with the
// value as written, trimmed) for one it does not know.
func NormalChargeType(s string) (string, bool) {
	if c, ok := chargeTypes[key(s)]; ok {
		return c, true
	}
	return strings.TrimSpace(s), false
}

// LineItem is one line of Microsoft's reconciliation data. Ids that are GUIDs are in
// lower case; money and quantities are decimals exactly as Microsoft wrote them.
type LineItem struct {
	// Source is where the line was read: FILE:LINE for CSV and JSON lines, FILE:LINE
	// (items[N]) for a JSON answer.
	Source string

	PartnerID      string
	CustomerID     string // the customer's tenant id
	CustomerName   string
	CustomerDomain string
	InvoiceNumber  string // empty on unbilled lines
	OrderID        string

	// ProductID, SKUID and AvailabilityID are Partner Center's catalogue ids
	// (CFQ7TTC0LH18, 0001, CFQ7TTC0K5RQ); ProductSKU joins the first two.
	ProductID      string
	SKUID          string
	AvailabilityID string
	SKUName        string
	ProductName    string

	// ChargeType is Microsoft's name (ChargeNew, ChargeCycle, …); a value Microsoft
	// did not document is kept as written, with UnknownChargeType set.
	ChargeType        string
	UnknownChargeType bool

	// UnitPrice is the price per seat for a whole billing cycle (a month for monthly
	// billing), and EffectiveUnitPrice the price charged per seat for the line's days
	// after proration and discounts, both in PricingCurrency.
	UnitPrice          decimal.Decimal
	EffectiveUnitPrice decimal.Decimal
	Quantity           decimal.Decimal
	BillableQuantity   decimal.Decimal
	// Subtotal, TaxTotal and Total (totalForCustomer in JSON) are in Currency, the
	// billing currency; PCToBCExchangeRate converts PricingCurrency into it.
	Subtotal           decimal.Decimal
	TaxTotal           decimal.Decimal
	Total              decimal.Decimal
	Currency           string
	PricingCurrency    string
	PCToBCExchangeRate decimal.Decimal

	// SubscriptionID is Partner Center's subscription id (a GUID for New Commerce).
	SubscriptionID string
	// Dates are days, as Microsoft wrote them (whatever the zone); the ends are
	// inclusive. Subscription dates are zero when absent.
	SubscriptionStart time.Time
	SubscriptionEnd   time.Time
	ChargeStart       time.Time
	ChargeEnd         time.Time

	TermAndBillingCycle        string
	BillingFrequency           string
	ReferenceID                string // shared by the credit and charge of a quantity change
	PriceAdjustmentDescription string
}

// ProductSKU is the line's offer as ProductId:SkuId, the key of its price-list rows.
func (l LineItem) ProductSKU() string { return l.ProductID + ":" + l.SKUID }

// ChargeDays is the number of days the line charges, both ends included.
func (l LineItem) ChargeDays() int { return days(l.ChargeStart, l.ChargeEnd) }

// Credit tells whether the line gives money back: Microsoft writes a credit with a
// negative subtotal, or a negative price or quantity.
func (l LineItem) Credit() bool {
	if !l.Subtotal.IsZero() {
		return l.Subtotal.IsNegative()
	}
	return l.BillableQuantity.IsNegative() != l.EffectiveUnitPrice.IsNegative()
}

// SignedQuantity is the billable quantity, negative on a credit.
func (l LineItem) SignedQuantity() decimal.Decimal {
	q := l.BillableQuantity.Abs()
	if l.Credit() {
		return q.Neg()
	}
	return q
}

// SeatSubtotal is Microsoft's subtotal of a seat line:
// ROUNDDOWN(EffectiveUnitPrice × PCToBCExchangeRate, 2) × BillableQuantity, where
// ROUNDDOWN cuts towards zero as spreadsheets do. Exact: no rounding after the cut.
func SeatSubtotal(l LineItem) decimal.Decimal {
	return l.EffectiveUnitPrice.Mul(l.PCToBCExchangeRate).Truncate(2).Mul(l.BillableQuantity)
}

// SubtotalMatchesRule tells whether the line's Subtotal is what SeatSubtotal gives.
func SubtotalMatchesRule(l LineItem) bool { return l.Subtotal.Equal(SeatSubtotal(l)) }

// days counts the days from one day to another, both included.
func days(from, to time.Time) int {
	return int(to.Sub(from).Hours()/24) + 1
}

// key folds a header, JSON key or charge type: case, blanks, underscores and hyphens
// do not matter ("PCToBCExchangeRate", "pcToBCExchangeRate", "Charge Type").
func key(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range strings.TrimPrefix(strings.TrimSpace(s), "\ufeff") {
		switch {
		case r == ' ' || r == '_' || r == '-' || r == '\t':
		case r >= 'A' && r <= 'Z':
			b.WriteRune(r + 'a' - 'A')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
