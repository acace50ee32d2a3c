package export

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/seatledger/seatledger/internal/billing"
)

// kind is how a field's value is written: text as it is, numbers with the profile's
// decimal mark, dates in its date format.
type kind int

const (
	text kind = iota
	number
	date
)

// field is one value a profile's column can carry.
type field struct {
	kind kind
	doc  string
	// text and number fields give their value with a decimal point; date fields
	// give a day.
	value func(x *lineView) string
	day   func(x *lineView) time.Time
	// setting names the profile setting the field needs ("account_code"), if any.
	setting string
}

// fields are the values a profile's columns can carry, by the name a profile
// definition uses. The empty name is a column left blank, for template columns
// seatledger has nothing for (Xero's postal address).
var fields = map[string]field{
	"":                  {kind: text, doc: "a blank column", value: func(*lineView) string { return "" }},
	"status":            {kind: text, doc: `"DRAFT" or "approved"`, value: func(x *lineView) string { return statusWord(x.run) }},
	"customer":          {kind: text, doc: "the customer's display name", value: func(x *lineView) string { return x.customer.Name }},
	"external_ref":      {kind: text, doc: "the customer's id in the ERP or PSA", value: func(x *lineView) string { return x.customer.ExternalRef }},
	"email":             {kind: text, doc: "the customer's invoice address", value: func(x *lineView) string { return x.customer.Email }},
	"tenant_id":         {kind: text, doc: "the customer's Microsoft Entra tenant id", value: func(x *lineView) string { return x.line.TenantID }},
	"sku":               {kind: text, doc: "Microsoft's part number (SPE_E3)", value: func(x *lineView) string { return x.line.PartNumber }},
	"sku_id":            {kind: text, doc: "Microsoft's SKU id (a GUID)", value: func(x *lineView) string { return x.line.SKUID }},
	"sku_name":          {kind: text, doc: "the product's name (Microsoft 365 E3)", value: func(x *lineView) string { return x.skuName() }},
	"description":       {kind: text, doc: "product, term, billing plan and the days billed", value: func(x *lineView) string { return x.description() }},
	"kind":              {kind: text, doc: "monthly, upfront, mid-term or adjustment", value: func(x *lineView) string { return x.line.Kind }},
	"term":              {kind: text, doc: "P1M, P1Y or P3Y", value: func(x *lineView) string { return x.line.Term }},
	"billing_plan":      {kind: text, doc: "monthly, annual or triennial", value: func(x *lineView) string { return x.line.BillingPlan }},
	"quantity":          {kind: number, doc: "seats billed, in unit (a credit is negative)", value: func(x *lineView) string { return x.line.Quantity.String() }},
	"unit":              {kind: text, doc: "seat-month or seat-term", value: func(x *lineView) string { return x.line.Unit }},
	"unit_price":        {kind: number, doc: "the customer's price of one unit", value: func(x *lineView) string { return fixed(x.line.UnitPrice, x.places) }},
	"amount":            {kind: number, doc: "the line's amount, rounded to the minor unit", value: func(x *lineView) string { return x.line.Amount.StringFixed(x.places) }},
	"cost":              {kind: number, doc: "the partner's cost; empty when unknown", value: func(x *lineView) string { return moneyText(x.line.Cost, x.places) }},
	"margin":            {kind: number, doc: "amount less cost; empty when the cost is unknown", value: func(x *lineView) string { return moneyText(x.line.Margin, x.places) }},
	"currency":          {kind: text, doc: "ISO 4217 code", value: func(x *lineView) string { return x.line.Currency }},
	"period":            {kind: text, doc: "the run's month, 2026-11", value: func(x *lineView) string { return x.line.Period.String() }},
	"from":              {kind: date, doc: "the first day billed", day: func(x *lineView) time.Time { return x.line.From }},
	"to":                {kind: date, doc: "the last day billed", day: func(x *lineView) time.Time { return x.line.To }},
	"run_id":            {kind: text, doc: "the billing run's id", value: func(x *lineView) string { return x.run.RunID }},
	"line_id":           {kind: text, doc: "the billing line's id", value: func(x *lineView) string { return x.lineID() }},
	"contract_line":     {kind: text, doc: "the contract file's line the contract line came from", value: func(x *lineView) string { return contractLine(x.line) }},
	"contract_ref":      {kind: text, doc: "the contract's reference", value: func(x *lineView) string { return x.line.Source.ContractRef }},
	"subscription_id":   {kind: text, doc: "Graph's subscription id", value: func(x *lineView) string { return x.line.Source.SubscriptionID }},
	"partner_center_id": {kind: text, doc: "Partner Center's subscription id", value: func(x *lineView) string { return x.line.Source.PartnerCenterID }},

	// Invoice fields: one invoice per customer and currency, for accounting systems
	// that import invoice lines (Xero).
	"invoice_number":      {kind: text, doc: "invoice_prefix, the period and the customer's number in the run", value: func(x *lineView) string { return x.invoiceNumber() }},
	"invoice_date":        {kind: date, doc: "the run's invoice date", day: func(x *lineView) time.Time { return x.invoiceDate() }},
	"due_date":            {kind: date, doc: "the invoice date plus due_days", day: func(x *lineView) time.Time { return x.invoiceDate().AddDate(0, 0, x.profile.DueDays) }},
	"reference":           {kind: text, doc: "the run's period and id, DRAFT first for a draft", value: func(x *lineView) string { return x.reference() }},
	"account_code":        {kind: text, doc: "the profile's account_code", value: func(x *lineView) string { return x.profile.AccountCode }, setting: "account_code"},
	"tax_type":            {kind: text, doc: "the profile's tax_type", value: func(x *lineView) string { return x.profile.TaxType }, setting: "tax_type"},
	"invoice_quantity":    {kind: number, doc: "quantity, or 1 when quantity × unit price is not the amount to the minor unit", value: func(x *lineView) string { return x.invoiceQuantity() }},
	"invoice_unit_amount": {kind: number, doc: "unit price, or the amount when invoice_quantity is 1 for it", value: func(x *lineView) string { return x.invoiceUnitAmount() }},
	"invoice_description": {kind: text, doc: "description, with quantity × unit price when invoice_quantity is 1 for it", value: func(x *lineView) string { return x.invoiceDescription() }},
}

