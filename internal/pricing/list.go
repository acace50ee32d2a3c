package pricing

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/shopspring/decimal"
)

// List is one price list file, read and checked: its prices ordered by key and first
// day, overlapping rows resolved. A monthly list of every market runs to hundreds of
// thousands of rows, so they are kept compact (about 90 bytes each: codes and titles
// numbered once, amounts as coefficient and exponent, days as numbers) and turned into
// a Price one at a time by Price(i).
type List struct {
	// Overridden counts rows cut short or replaced by a row of the same key whose
	// range starts later and overlaps theirs.
	Overridden int
	Markets    []Market
	// Effective is, per market, the latest first day of any of its prices: the day
	// the list as a whole takes effect, from which an offer it no longer carries is
	// retired.
	Effective map[Market]time.Time

	file string
	rows []row
	// strs holds each code and title once; rank orders them as strings compare.
	strs []string
	rank []int32
	// bigs holds the rare amount whose coefficient does not fit 64 bits.
	bigs []decimal.Decimal
}

// row is one price of a List. Strings are indexes into List.strs; days count from
// 1970-01-01.
type row struct {
	unit, erp                                           amount
	product, sku, term, plan, market, currency, segment uint32
	productTitle, skuTitle                              uint32
	tierMin, tierMax                                    int32
	from, to                                            int32
	line                                                int32
}

// noEnd is row.to of an open-ended range.
const noEnd = math.MinInt32

type amountKind uint8

const (
	noAmount amountKind = iota
	smallAmount
	// bigAmount keeps its decimal in List.bigs, at index coef.
	bigAmount
)

// amount is a decimal as coef × 10^exp, exact.
type amount struct {
	coef int64
	exp  int32
	kind amountKind
}

// Len is the number of prices in the list.
func (l List) Len() int { return len(l.rows) }

// Key is the key of the i-th price.
func (l List) Key(i int) Key {
	r := &l.rows[i]
	s := l.strs
	return Key{ProductID: s[r.product], SKUID: s[r.sku], TermDuration: s[r.term], BillingPlan: s[r.plan],
		Market: s[r.market], Currency: s[r.currency], Segment: s[r.segment], TierMin: int(r.tierMin)}
}

// Price is the i-th price, in key and first-day order; Source names the file and line.
func (l List) Price(i int) Price {
	r := &l.rows[i]
	p := Price{
		Key:          l.Key(i),
		ProductTitle: l.strs[r.productTitle],
		SKUTitle:     l.strs[r.skuTitle],
		TierMax:      int(r.tierMax),
		UnitPrice:    l.decimal(r.unit),
		From:         fromDays(r.from),
		Source:       l.file + ":" + strconv.Itoa(int(r.line)),
	}
	if r.erp.kind != noAmount {
		erp := l.decimal(r.erp)
		p.ERPPrice = &erp
	}
	if r.to != noEnd {
		to := fromDays(r.to)
		p.To = &to
	}
	return p
}

// Prices is every price of the list, for a list small enough to hold them all.
func (l List) Prices() []Price {
	out := make([]Price, len(l.rows))
	for i := range l.rows {
		out[i] = l.Price(i)
	}
	return out
}

func (l List) decimal(a amount) decimal.Decimal {
	if a.kind == bigAmount {
		return l.bigs[a.coef]
	}
	return decimal.New(a.coef, a.exp)
}

// compact turns a checked price into a row.
func (b *builder) compact(p Price, line int) row {
	r := row{
		product: b.id(p.ProductID), sku: b.id(p.SKUID), term: b.id(p.TermDuration), plan: b.id(p.BillingPlan),
		market: b.id(p.Market), currency: b.id(p.Currency), segment: b.id(p.Segment),
		productTitle: b.id(p.ProductTitle), skuTitle: b.id(p.SKUTitle),
		tierMin: int32(min(p.TierMin, math.MaxInt32)), tierMax: int32(min(p.TierMax, math.MaxInt32)),
		unit: b.amount(p.UnitPrice), from: days(p.From), to: noEnd, line: int32(min(line, math.MaxInt32)),
	}
	if p.ERPPrice != nil {
		r.erp = b.amount(*p.ERPPrice)
	}
	if p.To != nil {
		r.to = days(*p.To)
	}
	return r
}

func (b *builder) amount(d decimal.Decimal) amount {
	if c := d.Coefficient(); c.IsInt64() {
		return amount{coef: c.Int64(), exp: d.Exponent(), kind: smallAmount}
	}
	b.list.bigs = append(b.list.bigs, d)
	return amount{coef: int64(len(b.list.bigs) - 1), kind: bigAmount}
}

// days is the UTC calendar day of t, counted from 1970-01-01; the zero time (an open
// start) fits too.
func days(t time.Time) int32 {
	return int32(day(t).Unix() / 86400)
}

func fromDays(d int32) time.Time {
	return time.Unix(int64(d)*86400, 0).UTC()
}

// ranks numbers strings in the order they sort, so that rows compare by number.
func ranks(strs []string) []int32 {
	order := make([]int32, len(strs))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int { return cmp.Compare(strs[a], strs[b]) })
	rank := make([]int32, len(strs))
	for pos, id := range order {
		rank[id] = int32(pos)
	}
	return rank
}

// compareKeys orders rows as CompareKeys orders their keys.
func (l *List) compareKeys(a, b *row) int {
	rk := l.rank
	return cmp.Or(cmp.Compare(rk[a.product], rk[b.product]), cmp.Compare(rk[a.sku], rk[b.sku]), cmp.Compare(rk[a.term], rk[b.term]),
		cmp.Compare(rk[a.plan], rk[b.plan]), cmp.Compare(rk[a.market], rk[b.market]), cmp.Compare(rk[a.currency], rk[b.currency]),
		cmp.Compare(rk[a.segment], rk[b.segment]), cmp.Compare(a.tierMin, b.tierMin))
}

// resolveOverlaps orders the prices of each key by start, and resolves rows whose
// ranges overlap in favour of the one that starts later: the earlier one ends the day
// before, or gives way entirely when both start on the same day (the later line wins).
func (l *List) resolveOverlaps() {
	slices.SortFunc(l.rows, func(a, b row) int {
		return cmp.Or(l.compareKeys(&a, &b), cmp.Compare(a.from, b.from), cmp.Compare(a.line, b.line))
	})
	out := l.rows[:0]
	for _, r := range l.rows {
		if n := len(out); n > 0 && l.compareKeys(&out[n-1], &r) == 0 {
			prev := &out[n-1]
			if prev.to == noEnd || prev.to >= r.from {
				l.Overridden++
				if prev.from == r.from {
					*prev = r
					continue
				}
				prev.to = r.from - 1
			}
		}
		out = append(out, r)
	}
	l.rows = slices.Clip(out)
}
