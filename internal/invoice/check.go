package invoice

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/seatledger/seatledger/internal/ids"
)

// Reason says why a charge on Microsoft's invoice differs from what seatledger
// expects.
type Reason string

const (
	// ReasonCustomer: the line's customer tenant is not in seatledger's registry.
	ReasonCustomer Reason = "customer-not-in-registry"
	// ReasonSubscription: seatledger knows no charge cycle of the line's subscription.
	ReasonSubscription Reason = "unknown-subscription"
	// ReasonChargeType: a charge seatledger does not bill — credits, conversions,
	// billing-plan changes, term extensions, seats moved, unknown charge types.
	ReasonChargeType Reason = "charge-type-not-billed"
	// ReasonProration: Microsoft charges other days than seatledger expects.
	ReasonProration Reason = "proration-differs"
	// ReasonQuantity: Microsoft charges another number of seats.
	ReasonQuantity Reason = "quantity-differs"
	// ReasonPrice: Microsoft's unit price (or, when that agrees, the amount per seat:
	// a discount or promotion) is not the price under the lock.
	ReasonPrice Reason = "price-differs"
	// ReasonNotInvoiced: seatledger expects a charge Microsoft did not invoice.
	ReasonNotInvoiced Reason = "not-invoiced"
	// ReasonSubtotalRule: a line's Subtotal is not Microsoft's own rule,
	// ROUNDDOWN(EffectiveUnitPrice × PCToBCExchangeRate, 2) × BillableQuantity.
	ReasonSubtotalRule Reason = "subtotal-not-microsoft-rule"
)

// notBilled are the charge types seatledger does not bill: they move money for
// reasons other than seats held over days at the locked price.
var notBilled = map[string]bool{
	ChargeCustomerCredit: true, ChargeConvert: true, ChargeChangeBillingPlan: true, ChargeExtendTerm: true, ChargeMoveQuantity: true,
}

// Charge is one charge on Microsoft's invoice — a line, or a credit and a charge
// sharing a ReferenceId netted into one — beside what seatledger expects for it; or
// a charge seatledger expects that Microsoft did not invoice (Lines empty). Amounts
// are in Currency, Microsoft's billing currency.
type Charge struct {
	// Lines are where Microsoft's lines were read (FILE:LINE); Netted is set when a
	// credit and a charge were netted.
	Lines          []string
	Netted         bool
	TenantID       string
	Customer       string
	SubscriptionID string
	ProductSKU     string
	ChargeType     string
	// From and To (inclusive) are Microsoft's charge days; Quantity the seats, net,
	// negative for a credit; UnitPrice per seat per billing cycle; Amount the net
	// subtotal.
	From      time.Time
	To        time.Time
	Quantity  decimal.Decimal
	UnitPrice decimal.Decimal
	Amount    decimal.Decimal
	Currency  string
	// Expected is set when seatledger expects a charge here; the Expected fields are
	// its days, seats, price per cycle and amount by Microsoft's rule, and
	// ExpectedSource where its numbers came from.
	Expected          bool
	ExpectedFrom      time.Time
	ExpectedTo        time.Time
	ExpectedQuantity  decimal.Decimal
	ExpectedUnitPrice decimal.Decimal
	ExpectedAmount    decimal.Decimal
	ExpectedSource    string
	// Reasons are the differences found, none when the charge agrees; Note says them
	// in words.
	Reasons []Reason
	Note    string
}

// Difference is Microsoft's amount less the expected one.
func (c Charge) Difference() decimal.Decimal { return c.Amount.Sub(c.ExpectedAmount) }

// Has tells whether the charge differs for the reason.
func (c Charge) Has(r Reason) bool { return slices.Contains(c.Reasons, r) }

func (c *Charge) add(r Reason, format string, args ...any) {
	c.Reasons = append(c.Reasons, r)
	if c.Note != "" {
		c.Note += "; "
	}
	c.Note += fmt.Sprintf(format, args...)
}

// Total is one customer's invoice in one currency: Microsoft's subtotals against
// the amounts seatledger expects.
type Total struct {
	TenantID  string
	Customer  string
	Currency  string
	Lines     int
	Microsoft decimal.Decimal
	Expected  decimal.Decimal
}

// Report is an invoice checked.
type Report struct {
	// Lines counts Microsoft's lines; Charges holds every charge on the invoice, in
	// the file's order, then every expected charge Microsoft did not invoice.
	Lines   int
	Charges []Charge
	Totals  []Total
}

// Differences are the charges that differ, the largest difference of money first.
func (r Report) Differences() []Charge {
	var out []Charge
	for _, c := range r.Charges {
		if len(c.Reasons) > 0 {
			out = append(out, c)
		}
	}
	slices.SortStableFunc(out, func(a, b Charge) int { return b.Difference().Abs().Cmp(a.Difference().Abs()) })
	return out
}

