package invoice

import (
	"cmp"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/seatledger/seatledger/internal/pricing"
)

// Expected is what seatledger believes Microsoft bills the partner for an invoice:
// the customers it knows and, per subscription, the charge cycles the invoice covers.
type Expected struct {
	// Tenants are the tenant ids of the customers in seatledger's registry.
	Tenants []string
	Cycles  []Cycle
	// From and To (inclusive UTC days; zero: any day) bound the days the invoice's
	// charges start on: a cycle's charges starting outside them are another
	// invoice's, so that a cycle begun last month still expects this month's seat
	// additions and nothing else.
	From time.Time
	To   time.Time
}

// covers tells whether a charge starting on day d belongs to the invoice.
func (e Expected) covers(d time.Time) bool {
	return (e.From.IsZero() || !d.Before(e.From)) && (e.To.IsZero() || !d.After(e.To))
}

// Cycle is one charge cycle of one subscription as seatledger sees it: the seats the
// partner held each day and the partner's price under New Commerce's price lock. The
// billing engine's subscriptions give it (Partner Center id, ProductSKU, term, billing
// plan, term start, seat history) with the price row its lines were costed from; the
// cycle is the stretch Microsoft bills at once — a month from the term's start day for
// monthly billing, the year or the whole term for upfront plans.
type Cycle struct {
	TenantID string
	Customer string
	// SubscriptionID is Partner Center's subscription id, as invoices name it.
	SubscriptionID string
	// ProductSKU is the offer as ProductId:SkuId.
	ProductSKU string
	// Term is P1M, P1Y or P3Y; BillingPlan monthly, annual or triennial.
	Term        string
	BillingPlan string
	// From and To are the cycle's first and last day (inclusive), UTC days.
	From time.Time
	To   time.Time
	// Seats are the seats held over days of the cycle; days in no span hold none.
	Seats []Seats
	// TermPrice is the partner's price of one seat for the whole term under the
	// price lock (the price-list row's UnitPrice, per term), in Currency.
	TermPrice decimal.Decimal
	Currency  string
	// Unpriced says why seatledger knows no price under the lock (no price-list row
	// in force on the term's first day); empty when TermPrice is the price. The days
	// and seats of an unpriced cycle's charges are still checked, at Microsoft's
	// price.
	Unpriced string
	// Source says where the numbers came from (a billing line, a price-list row).
	Source string
}

// Seats is a seat count held from From to To, both days included.
type Seats struct {
	From  time.Time
	To    time.Time
	Seats int
}

// divPlaces bounds the divisions below (a term price into cycles, a cycle price into
// days) before Microsoft's cut to the cent. Prices have at most 6 decimals and
// divisors at most 36 months or 1,096 days, so a quotient that is not exact lies
// further than 10⁻¹⁰ from any cent: 16 places never move the cut.
const divPlaces = 16

// CyclePrice is the price of one seat for one whole billing cycle: the term price
// spread over the term's cycles (a P1Y price billed monthly is a twelfth of it).
func (c Cycle) CyclePrice() decimal.Decimal {
	term, plan := pricing.Months(c.Term), pricing.PlanMonths(c.BillingPlan)
	if term == 0 || plan == 0 || plan >= term {
		return c.TermPrice
	}
	return c.TermPrice.Mul(decimal.NewFromInt(int64(plan))).DivRound(decimal.NewFromInt(int64(term)), divPlaces)
}

// charge is a charge seatledger expects, shaped as Microsoft charges: the seats held
// on From, or the seats added (negative: removed) that day, charged to the cycle's
// end.
type charge struct {
	cycle *Cycle
	from  time.Time
	to    time.Time
	seats int
	used  bool
}

// charges turns a cycle's seat history into Microsoft's charges: the first day's
// seats for the whole cycle, then each change from its day to the cycle's end.
func (c *Cycle) charges() []charge {
	spans := slices.Clone(c.Seats)
	slices.SortFunc(spans, func(a, b Seats) int { return cmp.Compare(a.From.Unix(), b.From.Unix()) })
	type point struct {
		day   time.Time
		seats int
	}
	var points []point
	var end time.Time // day after the last span, while it lies in the cycle
	for _, s := range spans {
		from, to := laterOf(s.From, c.From), earlierOf(s.To, c.To)
		if to.Before(from) {
			continue
		}
		if !end.IsZero() && end.Before(from) {
			points = append(points, point{end, 0})
		}
		points = append(points, point{from, s.Seats})
		end = to.AddDate(0, 0, 1)
	}
	if !end.IsZero() && !end.After(c.To) {
		points = append(points, point{end, 0})
	}
	var out []charge
	held := 0
	for _, p := range points {
		if p.seats != held {
			out = append(out, charge{cycle: c, from: p.day, to: c.To, seats: p.seats - held})
			held = p.seats
		}
	}
	return out
}

// amount is Microsoft's rule applied to what seatledger expects: the cycle price
// prorated to the charge's days, converted at rate, cut to the cent, times the seats.
func (ch charge) amount(rate decimal.Decimal) decimal.Decimal {
	return ch.amountAt(ch.cycle.CyclePrice(), rate)
}

// amountAt is amount at another price per seat per cycle (Microsoft's, for a cycle
// seatledger cannot price).
func (ch charge) amountAt(unit, rate decimal.Decimal) decimal.Decimal {
	return ch.unitAt(unit, days(ch.from, ch.to)).Mul(rate).Truncate(2).Mul(decimal.NewFromInt(int64(ch.seats)))
}

// unitFor is the effective price of one seat for n days of the cycle: Microsoft's
// proration, unit price ÷ days in the charge cycle × billable days.
func (ch charge) unitFor(n int) decimal.Decimal { return ch.unitAt(ch.cycle.CyclePrice(), n) }

func (ch charge) unitAt(unit decimal.Decimal, n int) decimal.Decimal {
	all := days(ch.cycle.From, ch.cycle.To)
	if n == all {
		return unit
	}
	return unit.Mul(decimal.NewFromInt(int64(n))).DivRound(decimal.NewFromInt(int64(all)), divPlaces)
}

func laterOf(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlierOf(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
