package billing

import (
	"cmp"
	"slices"
	"time"

	"github.com/shopspring/decimal"
)

// Kinds of line.
const (
	// KindMonthly bills a month of a monthly billing plan.
	KindMonthly = "monthly"
	// KindAdjustment bills (or credits) what last month really held against what
	// was billed for it in advance, prorated daily.
	KindAdjustment = "adjustment"
	// KindUpfront bills a whole annual or triennial term in the month it starts.
	KindUpfront = "upfront"
	// KindMidTerm bills (or credits) seats added to (or returned from) an upfront
	// term, prorated to the term's end.
	KindMidTerm = "mid-term"
	// KindCorrection bills (or credits) the difference between a line of an
	// approved run and what the seat history and price lists now say for it; it
	// points at the line it corrects.
	KindCorrection = "correction"
)

// Units a quantity is counted in: seats for a month, or seats for a whole term.
const (
	PerMonth = "seat-month"
	PerTerm  = "seat-term"
)

// Line is one billing line: what one contract line bills for one subscription over
// one stretch of one term.
type Line struct {
	// ID is the stored line's id: 0 until its run is stored, and never part of the
	// stored line itself.
	ID       int64  `json:"id,omitempty"`
	TenantID string `json:"tenantId"`
	Customer string `json:"customer"`
	Currency string `json:"currency"`
	// Period is the run's month; From and To (inclusive) the days the line bills,
	// which for an adjustment lie in the month before.
	Period Period    `json:"period"`
	From   time.Time `json:"from"`
	To     time.Time `json:"to"`
	Kind   string    `json:"kind"`
	// SKUID, PartNumber, Term and BillingPlan are the contract line's.
	SKUID       string `json:"skuId"`
	PartNumber  string `json:"skuPartNumber"`
	Term        string `json:"term"`
	BillingPlan string `json:"billingPlan"`
	// Quantity is SeatDays ÷ Days, in Unit (seats for a month, or for a term), shown
	// to 6 decimals; the amount is worked out from SeatDays and Days exactly. A
	// negative quantity credits.
	Quantity decimal.Decimal `json:"quantity"`
	SeatDays int64           `json:"seatDays"`
	Days     int             `json:"days"`
	Unit     string          `json:"unit"`
	// UnitPrice is the customer's price of one seat per Unit, to 6 decimals.
	UnitPrice decimal.Decimal `json:"unitPrice"`
	// Amount is SeatDays × UnitPrice ÷ Days, rounded once to the minor unit.
	Amount Money `json:"amount"`
	// UnitCost, Cost and Margin are the partner's: Microsoft's price under the lock,
	// for the same quantity; nil when no price-list row gives it (CostNote says why).
	UnitCost *decimal.Decimal `json:"unitCost,omitempty"`
	Cost     *Money           `json:"cost,omitempty"`
	Margin   *Money           `json:"margin,omitempty"`
	CostNote string           `json:"costNote,omitempty"`
	Source   Provenance       `json:"provenance"`
	// Corrects is, on a correction line, the id of the approved line it corrects (0
	// when the approved run had no line for these days), and CorrectsPeriod that
	// run's period.
	Corrects       int64   `json:"corrects,omitempty"`
	CorrectsPeriod *Period `json:"correctsPeriod,omitempty"`
}

// Provenance says where a line's numbers came from.
type Provenance struct {
	// ContractLine is the line of the contract file the contract line was imported
	// from; ContractRef the contract's reference. Pricing, QuantityBasis, Policy and
	// Timing repeat the contract line's terms that decided the numbers.
	ContractLine  int    `json:"contractLine"`
	ContractRef   string `json:"contractRef,omitempty"`
	Pricing       string `json:"pricing"`
	QuantityBasis string `json:"quantityBasis"`
	Policy        string `json:"policy"`
	Timing        string `json:"timing"`
	// SubscriptionID and PartnerCenterID name the subscription; empty for committed
	// seats no subscription of the partner covers.
	SubscriptionID  string `json:"subscriptionId,omitempty"`
	PartnerCenterID string `json:"partnerCenterId,omitempty"`
	// TermStart and TermEnd (inclusive) are the subscription's term the days lie in.
	TermStart *time.Time `json:"termStart,omitempty"`
	TermEnd   *time.Time `json:"termEnd,omitempty"`
	// Seats are the seat counts the quantity was worked out from, day span by day
	// span, and SeatsFrom where they were read.
	Seats     []SeatSpan `json:"seats"`
	SeatsFrom string     `json:"seatsFrom"`
	// Price is the price-list row under the lock, when one was used (for the price or
	// the cost).
	Price *PriceRow `json:"price,omitempty"`
	// Counting says in words how the quantity was counted.
	Counting string `json:"counting"`
}

