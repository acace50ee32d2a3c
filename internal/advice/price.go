package advice

import (
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/seatledger/seatledger/internal/contracts"
	"github.com/seatledger/seatledger/internal/terms"
)

// price is what one seat of a SKU costs the customer per month, or why that is unknown.
type price struct {
	unit *decimal.Decimal
	note string
	// elsewhere marks seats held with another partner or direct.
	elsewhere bool
}

// pricesOf prices a seat of each SKU for the per-user findings: from the contract
// line covering the subscription a freed seat would be removed from (the one
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
			out[id] = priceOfShare(shares[0])
		}
	}
	for _, l := range lines {
		p, priced := out[l.SKUID]
		if _, hasSubs := bySKU[l.SKUID]; !hasSubs && l.ActiveOn(now) && (!priced || p.unit == nil && l.UnitPrice != nil) {
			out[l.SKUID] = priceOfLine(l)
		}
	}
	return out
}

func priceOfLine(l contracts.Line) price {
	if l.UnitPrice != nil {
		return price{unit: l.UnitPrice}
	}
	return price{note: l.MarkupNote()}
}

// priceOfShare prices seats of one subscription: the partner's by their contract line;
// another's at a price seatledger cannot know.
func priceOfShare(sh share) price {
	switch {
	case sh.sub.Owner != terms.OwnerPartner:
		return price{note: "the seats are held with another partner or bought direct", elsewhere: true}
	case sh.sub.Line == nil:
		return price{note: fmt.Sprintf("no contract line covers the %s subscription %s (%s)", sh.sub.PartNumber, shortID(sh.sub.ID), orUnknown(sh.sub.Term.Length))}
	}
	return priceOfLine(*sh.sub.Line)
}

// shareSaving prices idle seats spread over subscriptions. Seats held elsewhere make
// the amount a lower bound ("at least"); any other unknown price makes it unknown.
func (a *adviser) shareSaving(part string, shares []share) (*decimal.Decimal, string) {
	total, elsewhere, priced := decimal.Zero, 0, 0
	var missing []string
	for _, sh := range shares {
		p := priceOfShare(sh)
		switch {
		case p.elsewhere:
			elsewhere += sh.seats
		case p.unit == nil:
			missing = append(missing, p.note)
		default:
			total = total.Add(p.unit.Mul(decimal.NewFromInt(int64(sh.seats))))
			priced++
		}
	}
	switch {
	case len(missing) > 0:
		return nil, "unknown: " + strings.Join(missing, "; ")
	case priced == 0:
		return nil, "unknown: the seats are held with another partner or bought direct"
	}
	rounded := total.Round(2)
	if elsewhere > 0 {
		return &rounded, fmt.Sprintf("at least: %d of the idle seats are held with another partner or bought direct, at a price not known", elsewhere)
	}
	return &rounded, ""
}

// seatCost is a count of seats of one SKU.
type seatCost struct {
	skuID string
	seats int
}

// saving prices seats from the contract. Savings are rounded once, half-up, to the
// cent; when any SKU has no fixed price the saving is unknown and the note says why.
func (a *adviser) saving(costs ...seatCost) (*decimal.Decimal, string) {
	total := decimal.Zero
	var missing []string
	for _, c := range costs {
		p, ok := a.prices[c.skuID]
		switch {
		case !ok:
			missing = append(missing, "no contract line prices "+a.partNumber(c.skuID))
		case p.unit == nil:
			missing = append(missing, p.note)
		default:
			total = total.Add(p.unit.Mul(decimal.NewFromInt(int64(c.seats))))
		}
	}
	if len(missing) > 0 {
		return nil, "unknown: " + strings.Join(missing, "; ")
	}
	rounded := total.Round(2)
	return &rounded, ""
}

// difference is the monthly saving of moving seats from one SKU to a cheaper one.
func (a *adviser) difference(from, to string, seats int) (*decimal.Decimal, string) {
	high, note := a.saving(seatCost{from, seats})
	if high == nil {
		return nil, note
	}
	low, note := a.saving(seatCost{to, seats})
	if low == nil {
		return nil, note
	}
	d := high.Sub(*low)
	return &d, ""
}