// Check matches every line of Microsoft's invoice to a subscription and the charge
// seatledger expects for it, and reports every difference with its reason.
//
// A credit and a charge of one subscription sharing a ReferenceId and the same days
// (a quantity change) are netted first. seatledger's expected charges are shaped as
// Microsoft charges (see Cycle): the seats of the cycle's first day for the whole
// cycle, then each change of seats from its day to the cycle's end, costed by
// Microsoft's rule at the line's exchange rate. A Microsoft charge matches the
// expected charge of its subscription with the same days; failing that, one ending
// the same day (it started another day: proration differs), then one starting the
// same day. A Microsoft charge left over charges seats seatledger did not see
// (quantity differs, expected 0); an expected charge left over was not invoiced.
func Check(items []LineItem, expected Expected) Report {
	tenants := make(map[string]bool, len(expected.Tenants))
	for _, t := range expected.Tenants {
		tenants[normalTenant(t)] = true
	}
	bySub := map[string][]charge{}
	known := map[string]*Cycle{}
	for i := range expected.Cycles {
		c := &expected.Cycles[i]
		sub := guid(strings.TrimSpace(c.SubscriptionID))
		known[sub] = c
		for _, ch := range c.charges() {
			if expected.covers(ch.from) {
				bySub[sub] = append(bySub[sub], ch)
			}
		}
	}
	ms := net(items)
	rep := Report{Lines: len(items), Charges: make([]Charge, len(ms))}
	match := make([]*charge, len(ms))
	// Tiers of matching, each over every charge before the next, so that an exact
	// match is never taken by a looser one.
	tiers := []func(m *msCharge, e *charge) bool{
		func(m *msCharge, e *charge) bool { return m.from.Equal(e.from) && m.to.Equal(e.to) },
		func(m *msCharge, e *charge) bool { return m.to.Equal(e.to) && sameSign(m.qty, e.seats) },
		func(m *msCharge, e *charge) bool { return m.from.Equal(e.from) && sameSign(m.qty, e.seats) },
	}
	for _, tier := range tiers {
		for i := range ms {
			m := &ms[i]
			if match[i] != nil || notBilled[m.chargeType] || m.unknownType || !tenants[m.tenant] {
				continue
			}
			cands := bySub[m.sub]
			for j := range cands {
				if !cands[j].used && tier(m, &cands[j]) {
					cands[j].used = true
					match[i] = &cands[j]
					break
				}
			}
		}
	}
	for i := range ms {
		rep.Charges[i] = compare(&ms[i], match[i], known[ms[i].sub] != nil, tenants[ms[i].tenant])
	}
	for _, sub := range sortedKeys(bySub) {
		for _, e := range bySub[sub] {
			if !e.used {
				rep.Charges = append(rep.Charges, notInvoiced(e))
			}
		}
	}
	rep.Totals = totals(items, rep.Charges)
	return rep
}

func normalTenant(s string) string {
	if id, ok := ids.ParseGUID(s); ok {
		return id
	}
	return strings.TrimSpace(s)
}

func sameSign(q decimal.Decimal, seats int) bool { return q.IsNegative() == (seats < 0) }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func day(t time.Time) string { return t.Format(time.DateOnly) }

// compare sets out one Microsoft charge against its match, if any.
func compare(m *msCharge, e *charge, subKnown, customerKnown bool) Charge {
	c := Charge{Lines: m.sources, Netted: len(m.sources) > 1, TenantID: m.tenant, Customer: m.customer, SubscriptionID: m.sub,
		ProductSKU: m.productSKU, ChargeType: m.chargeType, From: m.from, To: m.to, Quantity: m.qty, UnitPrice: m.unit,
		Amount: m.amount, Currency: m.currency, ExpectedAmount: decimal.Zero}
	switch {
	case !customerKnown:
		c.add(ReasonCustomer, "customer %s (%s) is not in the registry", m.tenant, m.customer)
	case !subKnown:
		c.add(ReasonSubscription, "seatledger knows no subscription %s for this invoice's charge periods", m.sub)
	}
	switch {
	case m.unknownType:
		c.add(ReasonChargeType, "charge type %q is not one Microsoft documents", m.chargeType)
	case notBilled[m.chargeType]:
		c.add(ReasonChargeType, "seatledger does not bill %s charges", m.chargeType)
	}
	if len(c.Reasons) > 0 {
		c.addRuleBreaks(m)
		return c
	}
	if e == nil && m.qty.IsZero() && m.amount.IsZero() {
		// A credit and a charge that cancel out: nothing to expect.
		c.addRuleBreaks(m)
		return c
	}
	if e == nil {
		c.add(ReasonQuantity, "%s seats charged from %s to %s; seatledger expects no change of seats then", m.qty, day(m.from), day(m.to))
		c.addRuleBreaks(m)
		return c
	}
	cy := e.cycle
	c.Expected, c.ExpectedFrom, c.ExpectedTo, c.ExpectedSource = true, e.from, e.to, cy.Source
	c.ExpectedQuantity = decimal.NewFromInt(int64(e.seats))
	c.ExpectedUnitPrice = cy.CyclePrice()
	if c.ProductSKU == ":" {
		c.ProductSKU = cy.ProductSKU
	}
	if m.rate.IsZero() {
		m.rate = decimal.NewFromInt(1)
	}
	c.ExpectedAmount = e.amount(m.rate)
	if cy.Unpriced != "" {
		// No price to hold Microsoft's against: its days and seats are checked at its
		// own price.
		c.ExpectedUnitPrice = m.unit
		c.ExpectedAmount = e.amountAt(m.unit, m.rate)
	}
	if md, ed := days(m.from, m.to), days(e.from, e.to); md != ed || !m.from.Equal(e.from) {
		c.add(ReasonProration, "Microsoft charges %d days (%s to %s), seatledger expects %d (%s to %s)",
			md, day(m.from), day(m.to), ed, day(e.from), day(e.to))
	}
	if !m.qty.Equal(c.ExpectedQuantity) {
		c.add(ReasonQuantity, "Microsoft charges %s seats, seatledger expects %d", m.qty, e.seats)
	}
	switch {
	case cy.Unpriced != "":
		if len(c.Reasons) == 0 && !m.amount.Equal(c.ExpectedAmount) {
			c.add(ReasonPrice, "Microsoft's effective price per seat is %s, its unit price prorated gives %s (a discount, promotion or override)",
				m.eup, e.unitAt(m.unit, days(e.from, e.to)).Round(6))
		}
	case m.pricingCurrency != "" && cy.Currency != "" && !strings.EqualFold(m.pricingCurrency, cy.Currency):
		c.add(ReasonPrice, "Microsoft prices in %s, seatledger's price is in %s", m.pricingCurrency, cy.Currency)
	case !samePrice(m.unit, c.ExpectedUnitPrice):
		c.add(ReasonPrice, "Microsoft's unit price is %s, the price under the lock is %s", m.unit, c.ExpectedUnitPrice.Round(6))
	case len(c.Reasons) == 0 && !m.amount.Equal(c.ExpectedAmount):
		c.add(ReasonPrice, "Microsoft's effective price per seat is %s, seatledger's %s (a discount, promotion or override)",
			m.eup, e.unitFor(days(e.from, e.to)).Round(6))
	}
	c.addRuleBreaks(m)
	return c
}

