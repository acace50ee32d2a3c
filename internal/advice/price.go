package advice

import (
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/seatledger/seatledger/internal/contracts"
)

// price is what one seat of a SKU costs the customer per month, or why that is unknown.
type price struct {
	unit *decimal.Decimal
	note string
}

func pricesOf(lines []contracts.Line, now time.Time) map[string]price {
	out := map[string]price{}
	for _, l := range lines {
		if !l.ActiveOn(now) {
			continue
		}
		if _, seen := out[l.SKUID]; seen && out[l.SKUID].unit != nil {
			continue
		}
		if l.UnitPrice != nil {
			out[l.SKUID] = price{unit: l.UnitPrice}
		} else {
			out[l.SKUID] = price{note: fmt.Sprintf("%s is priced at Microsoft's cost plus %s%%, and no price list is imported", l.PartNumber, l.MarkupPercent.String())}
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
