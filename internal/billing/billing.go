// Package billing works out the lines finance invoices for a month: per customer,
// contract line and subscription, the quantity billed, the unit price, the amount, the
// partner's cost and margin, in the customer's currency, and where every number came
// from — the contract line, the subscription and the seat-history spans counted, the
// price-list row under New Commerce's price lock. It is the engine of the monthly
// billing run. Pure: values in, values out; the store fills the inputs, and storing,
// approving and exporting runs are the callers' business.
//
// The rules, as finance reads them:
//   - Quantity: the contract's committed seats, the seats assigned (Graph's consumed
//     units) or the seats purchased (Partner Center's quantity, else Graph's enabled
//     units). A count of a day is the count at that day's end: seats added on the
//     15th are billed from the 15th, as Microsoft charges them.
//   - Counting: "day N" bills the seats on day N for the whole month; "prorated"
//     bills Σ seats × days held ÷ days in the month.
//   - Timing: advance bills the month at its start from the seats on the billing day
//     (day N, or day 1 for a prorated line), and the run of the next month adds what
//     the month really held, prorated daily, as adjustment lines; arrears bills the
//     month after it ends, prorated daily (or the seats on day N for a "day N" line).
//   - Price: fixed per seat per month; or, under the price lock (the price-list row
//     in force on the first day of the subscription's term, not today's list),
//     Microsoft's price plus the markup, or the ERP price less the discount. The price
//     list's UnitPrice and ERP price are per whole term: a month is a twelfth of a P1Y
//     price. Unit prices are worked out to 6 decimals, half-up.
//   - Billing plan: monthly lines every month; annual and triennial plans bill the
//     whole term upfront in the month it starts or renews, and seats added (or
//     returned) during the term prorated to its end: seats × term price × days left
//     in the term ÷ days in the term.
//   - Rounding: each line's amount and cost are rounded once, half away from zero, to
//     the currency's minor unit (2 decimals for EUR, GBP, USD; none for JPY); margin
//     is amount − cost; totals are sums of rounded lines.
//   - Corrections: an approved run never changes. When the history or price lists
//     later say otherwise for an approved month, the next month's draft bills the
//     difference as correction lines pointing at the lines they correct
//     (Corrections). Advance adjustments count seats held against the billing day's
//     seats as today's history gives them; a correction of the approved advance line
//     bills any difference from what was actually billed.
//   - Nothing held goes silently unbilled: seats of a subscription no contract line
//     covers, and lines that cannot be priced, are listed as not billed, with why.
package billing

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/seatledger/seatledger/internal/contracts"
	"github.com/seatledger/seatledger/internal/pricing"
)

// Customer is what billing needs of one customer for one period.
type Customer struct {
	TenantID string `json:"tenantId"`
	Name     string `json:"name"`
	// Currency is the customer's (ISO 4217) and the currency of every line; Market
	// (ISO 3166) and Segment (commercial when empty) pick its price-list rows.
	Currency string `json:"currency"`
	Market   string `json:"market"`
	Segment  string `json:"segment,omitempty"`
	// Contract is the customer's contract lines; lines not in force during the period
	// bill nothing.
	Contract []contracts.Line `json:"contract"`
	// Holdings are the SKUs the partner sells the customer.
	Holdings []Holding `json:"holdings"`
	// Prices are the price-list rows that may apply: the customer's market and
	// currency, every effective range (the lock reaches back to a term's start).
	Prices []pricing.Price `json:"-"`
}

// Holding is one SKU of a customer: the partner's subscriptions of it and the seats
// users hold.
type Holding struct {
	SKUID      string `json:"skuId"`
	PartNumber string `json:"skuPartNumber"`
	// Assigned is the seats users hold over time (Graph's consumedUnits, from the
	// licence pool history), for as-assigned lines.
	Assigned []Span `json:"assigned,omitempty"`
	// Subscriptions are the partner's paid subscriptions of the SKU (no trials, none
	// of other partners or bought direct).
	Subscriptions []Subscription `json:"subscriptions"`
}

// Where a subscription's purchased seats were read.
const (
	SeatsPartnerCenter = "partner-center" // Partner Center's quantity (its subscription history)
	SeatsGraph         = "graph"          // Graph's total licences (subscription_history)
)