// lineView is one line as an export sees it.
type lineView struct {
	run      *Run
	profile  *Profile
	index    int
	line     *billing.Line
	customer Customer
	// places is the minor unit of the line's currency.
	places int32
	// invoice numbers the line's invoice (customer and currency) in the run, from 1.
	invoice int
}

func statusWord(r *Run) string {
	if r.Draft() {
		return "DRAFT"
	}
	return StatusApproved
}

func (x *lineView) skuName() string {
	if n := x.run.SKUNames[x.line.SKUID]; n != "" {
		return n
	}
	return x.line.PartNumber
}

func (x *lineView) lineID() string {
	if x.run.LineIDs == nil {
		return ""
	}
	return x.run.LineIDs[x.index]
}

func contractLine(l *billing.Line) string {
	if l.Source.ContractLine == 0 {
		return ""
	}
	return strconv.Itoa(l.Source.ContractLine)
}

// description says what a line bills: "Microsoft 365 E3, annual term billed
// monthly, 1–30 Nov 2026". A draft exported by a profile with no status or
// reference column says DRAFT here.
func (x *lineView) description() string {
	l := x.line
	var days string
	switch l.Kind {
	case billing.KindAdjustment:
		days = "adjustment for " + dayRange(l.From, l.To)
	case billing.KindCorrection:
		// A correction's amount is the approved line's error, not quantity × price.
		days = "correction of " + dayRange(l.From, l.To)
		if l.CorrectsPeriod != nil {
			days += " (" + l.CorrectsPeriod.String() + ", approved"
			if l.Corrects != 0 {
				days += ", line " + strconv.FormatInt(l.Corrects, 10)
			}
			days += ")"
		}
	case billing.KindMidTerm:
		if l.Quantity.IsNegative() {
			days = "seats returned " + dayRange(l.From, l.To)
		} else {
			days = "seats added " + dayRange(l.From, l.To)
		}
	default:
		days = dayRange(l.From, l.To)
	}
	d := x.skuName() + ", " + termWords(l.Term, l.BillingPlan) + ", " + days
	if x.run.Draft() && x.profile.draftInDescription {
		d = "DRAFT – " + d
	}
	return d
}

