package advice

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/seatledger/seatledger/internal/contracts"
	"github.com/seatledger/seatledger/internal/i18n"
	"github.com/seatledger/seatledger/internal/money"
	"github.com/seatledger/seatledger/internal/terms"
)

// Whose money a saving is.
const (
	// ForCustomer: the customer pays less (at the contract's price).
	ForCustomer = "customer"
	// ForPartner: the partner pays Microsoft less (at Microsoft's price).
	ForPartner = "partner"
)

// price is what one seat of a SKU is worth per month to whom, or why that is unknown.
type price struct {
	unit *decimal.Decimal
	note string
	// whose is ForCustomer or ForPartner.
	whose string
	// elsewhere marks seats held with another partner or direct.
	elsewhere bool
}

// pricesOf prices a seat a user gives up, for the per-user findings: from the
// contract line covering the subscription a freed seat would be removed from (the one
// reducible soonest). A SKU with no subscriptions on record is priced from any line in
// force for it, a fixed price before a markup.
func pricesOf(lines []contracts.Line, subs []terms.Subscription, now time.Time, costs map[string]decimal.Decimal) map[string]price {
	out := map[string]price{}
	bySKU := map[string][]terms.Subscription{}
	for _, s := range subs {
		bySKU[s.SKUID] = append(bySKU[s.SKUID], s)
	}
	for id, list := range bySKU {
		if shares := allocate(list, 1); len(shares) > 0 {
			out[id] = userSeatPrice(shares[0], costs)
		}
	}
	for _, l := range lines {
		p, priced := out[l.SKUID]
		if _, hasSubs := bySKU[l.SKUID]; !hasSubs && l.ActiveOn(now) && (!priced || p.unit == nil && l.UnitPrice != nil) {
			out[l.SKUID] = customerPrice(l, "", nil)
		}
	}
	return out
}

// customerPrice is what the customer pays for a seat under a contract line: its fixed
// price, or Microsoft's price locked for the subscription's term (cost, from the price
// list; nil when unknown) plus the line's markup.
func customerPrice(l contracts.Line, when string, cost *decimal.Decimal) price {
	switch {
	case l.UnitPrice != nil:
		return price{unit: l.UnitPrice, whose: ForCustomer, note: when}
	case cost != nil && l.MarkupPercent != nil:
		unit := cost.Mul(decimal.NewFromInt(1).Add(l.MarkupPercent.Div(decimal.NewFromInt(100))))
		note := "priced at Microsoft's price locked for the term (price list) plus the contract's markup"
		if when != "" {
			note = when + "; " + note
		}
		return price{unit: &unit, whose: ForCustomer, note: note}
	}
	return price{note: l.MarkupNote(), whose: ForCustomer}
}

// costOf is the partner's cost of a seat of a subscription per month, from the price
// list in force when its term began; nil when not known.
func costOf(costs map[string]decimal.Decimal, sh share) *decimal.Decimal {
	if c, ok := costs[sh.sub.ID]; ok {
		return &c
	}
	return nil
}

// userSeatPrice prices a licence taken from a user: the customer pays less from the
// next bill where the contract bills as assigned, and once the committed quantity is
// lowered (with the contract's notice) where it commits to a number of seats.
func userSeatPrice(sh share, costs map[string]decimal.Decimal) price {
	cost := costOf(costs, sh)
	if sh.sub.Owner == terms.OwnerPartner && sh.sub.Line == nil && cost != nil {
		return price{unit: cost, whose: ForPartner, note: "no contract line bills it: the partner's cost at Microsoft's price (price list)"}
	}
	if p, ok := elsewhere(sh); ok {
		return p
	}
	l := *sh.sub.Line
	if l.AsAssigned() {
		return customerPrice(l, "the customer's saving from the next bill (the contract bills seats as assigned); the partner's own cost ends when the subscription is reduced", cost)
	}
	return customerPrice(l, committedNote(l), cost)
}

// elsewhere prices what seatledger cannot: seats of another seller, or of a
// subscription no contract line covers.
func elsewhere(sh share) (price, bool) {
	switch {
	case sh.sub.Owner != terms.OwnerPartner:
		return price{note: "the seats are held with another partner or bought direct", elsewhere: true}, true
	case sh.sub.Line == nil:
		return price{note: fmt.Sprintf("no contract line covers the %s subscription %s (%s)", sh.sub.PartNumber, shortID(sh.sub.ID), orUnknown(sh.sub.Term.Length))}, true
	}
	return price{}, false
}

func committedNote(l contracts.Line) string {
	return fmt.Sprintf("the customer's saving once the contract's committed quantity is lowered (%d days' notice)", l.NoticeDays)
}