// Subscription is one New Commerce subscription with its seat history and term.
type Subscription struct {
	// ID is Graph's subscription id; PartnerCenterID the linked Partner Center
	// subscription, when there is one.
	ID              string `json:"id"`
	PartnerCenterID string `json:"partnerCenterId,omitempty"`
	// ProductSKU is the Partner Center ProductId:SkuId of its offer, the key of its
	// price-list rows; empty when unknown (it is then priced by no row).
	ProductSKU string `json:"productSku,omitempty"`
	// Term (P1M, P1Y, P3Y) and BillingPlan (monthly, annual, triennial) are
	// Microsoft's, from Partner Center or inferred.
	Term        string `json:"term"`
	BillingPlan string `json:"billingPlan"`
	// TermStart is the first day of a known term (the current one), Renewal the first
	// day of the next; terms before and after follow by the term's length in calendar
	// months. Zero when unknown.
	TermStart time.Time `json:"termStart"`
	Renewal   time.Time `json:"renewal"`
	// Seats is the purchased seat count over time; SeatsFrom says where it was read
	// (SeatsPartnerCenter or SeatsGraph). Spans of a subscription that was not
	// running (suspended, expired) hold 0 seats.
	Seats     []Span `json:"seats"`
	SeatsFrom string `json:"seatsFrom"`
}

// Span is a seat count held over days: from From (inclusive) to To (exclusive; nil
// while it still holds). Times may be of any hour: a day counts with the span in
// force at its end.
type Span struct {
	From  time.Time  `json:"from"`
	To    *time.Time `json:"to,omitempty"`
	Seats int        `json:"seats"`
}

// Period is a calendar month billed; its days are UTC days.
type Period struct {
	Year  int
	Month time.Month
}

// ParsePeriod reads a period written as 2026-11.
func ParsePeriod(s string) (Period, error) {
	t, err := time.Parse("2006-01", s)
	if err != nil {
		return Period{}, fmt.Errorf("%q is not a month as YYYY-MM", s)
	}
	return Period{t.Year(), t.Month()}, nil
}

// PeriodOf is the period a day falls in.
func PeriodOf(t time.Time) Period { u := t.UTC(); return Period{u.Year(), u.Month()} }

func (p Period) String() string { return fmt.Sprintf("%04d-%02d", p.Year, int(p.Month)) }

// First is the period's first day, at midnight UTC.
func (p Period) First() time.Time { return time.Date(p.Year, p.Month, 1, 0, 0, 0, 0, time.UTC) }

// Last is the period's last day.
func (p Period) Last() time.Time { return p.First().AddDate(0, 1, -1) }

// Days is the number of days in the period.
func (p Period) Days() int { return p.Last().Day() }

// Prev is the month before.
func (p Period) Prev() Period { return PeriodOf(p.First().AddDate(0, -1, 0)) }

// Contains tells whether day t falls in the period.
func (p Period) Contains(t time.Time) bool { return PeriodOf(t) == p }

// MarshalText writes the period as 2026-11.
func (p Period) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText reads a period written as 2026-11.
func (p *Period) UnmarshalText(b []byte) error {
	v, err := ParsePeriod(string(b))
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// Money is an amount rounded to its currency's minor unit.
type Money struct {
	decimal.Decimal
	places int32
}

// String writes the amount with every decimal of its minor unit ("597.40", "1200").
func (m Money) String() string { return m.StringFixed(m.places) }

// Format makes %s and %v write String: the embedded decimal's own Format, which fmt
// would otherwise prefer, drops the minor unit's trailing zeros ("28.4").
func (m Money) Format(f fmt.State, verb rune) {
	if verb == 's' || verb == 'v' {
		_, _ = io.WriteString(f, m.String())
		return
	}
	m.Decimal.Format(f, verb)
}

// MarshalJSON writes the amount as a string, so that no reader makes it a float.
func (m Money) MarshalJSON() ([]byte, error) { return json.Marshal(m.String()) }

// UnmarshalJSON reads an amount as MarshalJSON writes it ("597.40"), keeping its
// number of decimals as its minor unit, so that a stored line reads back as written.
func (m *Money) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("amount %s: not a quoted decimal", b)
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return fmt.Errorf("amount %q: %w", s, err)
	}
	places := int32(0)
	if i := strings.IndexByte(s, '.'); i >= 0 {
		places = int32(len(s) - i - 1)
	}
	*m = Money{d, places}
	return nil
}

// Zero is an amount of nothing in a currency of the given minor unit.
func Zero(places int32) Money { return Money{decimal.Zero, places} }

// Places is the number of decimals the amount is written with: its minor unit.
func (m Money) Places() int32 { return m.places }

// Neg is the amount with its sign turned.
func (m Money) Neg() Money { return Money{m.Decimal.Neg(), m.places} }

// Add sums two amounts of one currency.
func (m Money) Add(o Money) Money { return Money{m.Decimal.Add(o.Decimal), max(m.places, o.places)} }

// Sub subtracts two amounts of one currency.
func (m Money) Sub(o Money) Money { return Money{m.Decimal.Sub(o.Decimal), max(m.places, o.places)} }
