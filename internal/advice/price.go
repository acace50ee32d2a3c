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
}

// pricesOf prices each SKU from the contract line covering the subscription its seats
// would be removed from (the one reducible soonest); failing that, from any line in
// force for the SKU, a fixed price before a markup.
func pricesOf(lines []contracts.Line, subs []terms.Subscription, now time.Time) map[string]price {
	out := map[string]price{}
	set := func(l contracts.Line) {
		if l.UnitPrice != nil {
			out[l.SKUID] = price{unit: l.UnitPrice}
		} else {
			out[l.SKUID] = price{note: fmt.Sprintf("%s is priced at Microsoft's cost plus %s%%, and no price list is imported", l.PartNumber, l.MarkupPercent.String())}
		}
	}
	bySKU := map[string][]terms.Subscription{}
	for _, s := range subs {
		bySKU[s.SKUID] = append(bySKU[s.SKUID], s)
	}
	covered := map[string]bool{}
	for id, list := range bySKU {
		if best := reducible(list); best != nil && best.Line != nil {
			set(*best.Line)
			covered[id] = true
		}
	}
	for _, l := range lines {
		p, priced := out[l.SKUID]
		if !covered[l.SKUID] && l.ActiveOn(now) && (!priced || p.unit == nil && l.UnitPrice != nil) {
			set(l)
		}
	}
	return out
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
