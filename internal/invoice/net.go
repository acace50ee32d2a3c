package invoice

import (
	"time"

	"github.com/shopspring/decimal"
)

// msCharge is one charge on Microsoft's invoice: a line, or the lines of a quantity
// change netted.
type msCharge struct {
	sources    []string
	tenant     string
	customer   string
	sub        string
	productSKU string
	chargeType string
	from, to   time.Time
	// qty is the net seats (negative: credited), amount the net subtotal; unit, eup
	// and rate are the charging line's (the credit's when nothing is charged).
	qty, amount, unit, eup, rate decimal.Decimal
	currency, pricingCurrency    string
	unknownType                  bool
	// ruleBroken are the lines whose Subtotal is not Microsoft's rule.
	ruleBroken []LineItem
}

// net groups the lines of one quantity change: a credit of the old seats and a
// charge of the new, sharing a ReferenceId, a subscription and the same days. A
// group with both a credit and a charge becomes one charge; any other line stays one
// on its own. Charges keep the order of their first line.
func net(items []LineItem) []msCharge {
	type k struct {
		ref, sub string
		from, to time.Time
	}
	groups := map[k][]int{}
	for i, l := range items {
		if l.ReferenceID != "" {
			g := k{l.ReferenceID, l.SubscriptionID, l.ChargeStart, l.ChargeEnd}
			groups[g] = append(groups[g], i)
		}
	}
	out := make([]msCharge, 0, len(items))
	done := make([]bool, len(items))
	for i, l := range items {
		if done[i] {
			continue
		}
		members := []int{i}
		if l.ReferenceID != "" {
			g := groups[k{l.ReferenceID, l.SubscriptionID, l.ChargeStart, l.ChargeEnd}]
			if mixed(items, g) {
				members = g
			}
		}
		out = append(out, combine(items, members))
		for _, j := range members {
			done[j] = true
		}
	}
	return out
}

// mixed tells whether a group holds both a credit and a charge.
func mixed(items []LineItem, g []int) bool {
	credit, charge := false, false
	for _, j := range g {
		if items[j].Credit() {
			credit = true
		} else {
			charge = true
		}
	}
	return credit && charge
}

func combine(items []LineItem, members []int) msCharge {
	first := items[members[0]]
	m := msCharge{tenant: first.CustomerID, customer: first.CustomerName, sub: first.SubscriptionID, productSKU: first.ProductSKU(),
		chargeType: first.ChargeType, from: first.ChargeStart, to: first.ChargeEnd, qty: decimal.Zero, amount: decimal.Zero,
		unit: first.UnitPrice, eup: first.EffectiveUnitPrice, rate: first.PCToBCExchangeRate, currency: first.Currency,
		pricingCurrency: first.PricingCurrency}
	charging := false
	for _, j := range members {
		l := items[j]
		m.sources = append(m.sources, l.Source)
		m.qty = m.qty.Add(l.SignedQuantity())
		m.amount = m.amount.Add(l.Subtotal)
		m.unknownType = m.unknownType || l.UnknownChargeType
		if notBilled[l.ChargeType] || l.UnknownChargeType {
			m.chargeType = l.ChargeType
		}
		if !l.Credit() && !charging {
			// The charge of a pair names it (addQuantity) and gives its price.
			charging = true
			if !notBilled[m.chargeType] && !m.unknownType {
				m.chargeType = l.ChargeType
			}
			m.unit, m.eup, m.rate = l.UnitPrice, l.EffectiveUnitPrice, l.PCToBCExchangeRate
		}
		if !SubtotalMatchesRule(l) {
			m.ruleBroken = append(m.ruleBroken, l)
		}
	}
	return m
}