// SeatSpan is a stretch of days (To inclusive) with one seat count.
type SeatSpan struct {
	From  time.Time `json:"from"`
	To    time.Time `json:"to"`
	Seats int       `json:"seats"`
}

// PriceRow is the price-list row a line was priced from.
type PriceRow struct {
	// Source is the file and line the row was imported from.
	Source string `json:"source"`
	// From is the first day the row was in force; LockedOn the day the lock read it
	// (the term's first day).
	From     time.Time `json:"from"`
	LockedOn time.Time `json:"lockedOn"`
	// UnitPrice and ERPPrice are per seat per whole term, in the row's currency.
	UnitPrice decimal.Decimal  `json:"unitPrice"`
	ERPPrice  *decimal.Decimal `json:"erpPrice,omitempty"`
}

// NotBilled is seats a customer holds that no line bills, or a contract line that
// could not be priced: listed, never dropped.
type NotBilled struct {
	TenantID       string `json:"tenantId"`
	Customer       string `json:"customer"`
	SKUID          string `json:"skuId"`
	PartNumber     string `json:"skuPartNumber"`
	SubscriptionID string `json:"subscriptionId,omitempty"`
	// ContractLine is the contract file line of a line that could not be priced; 0
	// when no contract line covers the seats.
	ContractLine int `json:"contractLine,omitempty"`
	// SeatDays are the seats × days left unbilled: days of the period, or of the term
	// for an upfront plan.
	SeatDays int64  `json:"seatDays"`
	Reason   string `json:"reason"`
}

// Total is one customer's lines in one currency.
type Total struct {
	TenantID string `json:"tenantId"`
	Customer string `json:"customer"`
	Currency string `json:"currency"`
	Lines    int    `json:"lines"`
	Amount   Money  `json:"amount"`
	// Cost and Margin sum the lines whose cost is known; CostUnknown counts the others.
	Cost        Money `json:"cost"`
	Margin      Money `json:"margin"`
	CostUnknown int   `json:"costUnknown"`
}

// Run is one period's billing: the lines, what is not billed, and the totals.
type Run struct {
	Period    Period      `json:"period"`
	Lines     []Line      `json:"lines"`
	NotBilled []NotBilled `json:"notBilled"`
	Totals    []Total     `json:"totals"`
}

// Totals sums lines per customer and currency, in customer and currency order.
func Totals(lines []Line) []Total {
	type key struct{ tenant, currency string }
	by := map[key]*Total{}
	var keys []key
	for _, l := range lines {
		k := key{l.TenantID, l.Currency}
		t := by[k]
		if t == nil {
			zero := Money{decimal.Zero, l.Amount.places}
			t = &Total{TenantID: l.TenantID, Customer: l.Customer, Currency: l.Currency, Amount: zero, Cost: zero, Margin: zero}
			by[k] = t
			keys = append(keys, k)
		}
		t.Lines++
		t.Amount = t.Amount.Add(l.Amount)
		if l.Cost == nil {
			t.CostUnknown++
			continue
		}
		t.Cost = t.Cost.Add(*l.Cost)
		t.Margin = t.Margin.Add(*l.Margin)
	}
	slices.SortFunc(keys, func(a, b key) int {
		return cmp.Or(cmp.Compare(by[a].Customer, by[b].Customer), cmp.Compare(a.tenant, b.tenant), cmp.Compare(a.currency, b.currency))
	})
	out := make([]Total, len(keys))
	for i, k := range keys {
		out[i] = *by[k]
	}
	return out
}