// shareSaving prices idle seats spread over subscriptions, plus seats of
// subscriptions Graph did not list. The customer pays for idle seats only up to what
// its committed contract lines bill (customerIdle: their seats above the assigned
// ones), at the contract's price; the others cost the partner Microsoft's price, from
// the price list locked for the term where one is imported. Seats held elsewhere,
// unlisted, or the partner's at an unknown price make the amount a lower bound ("at
// least"); a customer price that cannot be known makes it unknown.
func (a *adviser) shareSaving(shares []share, unlisted, customerIdle int) (*money.Amount, string, string) {
	customer, partner := decimal.Zero, decimal.Zero
	aside, partnerUnknown, customerSeats, partnerSeats := unlisted, 0, 0, 0
	var missing, notes []string
	for _, sh := range shares {
		if sh.sub.Owner != terms.OwnerPartner {
			aside += sh.seats
			continue
		}
		cost := costOf(a.t.Costs, sh)
		billed := 0
		if l := sh.sub.Line; l != nil && !l.AsAssigned() {
			billed = min(sh.seats, customerIdle)
			customerIdle -= billed
		}
		if billed > 0 {
			p := customerPrice(*sh.sub.Line, committedNote(*sh.sub.Line), cost)
			if p.unit == nil {
				missing = append(missing, p.note)
				continue
			}
			customer = customer.Add(p.unit.Mul(decimal.NewFromInt(int64(billed))))
			customerSeats += billed
			if !slices.Contains(notes, p.note) {
				notes = append(notes, p.note)
			}
		}
		if rest := sh.seats - billed; rest > 0 && cost != nil {
			partner = partner.Add(cost.Mul(decimal.NewFromInt(int64(rest))))
			partnerSeats += rest
		} else if rest > 0 {
			partnerUnknown += rest
		}
	}
	const partnerCost = "idle seats the contract does not bill cost the partner Microsoft's price, which is not known until price lists are imported"
	switch {
	case len(missing) > 0:
		return nil, "unknown: " + strings.Join(missing, "; "), ForCustomer
	case customerSeats == 0 && partnerSeats == 0 && partnerUnknown > 0:
		return nil, "unknown: " + partnerCost, ForPartner
	case customerSeats == 0 && partnerSeats == 0 && len(shares) == 0:
		return nil, "unknown: the subscriptions behind the pool are unknown", ""
	case customerSeats == 0 && partnerSeats == 0:
		return nil, "unknown: the seats are held with another partner or bought direct", ""
	}
	whose := ForCustomer
	if customerSeats == 0 {
		whose = ForPartner
	}
	if partnerSeats > 0 {
		notes = append(notes, fmt.Sprintf("%s the contract does not bill: the partner's cost at Microsoft's price locked for the term (price list), %s a month",
			i18n.N(partnerSeats, "seat"), money.Of(partner)))
	}
	var lower []string
	if partnerUnknown > 0 {
		lower = append(lower, fmt.Sprintf("%s of the idle seats the contract does not bill: they cost the partner Microsoft's price, not known until price lists are imported", i18n.N(partnerUnknown, "seat")))
	}
	if aside > 0 {
		lower = append(lower, fmt.Sprintf("%s held with another partner, bought direct or of unlisted subscriptions, at a price not known", i18n.N(aside, "seat")))
	}
	if len(lower) > 0 {
		notes = append([]string{"at least: " + strings.Join(lower, "; ")}, notes...)
	}
	return money.Of(customer.Add(partner)), strings.Join(notes, "; "), whose
}

// customerIdle is how many idle seats of a SKU the customer pays for: the seats its
// committed contract lines in force bill above the seats assigned. A line billing as
// assigned bills no idle seat.
func (a *adviser) customerIdle(skuID string, assigned, idle int) int {
	billed := 0
	for _, l := range a.t.Contract {
		if l.SKUID != skuID || !l.ActiveOn(a.t.Now) {
			continue
		}
		if l.AsAssigned() {
			return 0
		}
		if l.AsPurchased {
			// It bills every seat bought, so every idle one.
			return idle
		}
		billed += *l.Quantity
	}
	return max(0, min(idle, billed-assigned))
}

// seatCost is a count of seats of one SKU.
type seatCost struct {
	skuID string
	seats int
}

// saving prices seats users give up, from the contract. Savings are rounded once,
// half-up, to the cent. SKUs held only on a trial cost nothing and add nothing; when
// any other SKU has no fixed price the saving is unknown and the note says why.
func (a *adviser) saving(costs ...seatCost) (*money.Amount, string, string) {
	total := decimal.Zero
	var missing, notes []string
	for _, c := range costs {
		if a.trialOnly(c.skuID) {
			continue
		}
		p, ok := a.prices[c.skuID]
		switch {
		case !ok:
			missing = append(missing, "no contract line prices "+a.partNumber(c.skuID))
		case p.unit == nil:
			missing = append(missing, p.note)
		default:
			total = total.Add(p.unit.Mul(decimal.NewFromInt(int64(c.seats))))
			if p.note != "" && !slices.Contains(notes, p.note) {
				notes = append(notes, p.note)
			}
		}
	}
	if len(missing) > 0 {
		return nil, "unknown: " + strings.Join(missing, "; "), ForCustomer
	}
	return money.Of(total), strings.Join(notes, "; "), ForCustomer
}

// difference is the monthly saving of moving seats from one SKU to a cheaper one.
func (a *adviser) difference(from, to string, seats int) (*money.Amount, string, string) {
	high, note, whose := a.saving(seatCost{from, seats})
	if high == nil {
		return nil, note, whose
	}
	low, note, whose := a.saving(seatCost{to, seats})
	if low == nil {
		return nil, note, whose
	}
	return money.Of(high.Sub(low.Decimal)), note, whose
}