func (c *Charge) addRuleBreaks(m *msCharge) {
	for _, l := range m.ruleBroken {
		c.add(ReasonSubtotalRule, "%s: Subtotal %s, Microsoft's rule gives %s", l.Source, l.Subtotal, SeatSubtotal(l))
	}
}

// samePrice compares Microsoft's unit price with the expected one to the decimals
// Microsoft wrote, at least cents: a twelfth of an annual price is written 8.33 or
// 8.3333, never to 16 places.
func samePrice(microsoft, expected decimal.Decimal) bool {
	places := max(2, -microsoft.Exponent())
	return microsoft.Equal(expected.Round(places))
}

func notInvoiced(e charge) Charge {
	cy := e.cycle
	c := Charge{TenantID: cy.TenantID, Customer: cy.Customer, SubscriptionID: guid(cy.SubscriptionID), ProductSKU: cy.ProductSKU,
		Currency: cy.Currency, Amount: decimal.Zero, Quantity: decimal.Zero, UnitPrice: decimal.Zero,
		Expected: true, ExpectedFrom: e.from, ExpectedTo: e.to, ExpectedQuantity: decimal.NewFromInt(int64(e.seats)),
		ExpectedUnitPrice: cy.CyclePrice(), ExpectedAmount: e.amount(decimal.NewFromInt(1)), ExpectedSource: cy.Source}
	c.add(ReasonNotInvoiced, "seatledger expects %d seats charged from %s to %s; Microsoft's invoice has no such charge", e.seats, day(e.from), day(e.to))
	if cy.Unpriced != "" {
		c.ExpectedUnitPrice, c.ExpectedAmount = decimal.Zero, decimal.Zero
		c.Note += " (its amount is unknown: " + cy.Unpriced + ")"
	}
	return c
}

// totals sums Microsoft's lines and the expected amounts per customer and currency,
// in customer and currency order.
func totals(items []LineItem, charges []Charge) []Total {
	type k struct{ tenant, currency string }
	by := map[k]*Total{}
	get := func(tenant, customer, currency string) *Total {
		t := by[k{tenant, currency}]
		if t == nil {
			t = &Total{TenantID: tenant, Customer: customer, Currency: currency, Microsoft: decimal.Zero, Expected: decimal.Zero}
			by[k{tenant, currency}] = t
		}
		if t.Customer == "" {
			t.Customer = customer
		}
		return t
	}
	for _, l := range items {
		t := get(l.CustomerID, l.CustomerName, l.Currency)
		t.Lines++
		t.Microsoft = t.Microsoft.Add(l.Subtotal)
	}
	for _, c := range charges {
		if c.Expected {
			t := get(c.TenantID, c.Customer, c.Currency)
			t.Expected = t.Expected.Add(c.ExpectedAmount)
		}
	}
	out := make([]Total, 0, len(by))
	for _, t := range by {
		out = append(out, *t)
	}
	slices.SortFunc(out, func(a, b Total) int {
		return cmp.Or(cmp.Compare(a.Customer, b.Customer), cmp.Compare(a.TenantID, b.TenantID), cmp.Compare(a.Currency, b.Currency))
	})
	return out
}
