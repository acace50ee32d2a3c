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
func pricesOf(lines []contracts.Line, subs []terms.Subscription, now time.Time) map[string]price {
	out := map[string]price{}
	bySKU := map[string][]terms.Subscription{}
	for _, s := range subs {
		bySKU[s.SKUID] = append(bySKU[s.SKUID], s)
	}
	for id, list := range bySKU {
		if shares := allocate(list, 1); len(shares) > 0 {
			out[id] = userSeatPrice(shares[0])
		}
	}
	for _, l := range lines {
		p, priced := out[l.SKUID]
		if _, hasSubs := bySKU[l.SKUID]; !hasSubs && l.ActiveOn(now) && (!priced || p.unit == nil && l.UnitPrice != nil) {
			out[l.SKUID] = customerPrice(l, "")
		}
	}
	return out
}

// customerPrice is what the customer pays for a seat under a contract line.
func customerPrice(l contracts.Line, when string) price {
	if l.UnitPrice != nil {
		return price{unit: l.UnitPrice, whose: ForCustomer, note: when}
	}
	return price{note: l.MarkupNote(), whose: ForCustomer}
}

// userSeatPrice prices a licence taken from a user: the customer pays less from the
// next bill where the contract bills as assigned, and once the committed quantity is
// lowered (with the contract's notice) where it commits to a number of seats.
func userSeatPrice(sh share) price {
	if p, ok := elsewhere(sh); ok {
		return p
	}
	l := *sh.sub.Line
	if l.AsAssigned() {
		return customerPrice(l, "the customer's saving from the next bill (the contract bills seats as assigned); the partner's own cost ends when the subscription is reduced")
	}
	return customerPrice(l, committedNote(l))
}

// idleSeatPrice prices a seat nobody holds. Under a contract billing as assigned the
// customer does not pay for it: the partner does, at Microsoft's price, which
// seatledger does not know yet. Under a committed quantity the customer pays for it,
// and saves only once the contract is changed.
func idleSeatPrice(sh share) price {
	if p, ok := elsewhere(sh); ok {
		return p
	}
	l := *sh.sub.Line
	if l.AsAssigned() {
		return price{whose: ForPartner, note: "the contract bills seats as assigned, so idle seats cost the partner Microsoft's price, which is not known until price lists are imported"}
	}
	return customerPrice(l, committedNote(l))
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
// ones); the others cost the partner Microsoft's price, not known until price lists
// are imported. Seats held elsewhere, unlisted or the partner's make the amount a lower
// bound ("at least"); any other unknown price makes it unknown.
func (a *adviser) shareSaving(shares []share, unlisted, customerIdle int) (*money.Amount, string, string) {
	total, aside, partnerOnly, priced := decimal.Zero, unlisted, 0, 0
	var missing, notes []string
	for _, sh := range shares {
		p := idleSeatPrice(sh)
		switch {
		case p.elsewhere:
			aside += sh.seats
		case p.whose == ForPartner:
			partnerOnly += sh.seats
		case p.unit == nil:
			missing = append(missing, p.note)
		default:
			billed := min(sh.seats, customerIdle)
			customerIdle -= billed
			partnerOnly += sh.seats - billed
			if billed == 0 {
				continue
			}
			total = total.Add(p.unit.Mul(decimal.NewFromInt(int64(billed))))
			priced++
			if p.note != "" && !slices.Contains(notes, p.note) {
				notes = append(notes, p.note)
			}
		}
	}
	const partnerCost = "idle seats the contract does not bill cost the partner Microsoft's price, which is not known until price lists are imported"
	switch {
	case len(missing) > 0:
		return nil, "unknown: " + strings.Join(missing, "; "), ForCustomer
	case priced == 0 && partnerOnly > 0:
		return nil, "unknown: " + partnerCost, ForPartner
	case priced == 0 && len(shares) == 0:
		return nil, "unknown: the subscriptions behind the pool are unknown", ""
	case priced == 0:
		return nil, "unknown: the seats are held with another partner or bought direct", ""
	}
	var lower []string
	if partnerOnly > 0 {
		lower = append(lower, fmt.Sprintf("%s of the idle seats the contract does not bill: they cost the partner Microsoft's price, not known until price lists are imported", i18n.N(partnerOnly, "seat")))
	}
	if aside > 0 {
		lower = append(lower, fmt.Sprintf("%s held with another partner, bought direct or of unlisted subscriptions, at a price not known", i18n.N(aside, "seat")))
	}
	if len(lower) > 0 {
		notes = append([]string{"at least: " + strings.Join(lower, "; ")}, notes...)
	}
	return money.Of(total), strings.Join(notes, "; "), ForCustomer
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