// termWords says a term and billing plan in words: "annual term billed monthly".
func termWords(term, plan string) string {
	t := map[string]string{"P1M": "monthly term", "P1Y": "annual term", "P3Y": "triennial term"}[term]
	if t == "" {
		t = term + " term"
	}
	switch {
	case term == "P1M" && plan == "monthly":
		return t
	case term == "P1Y" && plan == "annual", term == "P3Y" && plan == "triennial":
		return t + " paid upfront"
	case plan == "monthly":
		return t + " billed monthly"
	case plan == "annual":
		return t + " billed annually"
	}
	return t + " billed " + plan
}

// dayRange writes days from–to (inclusive) as people read them: "1–30 Nov 2026",
// "15 Nov – 3 Dec 2026", "20 Nov 2026 – 31 Oct 2027".
func dayRange(from, to time.Time) string {
	switch {
	case from.Equal(to):
		return from.Format("2 Jan 2006")
	case from.Year() == to.Year() && from.Month() == to.Month():
		return fmt.Sprintf("%d–%s", from.Day(), to.Format("2 Jan 2006"))
	case from.Year() == to.Year():
		return from.Format("2 Jan") + " – " + to.Format("2 Jan 2006")
	}
	return from.Format("2 Jan 2006") + " – " + to.Format("2 Jan 2006")
}

// invoiceNumber is the prefix, the period and the invoice's number in the run:
// SL-2026-11-0003.
func (x *lineView) invoiceNumber() string {
	return fmt.Sprintf("%s%s-%04d", x.profile.InvoicePrefix, x.line.Period, x.invoice)
}

func (x *lineView) invoiceDate() time.Time {
	if !x.run.InvoiceDate.IsZero() {
		return x.run.InvoiceDate
	}
	return x.line.Period.First()
}

// reference names the run an invoice came from, DRAFT first for a draft, so that a
// draft imported by mistake says so on every invoice and still imports.
func (x *lineView) reference() string {
	ref := "seatledger " + x.line.Period.String()
	if x.run.RunID != "" {
		ref += " run " + x.run.RunID
	}
	if x.run.Draft() {
		ref = "DRAFT " + ref
	}
	return ref
}

// invoicePlaces is the most decimals accounting systems take for an invoice line's
// quantity and unit price (Xero: 4).
const invoicePlaces = 4

// invoiceExact tells whether the accounting system, multiplying quantity by unit
// price, gets exactly the line's amount without any rounding of its own: both have
// at most invoicePlaces decimals and their product is the amount. Otherwise the line
// goes as 1 × amount, so that the invoice total is the run's to the cent.
func (x *lineView) invoiceExact() bool {
	q, u := x.line.Quantity, x.line.UnitPrice
	return places(q) <= invoicePlaces && places(u) <= invoicePlaces && q.Mul(u).Equal(x.line.Amount.Decimal)
}

func (x *lineView) invoiceQuantity() string {
	if x.invoiceExact() {
		return x.line.Quantity.String()
	}
	return "1"
}

func (x *lineView) invoiceUnitAmount() string {
	if x.invoiceExact() {
		return fixed(x.line.UnitPrice, x.places)
	}
	return x.line.Amount.StringFixed(x.places)
}

func (x *lineView) invoiceDescription() string {
	d := x.description()
	if x.invoiceExact() {
		return d
	}
	// The quantity and price are written with a point whatever the profile's decimal
	// mark: they are text here, read by people.
	return fmt.Sprintf("%s (%s %s × %s %s)", d, x.line.Quantity, pluralUnit(x.line.Unit), fixed(x.line.UnitPrice, x.places), x.line.Currency)
}

func pluralUnit(u string) string {
	if u == "" {
		return "seats"
	}
	return u + "s"
}

// places is the number of decimals d needs: 2 for 12.50, 0 for 300.
func places(d decimal.Decimal) int32 {
	s := d.String() // shortest form: trailing zeros trimmed
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return int32(len(s) - i - 1)
	}
	return 0
}

// fixed writes d with at least min decimals and every decimal it has: a unit price
// 20 as 20.00, 12.345 as 12.345.
func fixed(d decimal.Decimal, min int32) string { return d.StringFixed(max(min, places(d))) }

// moneyText writes an amount known to be rounded to places, or "" when it is unknown.
func moneyText(m *billing.Money, places int32) string {
	if m == nil {
		return ""
	}
	return m.StringFixed(places)
}
