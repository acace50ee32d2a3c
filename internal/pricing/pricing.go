// Package pricing holds Microsoft's New Commerce prices as values: a price row of a
// price list, effective-dated, and the changes between one list and the next. Pure:
// values in, values out; the store keeps them and the application layer reads them.
package pricing

import (
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Key identifies a price: one offer, term and billing plan in one market, currency
// and segment, for one tier of seats.
type Key struct {
	ProductID    string `json:"productId"`
	SKUID        string `json:"skuId"` // Partner Center's SkuId (0001), not Graph's skuId
	TermDuration string `json:"termDuration"`
	BillingPlan  string `json:"billingPlan"`
	Market       string `json:"market"`
	Currency     string `json:"currency"`
	Segment      string `json:"segment"`
	// TierMin is the tier's lowest seat count, 0 when the list has no tiers.
	TierMin int `json:"tierMin"`
}

// Price is one price in force over a range of days.
type Price struct {
	Key
	ProductTitle string `json:"productTitle"`
	SKUTitle     string `json:"skuTitle"`
	// TierMax is the tier's highest seat count, 0 for no limit.
	TierMax int `json:"tierMax"`
	// UnitPrice is the partner's cost for one seat for the whole term (a P1Y price is
	// 12 months), in Currency, at full precision.
	UnitPrice decimal.Decimal `json:"unitPrice"`
	// ERPPrice is Microsoft's estimated retail price for the same, when given.
	ERPPrice *decimal.Decimal `json:"erpPrice,omitempty"`
	// From is the first day the price is in force; To the last (inclusive), nil while
	// open-ended. The list's placeholder dates (1753, 9999) mean open.
	From time.Time  `json:"from"`
	To   *time.Time `json:"to,omitempty"`
	// Source names the file and line the price came from.
	Source string `json:"source"`
}

// Months is the number of months a term lasts.
func Months(term string) int {
	switch term {
	case "P1M":
		return 1
	case "P1Y":
		return 12
	case "P3Y":
		return 36
	}
	return 0
}

// PlanMonths is the number of months one billing cycle of a billing plan covers:
// monthly 1, annual 12, triennial 36; 0 for another plan (one-time, none for trials).
func PlanMonths(plan string) int {
	switch strings.ToLower(plan) {
	case "monthly":
		return 1
	case "annual":
		return 12
	case "triennial":
		return 36
	}
	return 0
}

// Monthly is the price per seat per month: the term price spread over its months,
// unrounded.
func (p Price) Monthly() decimal.Decimal {
	n := Months(p.TermDuration)
	if n == 0 {
		return p.UnitPrice
	}
	return p.UnitPrice.Div(decimal.NewFromInt(int64(n)))
}

// InForce tells whether the price applies on day t.
func (p Price) InForce(t time.Time) bool {
	d := t.UTC().Truncate(24 * time.Hour)
	return !d.Before(p.From) && (p.To == nil || !d.After(*p.To))
}

// Change kinds.
const (
	ChangeUp      = "up"
	ChangeDown    = "down"
	ChangeAdded   = "added"
	ChangeRetired = "retired"
)

// Change is what one import changed for one key against the prices in force before.
type Change struct {
	// ID numbers the change once it is stored; 0 before.
	ID int64 `json:"id,omitempty"`
	Key
	Kind string `json:"kind"`
	// Old and New are term prices; Old is nil for an added offer, New for a retired one.
	Old *decimal.Decimal `json:"old,omitempty"`
	New *decimal.Decimal `json:"new,omitempty"`
	// Effective is the first day the new price (or the retirement) applies.
	Effective time.Time `json:"effective"`
	// Source names the file and line of the new price, or the file that retired it.
	Source string `json:"source,omitempty"`
}

// Percent is the change of an up or down in percent of the old price, unrounded; nil
// when there is no old and new price to compare, or the old one was zero.
func (c Change) Percent() *decimal.Decimal {
	if c.Old == nil || c.New == nil || c.Old.IsZero() {
		return nil
	}
	p := c.New.Sub(*c.Old).Div(*c.Old).Mul(decimal.NewFromInt(100))
	return &p
}
