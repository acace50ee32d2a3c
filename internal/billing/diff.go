package billing

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/shopspring/decimal"
)

// Figures are the numbers of one line a review compares.
type Figures struct {
	ID        int64           `json:"id,omitempty"`
	From      time.Time       `json:"from"`
	To        time.Time       `json:"to"`
	Quantity  decimal.Decimal `json:"quantity"`
	Unit      string          `json:"unit"`
	UnitPrice decimal.Decimal `json:"unitPrice"`
	Amount    Money           `json:"amount"`
}

func figuresOf(l *Line) *Figures {
	if l == nil {
		return nil
	}
	return &Figures{ID: l.ID, From: l.From, To: l.To, Quantity: l.Quantity, Unit: l.Unit, UnitPrice: l.UnitPrice, Amount: l.Amount}
}

// Change is a line of a period that differs from the previous period's, and why.
type Change struct {
	TenantID       string `json:"tenantId"`
	Customer       string `json:"customer"`
	Currency       string `json:"currency"`
	SKUID          string `json:"skuId"`
	PartNumber     string `json:"skuPartNumber"`
	Term           string `json:"term"`
	SubscriptionID string `json:"subscriptionId,omitempty"`
	Kind           string `json:"kind"`
	// Before is the previous period's line (nil: a new line), After this period's
	// (nil: the line ended); AmountChange is After's amount less Before's.
	Before       *Figures `json:"before,omitempty"`
	After        *Figures `json:"after,omitempty"`
	AmountChange Money    `json:"amountChange"`
	// Reasons say in words what changed: seats, price, a price rise reaching a
	// renewal, a new or ended line, proration.
	Reasons []string `json:"reasons"`
}

// diffKey matches lines of consecutive periods: the customer, the contract line's
// SKU, term and plan, the subscription and the kind.
type diffKey struct{ tenant, sku, term, plan, subscription, kind string }

// Diff lists what changed from the previous period's lines (before) to this
// period's (after), and why, in customer, SKU and subscription order. Lines are
// matched by customer, contract line (SKU, term, plan) and subscription; unchanged
// lines are left out.
func Diff(before, after []Line) []Change {
	key := func(l Line) diffKey {
		return diffKey{l.TenantID, l.SKUID, l.Term, l.BillingPlan, l.Source.SubscriptionID, l.Kind}
	}
	var out []Change
	for _, pr := range pairs(before, after, key) {
		was, is := pr[0], pr[1]
		reasons := reasonsFor(was, is)
		if len(reasons) == 0 {
			continue
		}
		ref := cmp.Or(is, was)
		places := ref.Amount.places
		change := Zero(places)
		if is != nil {
			change = change.Add(is.Amount)
		}
		if was != nil {
			change = change.Sub(was.Amount)
		}
		out = append(out, Change{TenantID: ref.TenantID, Customer: ref.Customer, Currency: ref.Currency, SKUID: ref.SKUID, PartNumber: ref.PartNumber,
			Term: ref.Term, SubscriptionID: ref.Source.SubscriptionID, Kind: ref.Kind, Before: figuresOf(was), After: figuresOf(is),
			AmountChange: change, Reasons: reasons})
	}
	slices.SortStableFunc(out, func(x, y Change) int {
		return cmp.Or(cmp.Compare(x.Customer, y.Customer), cmp.Compare(x.TenantID, y.TenantID), cmp.Compare(x.PartNumber, y.PartNumber),
			cmp.Compare(x.SubscriptionID, y.SubscriptionID), cmp.Compare(x.Kind, y.Kind))
	})
	return out
}

