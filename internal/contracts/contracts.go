// Package contracts holds what the partner agreed with each customer, line by line:
// which SKU on which term and billing plan, how many seats are billed (a committed
// quantity, or as many as are assigned), at what price (a fixed monthly unit price, or
// Microsoft's cost plus a markup), how seats are counted (on a set day of the month,
// or prorated daily), from when to when, and how many days' notice a change of price
// or terms needs. It parses and validates contract files; it does not store them.
package contracts

import (
	"fmt"
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
)

// Line is one contract line of one customer.
type Line struct {
	TenantID    string `json:"tenantId"`
	Reference   string `json:"reference,omitempty"`
	SKUID       string `json:"skuId"`
	PartNumber  string `json:"skuPartNumber"`
	Term        string `json:"term"`
	BillingPlan string `json:"billingPlan"`
	// Quantity is the committed number of seats; nil bills as many as are assigned.
	Quantity *int `json:"quantity,omitempty"`
	// UnitPrice is the fixed price of one seat per month, in the customer's currency;
	// nil when the line is priced at Microsoft's cost plus MarkupPercent.
	UnitPrice     *decimal.Decimal `json:"unitPrice,omitempty"`
	MarkupPercent *decimal.Decimal `json:"markupPercent,omitempty"`
	// Policy is PolicyFixedDay (seats counted on BillingDay) or PolicyProrated.
	Policy     string     `json:"billingPolicy"`
	BillingDay int        `json:"billingDay,omitempty"`
	Start      time.Time  `json:"start"`
	End        *time.Time `json:"end,omitempty"` // inclusive; nil = open-ended
	NoticeDays int        `json:"noticeDays"`
	// Line is where the line was written, for messages that point back to the file.
	SourceLine int `json:"-"`
}

// AsAssigned tells whether the line bills the seats assigned rather than a committed count.
func (l Line) AsAssigned() bool { return l.Quantity == nil }

// ActiveOn tells whether the line is in force on day t.
func (l Line) ActiveOn(t time.Time) bool {
	day := t.UTC().Truncate(24 * time.Hour)
	if day.Before(l.Start) {
		return false
	}
	return l.End == nil || !day.After(*l.End)
}

// BilledSeats is the seats the line bills when assigned seats are in use.
func (l Line) BilledSeats(assigned int) int {
	if l.Quantity == nil {
		return assigned
	}
	return *l.Quantity
}

// MarkupNote says why a line priced by markup gives no amount yet.
func (l Line) MarkupNote() string {
	return fmt.Sprintf("%s is priced at Microsoft's cost plus %s%%, and no price list is imported", l.PartNumber, l.MarkupPercent.String())
}

// SameAs tells whether two lines say the same thing (the source line aside).
func (l Line) SameAs(o Line) bool {
	return l.TenantID == o.TenantID && l.Reference == o.Reference && l.SKUID == o.SKUID && l.Term == o.Term &&
		l.BillingPlan == o.BillingPlan && sameInt(l.Quantity, o.Quantity) && sameDecimal(l.UnitPrice, o.UnitPrice) &&
		sameDecimal(l.MarkupPercent, o.MarkupPercent) && l.Policy == o.Policy && l.BillingDay == o.BillingDay &&
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
