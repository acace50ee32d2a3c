package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/shopspring/decimal"

	"github.com/seatledger/seatledger/internal/billing"
	"github.com/seatledger/seatledger/internal/store"
)

// MarginReport is a period's stored run summed per customer and SKU, per customer,
// and per currency: what was billed, what it cost the partner, and the margin.
type MarginReport struct {
	Period string `json:"period"`
	Status string `json:"status"`
	// Rows are per customer, currency and SKU part number; Customers per customer
	// and currency (PartNumber empty); Totals per currency (TenantID, Customer and
	// PartNumber empty). All in customer name, currency and part number order.
	Rows      []MarginRow `json:"rows"`
	Customers []MarginRow `json:"customers"`
	Totals    []MarginRow `json:"totals"`
}

// MarginRow sums lines of one currency. Amounts are sums of the stored lines'
// rounded amounts, never rounded again.
type MarginRow struct {
	TenantID   string `json:"tenantId,omitempty"`
	Customer   string `json:"customer,omitempty"`
	Currency   string `json:"currency"`
	PartNumber string `json:"skuPartNumber,omitempty"`
	Lines      int    `json:"lines"`
	// Seats is the sum of the lines' quantities: seats per month for monthly lines,
	// per term for upfront ones; credits count negative.
	Seats  decimal.Decimal `json:"seats"`
	Amount billing.Money   `json:"amount"`
	// Cost and Margin sum the lines whose cost is known; nil when no line's is.
	// MarginPercent is Margin ÷ the amount of those lines × 100, to 2 decimals; nil
	// when unknown or that amount is zero.
	Cost          *billing.Money   `json:"cost"`
	Margin        *billing.Money   `json:"margin"`
	MarginPercent *decimal.Decimal `json:"marginPercent"`
	// CostUnknown counts the lines without a cost (no price-list row gave it), and
	// AmountCostUnknown is their amount: billed, but of unknown margin.
	CostUnknown       int           `json:"costUnknown"`
	AmountCostUnknown billing.Money `json:"amountCostUnknown"`
}

// Margins reports period p's stored run per customer and SKU.
func (a *App) Margins(ctx context.Context, p billing.Period) (MarginReport, error) {
	res, err := a.StoredBill(ctx, p)
	if errors.Is(err, store.ErrNotFound) {
		return MarginReport{}, fmt.Errorf("margin report of %s: no billing run of %s: run `seatledger bill --period %s` first", p, p, p)
	}
	if err != nil {
		return MarginReport{}, fmt.Errorf("margin report of %s: %w", p, err)
	}
	r := Margins(res.Lines)
	r.Period, r.Status = p.String(), res.Run.Status
	return r, nil
}

// Margins sums lines per customer and SKU, per customer, and per currency.
func Margins(lines []billing.Line) MarginReport {
	rows := marginSums(lines, func(l *billing.Line) MarginRow {
		return MarginRow{TenantID: l.TenantID, Customer: l.Customer, Currency: l.Currency, PartNumber: l.PartNumber}
	})
	customers := marginSums(lines, func(l *billing.Line) MarginRow {
		return MarginRow{TenantID: l.TenantID, Customer: l.Customer, Currency: l.Currency}
	})
	totals := marginSums(lines, func(l *billing.Line) MarginRow { return MarginRow{Currency: l.Currency} })
	return MarginReport{Rows: rows, Customers: customers, Totals: totals}
}

// marginSums sums the lines grouped by the row key gives each.
func marginSums(lines []billing.Line, key func(*billing.Line) MarginRow) []MarginRow {
	type groupKey struct{ tenant, currency, part string }
	by := map[groupKey]*MarginRow{}
	for i := range lines {
		l := &lines[i]
		k := key(l)
		gk := groupKey{k.TenantID, k.Currency, k.PartNumber}
		r := by[gk]
		if r == nil {
			zero := billing.Zero(l.Amount.Places())
			k.Amount, k.AmountCostUnknown = zero, zero
			r = &k
			by[gk] = r
		}
		r.Lines++
		r.Seats = r.Seats.Add(l.Quantity)
		r.Amount = r.Amount.Add(l.Amount)
		if l.Cost == nil || l.Margin == nil {
			r.CostUnknown++
			r.AmountCostUnknown = r.AmountCostUnknown.Add(l.Amount)
			continue
		}
		if r.Cost == nil {
			zero := billing.Zero(l.Amount.Places())
			r.Cost, r.Margin = &zero, &zero
		}
		cost, margin := r.Cost.Add(*l.Cost), r.Margin.Add(*l.Margin)
		r.Cost, r.Margin = &cost, &margin
	}
	out := make([]MarginRow, 0, len(by))
	for _, r := range by {
		if r.Margin != nil {
			if known := r.Amount.Sub(r.AmountCostUnknown); !known.IsZero() {
				pct := r.Margin.Decimal.Mul(decimal.NewFromInt(100)).DivRound(known.Decimal, 2)
				r.MarginPercent = &pct
			}
		}
		out = append(out, *r)
	}
	slices.SortFunc(out, func(x, y MarginRow) int {
		return cmp.Or(cmp.Compare(x.Customer, y.Customer), cmp.Compare(x.TenantID, y.TenantID), cmp.Compare(x.Currency, y.Currency),
			cmp.Compare(x.PartNumber, y.PartNumber))
	})
	return out
}
