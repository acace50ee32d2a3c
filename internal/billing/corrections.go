package billing

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/shopspring/decimal"
)

// lineKey identifies what a line bills across two computations of one period: the
// customer, the contract line's SKU, term and plan, the subscription, the kind and
// the first day. The contract file's line number is left out, so that re-importing
// an unchanged contract does not make every line look new.
type lineKey struct {
	tenant, sku, term, plan, subscription, kind string
	from                                        time.Time
}

func keyOf(l Line) lineKey {
	return lineKey{l.TenantID, l.SKUID, l.Term, l.BillingPlan, l.Source.SubscriptionID, l.Kind, l.From}
}

// pairs matches the lines of two lists by key, in order of appearance within a key:
// each pair has a line of before, of after, or of both.
func pairs[K comparable](before, after []Line, key func(Line) K) [][2]*Line {
	byKey := map[K][]*Line{}
	for i := range after {
		k := key(after[i])
		byKey[k] = append(byKey[k], &after[i])
	}
	var out [][2]*Line
	used := map[*Line]bool{}
	for i := range before {
		k := key(before[i])
		var match *Line
		if rest := byKey[k]; len(rest) > 0 {
			match, byKey[k] = rest[0], rest[1:]
			used[match] = true
		}
		out = append(out, [2]*Line{&before[i], match})
	}
	for i := range after {
		if !used[&after[i]] {
			out = append(out, [2]*Line{nil, &after[i]})
		}
	}
	return out
}

// Corrections compares the lines of an approved run with the same period worked out
// again from today's seat history and price lists (recomputed), and returns, for
// period p's draft, a correction line for every line whose seat-days or amount
// differ: the difference, pointing at the approved line (Corrects). A line the
// approved run did not have is billed in full, one it had and the history no longer
// gives is credited in full. The approved run's own corrections are left out: they
// corrected an earlier period.
//
// With advance timing this completes the adjustment lines: the adjustment for the
// approved month counts seats held against the seats on its billing day as the
// history now says them, and a correction bills any difference between those and
// the seats the approved run billed, so that together they bill what the month held.
func Corrections(p Period, approved, recomputed []Line) []Line {
	approved = slices.DeleteFunc(slices.Clone(approved), func(l Line) bool { return l.Kind == KindCorrection })
	var out []Line
	for _, pr := range pairs(approved, recomputed, keyOf) {
		old, now := pr[0], pr[1]
		if old != nil && now != nil && old.SeatDays == now.SeatDays && old.Amount.Equal(now.Amount.Decimal) {
			continue
		}
		out = append(out, correction(p, old, now))
	}
	return out
}

// correction is the line that takes a billed line (old, nil when there was none) to
// what it should have been (now, nil when nothing should have been billed).
func correction(p Period, old, now *Line) Line {
	ref := now
	if ref == nil {
		ref = old
	}
	places := ref.Amount.places
	was := Line{Amount: Zero(places), Cost: addr(Zero(places)), Period: ref.Period}
	if old != nil {
		was = *old
	}
	is := Line{Amount: Zero(places), Cost: addr(Zero(places)), Source: ref.Source}
	if now != nil {
		is = *now
	}
	c := Line{TenantID: ref.TenantID, Customer: ref.Customer, Currency: ref.Currency, Period: p, From: ref.From, To: ref.To, Kind: KindCorrection,
		SKUID: ref.SKUID, PartNumber: ref.PartNumber, Term: ref.Term, BillingPlan: ref.BillingPlan, SeatDays: is.SeatDays - was.SeatDays,
		Days: ref.Days, Unit: ref.Unit, UnitPrice: ref.UnitPrice, Amount: is.Amount.Sub(was.Amount), Source: is.Source}
	c.Quantity = decimal.NewFromInt(c.SeatDays).DivRound(decimal.NewFromInt(int64(max(c.Days, 1))), unitPlaces)
	if is.Cost != nil && was.Cost != nil {
		cost := is.Cost.Sub(*was.Cost)
		margin := c.Amount.Sub(cost)
		c.Cost, c.Margin = &cost, &margin
		if now != nil {
			c.UnitCost = now.UnitCost
		}
	} else {
		c.CostNote = cmp.Or(is.CostNote, was.CostNote, "the cost of the corrected line is unknown")
	}
	corrected := was.Period
	c.CorrectsPeriod = &corrected
	if old != nil {
		c.Corrects = old.ID
	}
	days := ref.From.Format(time.DateOnly) + " to " + ref.To.Format(time.DateOnly)
	switch {
	case old == nil:
		c.Source.Counting = fmt.Sprintf("not in the approved run of %s: the seat history now gives %s %s for %s (%s %s)",
			corrected, is.Quantity.StringFixed(unitPlaces), ref.Unit, days, ref.Currency, is.Amount)
	case now == nil:
		c.Source.Counting = fmt.Sprintf("line %d of the approved run of %s billed %s %s for %s (%s %s); the seat history now gives none",
			old.ID, corrected, old.Quantity.StringFixed(unitPlaces), ref.Unit, days, ref.Currency, old.Amount)
	default:
		c.Source.Counting = fmt.Sprintf("line %d of the approved run of %s billed %s %s for %s (%s %s); the seat history now gives %s (%s %s)",
			old.ID, corrected, old.Quantity.StringFixed(unitPlaces), ref.Unit, days, ref.Currency, old.Amount,
			now.Quantity.StringFixed(unitPlaces), ref.Currency, now.Amount)
	}
	return c
}

func addr[T any](v T) *T { return &v }