// reasonsFor says why a line differs from last period's; none when it does not.
func reasonsFor(was, is *Line) []string {
	switch {
	case was == nil:
		return []string{newLineReason(is)}
	case is == nil:
		switch was.Kind {
		case KindAdjustment, KindCorrection, KindMidTerm, KindUpfront:
			return []string{fmt.Sprintf("ended line: no %s line this period", was.Kind)}
		}
		return []string{"ended line: the contract line or the subscription no longer bills this period"}
	}
	var out []string
	if a, b := lastSeats(was), lastSeats(is); a != b {
		out = append(out, fmt.Sprintf("seats: %d → %d", a, b))
	}
	if r := prorationReason(was, is); r != "" {
		out = append(out, r)
	}
	if !was.UnitPrice.Equal(is.UnitPrice) {
		out = append(out, priceReason(was, is))
	}
	if len(out) == 0 && (!was.Quantity.Equal(is.Quantity) || !was.Amount.Equal(is.Amount.Decimal)) {
		out = append(out, fmt.Sprintf("quantity %s → %s %s, amount %s → %s", was.Quantity.StringFixed(unitPlaces), is.Quantity.StringFixed(unitPlaces),
			is.Unit, was.Amount, is.Amount))
	}
	return out
}

func newLineReason(l *Line) string {
	switch l.Kind {
	case KindAdjustment:
		return fmt.Sprintf("new line: adjustment for %s, the seats held against those billed in advance", PeriodOf(l.From))
	case KindCorrection:
		if l.Corrects != 0 {
			return fmt.Sprintf("new line: correction of line %d of the approved run of %s", l.Corrects, l.CorrectsPeriod)
		}
		return fmt.Sprintf("new line: correction of the approved run of %s, which billed nothing for these days", l.CorrectsPeriod)
	case KindUpfront:
		return fmt.Sprintf("new line: the term starts or renews on %s and is billed upfront", l.From.Format(time.DateOnly))
	case KindMidTerm:
		return fmt.Sprintf("new line: seats changed on %s, during an upfront term", l.From.Format(time.DateOnly))
	}
	return "new line: a contract line or subscription that billed nothing last period"
}

// lastSeats is the seat count a line's counting ended with.
func lastSeats(l *Line) int {
	if n := len(l.Source.Seats); n > 0 {
		return l.Source.Seats[n-1].Seats
	}
	return 0
}

// prorationReason says when either line bills part of its month, or counts seats
// that changed during it.
func prorationReason(was, is *Line) string {
	if is.Kind != KindMonthly && is.Kind != KindAdjustment {
		return ""
	}
	billed := int(is.To.Sub(is.From).Hours()/24) + 1
	before := int(was.To.Sub(was.From).Hours()/24) + 1
	partly, partlyBefore := billed < is.Days, before < was.Days
	switch {
	case partly != partlyBefore || partly && billed != before:
		return fmt.Sprintf("proration: %d of %d days billed (was %d of %d)", billed, is.Days, before, was.Days)
	case len(is.Source.Seats) > 1 && is.Kind == KindMonthly:
		return fmt.Sprintf("proration: the seats changed during the month (%d counts)", len(is.Source.Seats))
	}
	return ""
}

// priceReason says why a unit price changed: a new term locking a later price-list
// row (a price rise reaching the subscription at its renewal), a changed row, or a
// changed contract price.
func priceReason(was, is *Line) string {
	move := "price rise"
	if is.UnitPrice.LessThan(was.UnitPrice) {
		move = "price fall"
	}
	prices := was.UnitPrice.StringFixed(unitPlaces) + " → " + is.UnitPrice.StringFixed(unitPlaces)
	a, b := was.Source, is.Source
	switch {
	case a.Price != nil && b.Price != nil && a.TermStart != nil && b.TermStart != nil && !a.TermStart.Equal(*b.TermStart):
		return fmt.Sprintf("%s reaching a renewal: the term from %s locks the price-list row in force then (%s, from %s): %s",
			move, b.TermStart.Format(time.DateOnly), b.Price.Source, b.Price.From.Format(time.DateOnly), prices)
	case a.Price != nil && b.Price != nil:
		return fmt.Sprintf("%s: the price-list row changed (%s → %s): %s", move, a.Price.Source, b.Price.Source, prices)
	case a.Pricing != b.Pricing:
		return fmt.Sprintf("%s: the contract line is now priced %s (was %s): %s", move, b.Pricing, a.Pricing, prices)
	}
	return fmt.Sprintf("%s: the contract price changed: %s", move, prices)
}
