// Package contracts holds what the partner agreed with each customer, line by line:
// which SKU on which term and billing plan, how many seats are billed (a committed
// quantity, as many as are assigned, or as many as the partner purchased), at what
// price (a fixed monthly unit price, Microsoft's cost plus a markup, or the price
// list's ERP price less a discount), how seats are counted (on a set day of the month,
// or prorated daily), whether a month is billed in advance or in arrears, from when
// to when, and how many days' notice a change of price or terms needs. It parses and
// validates contract files; it does not store them.
package contracts

import (
	"cmp"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Terms and billing plans as Partner Center names them.
const (
	TermMonthly   = "P1M"
	TermAnnual    = "P1Y"
	TermTriennial = "P3Y"

	PlanMonthly   = "monthly"
	PlanAnnual    = "annual"
	PlanTriennial = "triennial"

	PolicyFixedDay = "fixed-day"
	PolicyProrated = "prorated"

	// TimingAdvance bills a month at its start from the seats on the billing day;
	// the month's changes follow in the next month as prorated adjustments.
	// TimingArrears bills a month after it ends, from the seats it really had.
	TimingAdvance = "advance"
	TimingArrears = "arrears"

	// How a line is priced: a fixed price per seat per month, Microsoft's cost
	// (the price list's UnitPrice) plus a markup, or the price list's ERP price
	// (Microsoft's estimated retail price) less a discount.
	PricingFixed    = "fixed"
	PricingCostPlus = "cost-plus"
	PricingERP      = "erp"
)

// Line is one contract line of one customer.
type Line struct {
	TenantID    string `json:"tenantId"`
	Reference   string `json:"reference,omitempty"`
	SKUID       string `json:"skuId"`
	PartNumber  string `json:"skuPartNumber"`
	Term        string `json:"term"`
	BillingPlan string `json:"billingPlan"`
	// Quantity is the committed number of seats; nil bills as many as are assigned,
	// or, with AsPurchased, as many as the partner purchased.
	Quantity *int `json:"quantity,omitempty"`
	// AsPurchased bills the seats the partner bought: Partner Center's quantity, or
	// Graph's enabled units where Partner Center says nothing. Quantity is then nil.
	AsPurchased bool `json:"asPurchased,omitempty"`
	// UnitPrice is the fixed price of one seat per month, in the customer's currency;
	// nil when the line is priced from the price list (MarkupPercent, or ERP).
	UnitPrice *decimal.Decimal `json:"unitPrice,omitempty"`
	// MarkupPercent is the percentage over Microsoft's cost of a cost-plus line.
	MarkupPercent *decimal.Decimal `json:"markupPercent,omitempty"`
	// ERP prices the line at the price list's ERP price less DiscountPercent (nil:
	// no discount); UnitPrice and MarkupPercent are then nil.
	ERP             bool             `json:"erp,omitempty"`
	DiscountPercent *decimal.Decimal `json:"discountPercent,omitempty"`
	// Policy is PolicyFixedDay (seats counted on BillingDay) or PolicyProrated.
	Policy     string `json:"billingPolicy"`
	BillingDay int    `json:"billingDay,omitempty"`
	// Timing is TimingAdvance or TimingArrears; empty reads as advance.
	Timing     string     `json:"timing,omitempty"`
	Start      time.Time  `json:"start"`
	End        *time.Time `json:"end,omitempty"` // inclusive; nil = open-ended
	NoticeDays int        `json:"noticeDays"`
	// Line is where the line was written, for messages that point back to the file.
	SourceLine int `json:"-"`
}

// AsAssigned tells whether the line bills the seats assigned (Graph's consumed units).
func (l Line) AsAssigned() bool { return l.Quantity == nil && !l.AsPurchased }

// Pricing is how the line is priced: PricingFixed, PricingCostPlus or PricingERP.
func (l Line) Pricing() string {
	switch {
	case l.UnitPrice != nil:
		return PricingFixed
	case l.ERP:
		return PricingERP
	}
	return PricingCostPlus
}

// Arrears tells whether the line bills a month after it ends; otherwise in advance.
func (l Line) Arrears() bool { return l.Timing == TimingArrears }

// ActiveOn tells whether the line is in force on day t.
func (l Line) ActiveOn(t time.Time) bool {
	day := t.UTC().Truncate(24 * time.Hour)
	if day.Before(l.Start) {
		return false
	}
	return l.End == nil || !day.After(*l.End)
}

// BilledSeats is the seats the line bills given the seats assigned and the seats
// purchased.
func (l Line) BilledSeats(assigned, purchased int) int {
	switch {
	case l.Quantity != nil:
		return *l.Quantity
	case l.AsPurchased:
		return purchased
	}
	return assigned
}

// MarkupNote says why a line priced from the price list (cost plus markup, or ERP
// less a discount) gives no amount yet.
func (l Line) MarkupNote() string {
	if l.Pricing() == PricingERP {
		return fmt.Sprintf("%s is priced at the price list's ERP price%s, and no price list is imported", l.PartNumber, l.discountText())
	}
	markup := "?"
	if l.MarkupPercent != nil {
		markup = l.MarkupPercent.String()
	}
	return fmt.Sprintf("%s is priced at Microsoft's cost plus %s%%, and no price list is imported", l.PartNumber, markup)
}

func (l Line) discountText() string {
	if l.DiscountPercent == nil || l.DiscountPercent.IsZero() {
		return ""
	}
	return " less " + l.DiscountPercent.String() + "%"
}

// PriceText says how the line is priced, for people: "22.00" (per seat per month),
// "cost+15%", "ERP", "ERP-10%".
func (l Line) PriceText() string {
	switch l.Pricing() {
	case PricingFixed:
		// String drops trailing zeros (the database may pad to 6 decimals).
		if s := l.UnitPrice.String(); strings.Contains(s, ".") && len(s)-strings.IndexByte(s, '.') > 3 {
			return s
		}
		return l.UnitPrice.StringFixed(2)
	case PricingERP:
		if l.DiscountPercent == nil || l.DiscountPercent.IsZero() {
			return "ERP"
		}
		return "ERP-" + l.DiscountPercent.String() + "%"
	}
	markup := "?"
	if l.MarkupPercent != nil {
		markup = l.MarkupPercent.String()
	}
	return "cost+" + markup + "%"
}

// SameAs tells whether two lines say the same thing (the source line aside).
func (l Line) SameAs(o Line) bool {
	return l.TenantID == o.TenantID && l.Reference == o.Reference && l.SKUID == o.SKUID && l.Term == o.Term &&
		l.BillingPlan == o.BillingPlan && sameInt(l.Quantity, o.Quantity) && l.AsPurchased == o.AsPurchased &&
		sameDecimal(l.UnitPrice, o.UnitPrice) && sameDecimal(l.MarkupPercent, o.MarkupPercent) && l.ERP == o.ERP &&
		sameDecimal(l.DiscountPercent, o.DiscountPercent) && l.Policy == o.Policy && l.BillingDay == o.BillingDay &&
		cmp.Or(l.Timing, TimingAdvance) == cmp.Or(o.Timing, TimingAdvance) &&
		l.Start.Equal(o.Start) && sameTime(l.End, o.End) && l.NoticeDays == o.NoticeDays
}

func sameInt(a, b *int) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func sameDecimal(a, b *decimal.Decimal) bool {
	return (a == nil) == (b == nil) && (a == nil || a.Equal(*b))
}

func sameTime(a, b *time.Time) bool { return (a == nil) == (b == nil) && (a == nil || a.Equal(*b)) }

// For picks the line that covers a SKU on day t, preferring one on the given term;
// ok is false when no line does.
func For(lines []Line, skuID, term string, t time.Time) (Line, bool) {
	var found Line
	ok := false
	for _, l := range lines {
		if l.SKUID != skuID || !l.ActiveOn(t) {
			continue
		}
		if !ok || (l.Term == term && found.Term != term) {
			found, ok = l, true
		}
	}
	return found, ok
}
