package billing

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/seatledger/seatledger/internal/contracts"
	"github.com/seatledger/seatledger/internal/pricing"
	"github.com/seatledger/seatledger/internal/terms"
)

// Lines works out period p's billing lines for every customer, what is held but not
// billed, and the totals per customer and currency (sums of the rounded lines).
func Lines(p Period, customers []Customer) Run {
	// A contract line bills a month, an adjustment of the month before and perhaps
	// a split at a renewal: room for three lines each saves growing a slice of a
	// hundred thousand lines again and again. Every customer's biller appends to it.
	n := 0
	for i := range customers {
		n += len(customers[i].Contract)
	}
	run := Run{Period: p, Lines: make([]Line, 0, 3*n), NotBilled: []NotBilled{}}
	for i := range customers {
		b := newBiller(p, &customers[i])
		b.lines, b.notBilled = run.Lines, run.NotBilled
		b.run()
		run.Lines, run.NotBilled = b.lines, b.notBilled
	}
	SortLines(run.Lines)
	run.Totals = Totals(run.Lines)
	return run
}

// SortLines puts lines in the order a run lists them: by customer, SKU, contract
// line, subscription, first day and kind.
func SortLines(lines []Line) {
	slices.SortStableFunc(lines, func(x, y Line) int {
		return cmp.Or(cmp.Compare(x.Customer, y.Customer), cmp.Compare(x.TenantID, y.TenantID), cmp.Compare(x.PartNumber, y.PartNumber),
			cmp.Compare(x.Source.ContractLine, y.Source.ContractLine), cmp.Compare(x.Source.SubscriptionID, y.Source.SubscriptionID),
			x.From.Compare(y.From), cmp.Compare(x.Kind, y.Kind))
	})
}

// biller bills one customer.
type biller struct {
	p         Period
	c         *Customer
	holdings  map[string]*Holding
	lines     []Line
	notBilled []NotBilled
	cover     map[coverKey]int
}

func newBiller(p Period, c *Customer) *biller {
	b := &biller{p: p, c: c, holdings: map[string]*Holding{}, cover: map[coverKey]int{}}
	for i := range c.Holdings {
		h := c.Holdings[i]
		// Subscriptions in a fixed order, so that seats are always shared out alike.
		h.Subscriptions = slices.Clone(h.Subscriptions)
		slices.SortFunc(h.Subscriptions, func(x, y Subscription) int { return cmp.Compare(x.ID, y.ID) })
		b.holdings[h.SKUID] = &h
	}
	return b
}

func (b *biller) run() {
	places, known := MinorUnit(b.c.Currency)
	for i := range b.c.Contract {
		l := &b.c.Contract[i]
		h := b.holdings[l.SKUID]
		if h == nil {
			h = &Holding{SKUID: l.SKUID, PartNumber: l.PartNumber}
		}
		if !known {
			if n := b.seatDays(l, h, nil, b.p); n != 0 {
				b.skip(l, h, nil, n, fmt.Sprintf("the customer's currency %q has no known minor unit: set an ISO 4217 currency", b.c.Currency))
			}
			continue
		}
		payers := []*Subscription{nil}
		for j := range h.Subscriptions {
			payers = append(payers, &h.Subscriptions[j])
		}
		for _, s := range payers {
			if l.BillingPlan == contracts.PlanMonthly {
				b.monthly(l, h, s, b.p, false, places)
				if !l.Arrears() {
					b.monthly(l, h, s, b.p.Prev(), true, places)
				}
				continue
			}
			b.upfront(l, h, s, places)
		}
	}
	b.unbilledSeats()
}

// covers tells whether contract line l is the one that bills subscription s on day d:
// the line of its SKU in force that day, the one on the subscription's term first.
func (b *biller) covers(l *contracts.Line, h *Holding, s *Subscription, d time.Time) bool {
	found := b.lineFor(h.SKUID, s.Term, d)
	return found >= 0 && &b.c.Contract[found] == l
}

// coverKey is a question lineFor answers: the line of a SKU on a term on a day.
type coverKey struct {
	sku, term string
	day       int64
}

// lineFor is the index in the customer's contract of the line contracts.For picks
// for a SKU on a term on day d, or -1; remembered, since every stretch of a month
// asks it once per subscription and line.
func (b *biller) lineFor(sku, term string, d time.Time) int {
	k := coverKey{sku, term, d.Unix()}
	if i, ok := b.cover[k]; ok {
		return i
	}
	i := -1
	if found, ok := contracts.For(b.c.Contract, sku, term, d); ok {
		for j := range b.c.Contract {
			if c := &b.c.Contract[j]; c.SourceLine == found.SourceLine && c.SameAs(found) {
				i = j
				break
			}
		}
	}
	b.cover[k] = i
	return i
}

// share is the seats contract line l bills for payer s on day d. The line's count —
// committed, assigned or purchased — is shared out over the subscriptions it covers
// that day in id order, each up to its own seats; seats beyond them all go with the
// first (billed, priced like it). With no subscription, the nil payer takes them.
func (b *biller) share(l *contracts.Line, h *Holding, s *Subscription, d time.Time) int {
	if !l.ActiveOn(d) {
		return 0
	}
	// Asked for every stretch of every line and payer: the covered subscriptions go
	// in a buffer on the stack rather than a new slice each time.
	var buf [8]*Subscription
	subs := buf[:0]
	purchased := 0
	for i := range h.Subscriptions {
		if x := &h.Subscriptions[i]; b.covers(l, h, x, d) {
			subs = append(subs, x)
			purchased += seatsOn(x.Seats, d)
		}
	}
	count := l.BilledSeats(seatsOn(h.Assigned, d), purchased)
	if len(subs) == 0 {
		if s == nil {
			return count
		}
		return 0
	}
	if s == nil {
		return 0
	}
	rest, mine := count, 0
	for _, x := range subs {
		take := min(rest, seatsOn(x.Seats, d))
		rest -= take
		if x == s {
			mine = take
		}
	}
	if s == subs[0] {
		mine += rest
	}
	return mine
}

// seatDays is the seats × days line l bills payer s over period w.
func (b *biller) seatDays(l *contracts.Line, h *Holding, s *Subscription, w Period) int64 {
	var n int64
	for _, st := range b.stretches(h, s, w) {
		n += int64(b.share(l, h, s, st.from)) * int64(st.days)
	}
	return n
}

// billingDay is the day of period w whose seats are billed in advance, or in
// arrears by a "day N" line.
func billingDay(l *contracts.Line, w Period) time.Time {
	day := 1
	if l.Policy == contracts.PolicyFixedDay && l.BillingDay > 0 {
		day = min(l.BillingDay, w.Days())
	}
	return time.Date(w.Year, w.Month, day, 0, 0, 0, 0, time.UTC)
}

// held is a stretch of days of period w that line l bills payer s for: one seat
// count, in one term.
type held struct {
	stretch
	seats int
	term  term
	known bool
}

// monthly bills a monthly billing plan over period w: the run's month, or with
// adjust the month before, against what was billed for it in advance. The days are
// split by the subscription's term, since each term has its own locked price. Seat
// counts change a few times a month, so the month is worked out stretch by stretch
// (days over which nothing the count depends on changes), not day by day.
func (b *biller) monthly(l *contracts.Line, h *Holding, s *Subscription, w Period, adjust bool, places int32) {
	total := w.Days()
	stretches := b.stretches(h, s, w)
	active := make([]held, 0, len(stretches))
	for _, st := range stretches {
		if !l.ActiveOn(st.from) || s != nil && !b.covers(l, h, s, st.from) {
			continue
		}
		t, known := termOn(s, st.from)
		active = append(active, held{stretch: st, seats: b.share(l, h, s, st.from), term: t, known: known})
	}
	if len(active) == 0 {
		return
	}
	bday := billingDay(l, w)
	base := b.share(l, h, s, bday)
	point := !adjust && (!l.Arrears() || l.Policy == contracts.PolicyFixedDay)
	kind := KindMonthly
	if adjust {
		kind = KindAdjustment
	}
	// The counting says the same of every segment of the line but a "day N" one's
	// days, so it is written once.
	var counting string
	switch {
	case adjust:
		counting = "Σ (seats held − " + strconv.Itoa(base) + " billed in advance on " + bday.Format(time.DateOnly) + ") × days ÷ " +
			strconv.Itoa(total) + " days in " + w.String()
	case !point:
		counting = "Σ seats × days held ÷ " + strconv.Itoa(total) + " days in " + w.String()
	}
	for len(active) > 0 {
		// A segment is the stretches of one term, next to one another in the list of
		// stretches billed (days not billed between them do not split it).
		n := 1
		for n < len(active) && active[n].known == active[0].known && active[n].term == active[0].term {
			n++
		}
		seg, rest := active[:n], active[n:]
		active = rest
		var seatDays int64
		var seats []SeatSpan
		heldDays := 0
		for _, st := range seg {
			heldDays += st.days
		}
		switch {
		case adjust:
			seats = make([]SeatSpan, 1, 1+len(seg))
			seats[0] = SeatSpan{From: bday, To: bday, Seats: base}
			for _, st := range seg {
				seatDays += int64(st.seats-base) * int64(st.days)
			}
			seats = appendSpans(seats, seg)
		case point:
			seatDays = int64(base) * int64(heldDays)
			seats = []SeatSpan{{From: bday, To: bday, Seats: base}}
			counting = strconv.Itoa(base) + " seats on " + bday.Format(time.DateOnly) + " × " + strconv.Itoa(heldDays) + " days ÷ " +
				strconv.Itoa(total) + " days in " + w.String()
		default:
			for _, st := range seg {
				seatDays += int64(st.seats) * int64(st.days)
			}
			seats = appendSpans(make([]SeatSpan, 0, len(seg)), seg)
		}
		if seatDays == 0 {
			continue
		}
		span := segment{term: seg[0].term, known: seg[0].known, from: seg[0].from, to: seg[n-1].last()}
		b.emit(l, h, s, span, kind, PerMonth, seatDays, total, seats, counting, places)
	}
}

// appendSpans appends the seat counts of stretches (in order) to out, stretches next
// to one another with one count as one span.
func appendSpans(out []SeatSpan, stretches []held) []SeatSpan {
	first := len(out)
	for _, st := range stretches {
		if k := len(out) - 1; k >= first && out[k].Seats == st.seats && out[k].To.AddDate(0, 0, 1).Equal(st.from) {
			out[k].To = st.last()
			continue
		}
		out = append(out, SeatSpan{From: st.from, To: st.last(), Seats: st.seats})
	}
	return out
}

// upfront bills an annual or triennial billing plan: the whole term in the month it
// starts or renews, and each change of seats during a term prorated to its end — the
// run's month's changes in arrears, last month's in advance.
func (b *biller) upfront(l *contracts.Line, h *Holding, s *Subscription, places int32) {
	if _, ok := termOn(s, b.p.First()); !ok {
		if n := b.seatDays(l, h, s, b.p); n != 0 {
			reason := "an upfront plan bills a subscription's whole term, and no subscription of the partner's covers these seats"
			if s != nil {
				reason = "an upfront plan bills the whole term, and the subscription's term start is unknown"
			}
			b.skip(l, h, s, n, reason)
		}
		return
	}
	// The terms that start in the month: the month's first day's, then each next one.
	for d := b.p.First(); !d.After(b.p.Last()); {
		t, _ := termOn(s, d)
		if t.start.Equal(d) && b.covers(l, h, s, d) {
			if n := b.share(l, h, s, d); n != 0 {
				seg := segment{term: t, known: true, from: d, to: t.end}
				counting := strconv.Itoa(n) + " seats on the term's first day " + d.Format(time.DateOnly) + ", for the whole term to " + t.end.Format(time.DateOnly)
				b.emit(l, h, s, seg, KindUpfront, PerTerm, int64(n)*int64(t.days()), t.days(), []SeatSpan{{From: d, To: d, Seats: n}}, counting, places)
			}
		}
		d = t.end.AddDate(0, 0, 1)
	}
	changes := b.p
	if !l.Arrears() {
		changes = b.p.Prev()
	}
	// Seats can differ from the day before only on the first day of a stretch.
	for _, st := range b.stretches(h, s, changes) {
		d := st.from
		t, _ := termOn(s, d)
		if t.start.Equal(d) {
			continue // the term's first day is billed upfront
		}
		if !d.After(firstKnown(l, h, s)) {
			// The history begins here, mid-term: the seats were there before it, and
			// their term was billed upfront when it began; nothing was added.
			continue
		}
		before, after := b.share(l, h, s, d.AddDate(0, 0, -1)), b.share(l, h, s, d)
		if before == after {
			continue
		}
		left := t.days() - int(d.Sub(t.start).Hours()/24)
		seg := segment{term: t, known: true, from: d, to: t.end}
		counting := fmt.Sprintf("%+d seats on %s × %d days left in the term ÷ %d days in the term", after-before, d.Format(time.DateOnly), left, t.days())
		seats := []SeatSpan{{From: d.AddDate(0, 0, -1), To: d.AddDate(0, 0, -1), Seats: before}, {From: d, To: d, Seats: after}}
		b.emit(l, h, s, seg, KindMidTerm, PerTerm, int64(after-before)*int64(left), t.days(), seats, counting, places)
	}
}

// firstKnown is the first day the history that counts a line's seats knows of: the
// licence pool's for a line billing assigned seats, else the subscription's.
func firstKnown(l *contracts.Line, h *Holding, s *Subscription) time.Time {
	spans := s.Seats
	if l.AsAssigned() {
		spans = h.Assigned
	}
	if len(spans) == 0 {
		return time.Time{}
	}
	first := spans[0].From
	for _, sp := range spans[1:] {
		if sp.From.Before(first) {
			first = sp.From
		}
	}
	return terms.Day(first)
}

// segment is the days a line bills of one subscription term.
type segment struct {
	term  term
	known bool
	// from is the first day billed; to the last: the last day held, or the term's
	// end for an upfront or mid-term line.
	from, to time.Time
}

// emit prices and writes one line, or lists it as not billed when it cannot be priced.
func (b *biller) emit(l *contracts.Line, h *Holding, s *Subscription, seg segment, kind, unit string, seatDays int64, total int,
	seats []SeatSpan, counting string, places int32) {
	pr := b.price(l, s, seg)
	if pr.reason != "" {
		b.skip(l, h, s, seatDays, pr.reason)
		return
	}
	line := Line{TenantID: b.c.TenantID, Customer: b.c.Name, Currency: b.c.Currency, Period: b.p, From: seg.from, To: seg.to, Kind: kind,
		SKUID: l.SKUID, PartNumber: cmp.Or(l.PartNumber, h.PartNumber), Term: l.Term, BillingPlan: l.BillingPlan,
		Quantity: decimal.NewFromInt(seatDays).DivRound(decimal.NewFromInt(int64(total)), unitPlaces), SeatDays: seatDays, Days: total, Unit: unit}
	line.UnitPrice = pr.perMonth
	if unit == PerTerm {
		line.UnitPrice = pr.perTerm
	}
	line.Amount = lineAmount(seatDays, line.UnitPrice, total, places)
	if pr.costPerTerm != nil {
		uc := *pr.costPerMonth
		if unit == PerTerm {
			uc = *pr.costPerTerm
		}
		cost := lineAmount(seatDays, uc, total, places)
		margin := line.Amount.Sub(cost)
		line.UnitCost, line.Cost, line.Margin = &uc, &cost, &margin
	} else {
		line.CostNote = pr.costNote
	}
	line.Source = Provenance{ContractLine: l.SourceLine, ContractRef: l.Reference, Pricing: l.Pricing(), QuantityBasis: quantityBasis(l),
		Policy: l.Policy, Timing: cmp.Or(l.Timing, contracts.TimingAdvance), Seats: seats, SeatsFrom: seatsFrom(l, s), Counting: counting}
	if s != nil {
		line.Source.SubscriptionID, line.Source.PartnerCenterID = s.ID, s.PartnerCenterID
	}
	if seg.known {
		start, end := seg.term.start, seg.term.end
		line.Source.TermStart, line.Source.TermEnd = &start, &end
	}
	if pr.row != nil {
		line.Source.Price = &PriceRow{Source: pr.row.Source, From: pr.row.From, LockedOn: pr.lockedOn, UnitPrice: pr.row.UnitPrice, ERPPrice: pr.row.ERPPrice}
	}
	b.lines = append(b.lines, line)
}

func quantityBasis(l *contracts.Line) string {
	switch {
	case l.Quantity != nil:
		return fmt.Sprintf("committed %d", *l.Quantity)
	case l.AsPurchased:
		return "as-purchased"
	}
	return "as-assigned"
}

func seatsFrom(l *contracts.Line, s *Subscription) string {
	switch {
	case l.Quantity != nil:
		return "contract quantity"
	case l.AsPurchased && s != nil && s.SeatsFrom == SeatsPartnerCenter:
		return "purchased: Partner Center quantity"
	case l.AsPurchased:
		return "purchased: Graph enabled units"
	}
	return "assigned: Graph consumed units"
}

// skip lists seats a contract line could not bill.
func (b *biller) skip(l *contracts.Line, h *Holding, s *Subscription, seatDays int64, reason string) {
	nb := NotBilled{TenantID: b.c.TenantID, Customer: b.c.Name, SKUID: h.SKUID, PartNumber: cmp.Or(l.PartNumber, h.PartNumber),
		ContractLine: l.SourceLine, SeatDays: seatDays, Reason: reason}
	if s != nil {
		nb.SubscriptionID = s.ID
	}
	b.notBilled = append(b.notBilled, nb)
}

// unbilledSeats lists the seats of subscriptions no contract line covers during the
// period, and the assigned seats of SKUs with neither a subscription nor a line.
func (b *biller) unbilledSeats() {
	for i := range b.c.Holdings {
		h := &b.c.Holdings[i]
		for j := range h.Subscriptions {
			s := &h.Subscriptions[j]
			var n int64
			for _, st := range b.stretches(h, nil, b.p) {
				if _, ok := contracts.For(b.c.Contract, h.SKUID, s.Term, st.from); !ok {
					n += int64(seatsOn(s.Seats, st.from)) * int64(st.days)
				}
			}
			if n > 0 {
				b.notBilled = append(b.notBilled, NotBilled{TenantID: b.c.TenantID, Customer: b.c.Name, SKUID: h.SKUID, PartNumber: h.PartNumber,
					SubscriptionID: s.ID, SeatDays: n, Reason: fmt.Sprintf("no contract line bills %s (%s, %s)", h.PartNumber, s.Term, s.BillingPlan)})
			}
		}
		if len(h.Subscriptions) > 0 {
			continue
		}
		var n int64
		for _, st := range b.stretches(h, nil, b.p) {
			if _, ok := contracts.For(b.c.Contract, h.SKUID, "", st.from); !ok {
				n += int64(seatsOn(h.Assigned, st.from)) * int64(st.days)
			}
		}
		if n > 0 {
			b.notBilled = append(b.notBilled, NotBilled{TenantID: b.c.TenantID, Customer: b.c.Name, SKUID: h.SKUID, PartNumber: h.PartNumber,
				SeatDays: n, Reason: fmt.Sprintf("users hold %s, and neither a contract line nor a subscription of the partner's is on record", h.PartNumber)})
		}
	}
}

// unitPrices is a line's price and the partner's cost, per seat per month and per
// term, to 6 decimals; reason says why the line cannot be priced.
type unitPrices struct {
	perMonth, perTerm         decimal.Decimal
	costPerMonth, costPerTerm *decimal.Decimal
	costNote, reason          string
	row                       *pricing.Price
	lockedOn                  time.Time
}

// price prices contract line l for payer s over a segment: the price-list row is the
// one in force on the first day of the subscription's term (New Commerce's price
// lock), or on the segment's first day when the term is unknown.
func (b *biller) price(l *contracts.Line, s *Subscription, seg segment) unitPrices {
	months := pricing.Months(l.Term)
	var out unitPrices
	out.lockedOn = seg.from
	if seg.known {
		out.lockedOn = seg.term.start
	}
	switch {
	case s == nil:
		out.costNote = "no subscription of the partner's covers these seats: their cost is unknown"
	case s.ProductSKU == "":
		out.costNote = "the subscription's Partner Center offer is unknown, so no price-list row gives its cost"
	default:
		months = max(pricing.Months(s.Term), 1)
		h := pricing.Holding{Market: b.c.Market, Currency: b.c.Currency, Segment: b.c.Segment, ProductSKU: s.ProductSKU, Term: s.Term,
			BillingPlan: s.BillingPlan, Seats: seatsOn(s.Seats, out.lockedOn), TermStart: out.lockedOn}
		if row, ok := pricing.Locked(b.c.Prices, h, out.lockedOn); ok {
			out.row = &row
			cost := row.UnitPrice.Round(unitPlaces)
			perMonth := row.UnitPrice.DivRound(decimal.NewFromInt(int64(months)), unitPlaces)
			out.costPerTerm, out.costPerMonth = &cost, &perMonth
		} else {
			out.costNote = fmt.Sprintf("no price-list row of %s (%s, %s) in %s %s was in force on %s, the term's first day",
				s.ProductSKU, s.Term, s.BillingPlan, b.c.Market, b.c.Currency, out.lockedOn.Format(time.DateOnly))
		}
	}
	months = max(months, 1)
	hundred := decimal.NewFromInt(100)
	var perTerm decimal.Decimal
	switch l.Pricing() {
	case contracts.PricingFixed:
		out.perMonth = l.UnitPrice.Round(unitPlaces)
		out.perTerm = l.UnitPrice.Mul(decimal.NewFromInt(int64(months))).Round(unitPlaces)
		return out
	case contracts.PricingCostPlus:
		if out.row == nil {
			out.reason = "priced at Microsoft's cost plus markup, and " + out.costNote
			return out
		}
		markup := decimal.Zero
		if l.MarkupPercent != nil {
			markup = *l.MarkupPercent
		}
		perTerm = out.row.UnitPrice.Mul(hundred.Add(markup)).DivRound(hundred, quotientPlaces)
	case contracts.PricingERP:
		switch {
		case out.row == nil:
			out.reason = "priced at the ERP price, and " + out.costNote
			return out
		case out.row.ERPPrice == nil:
			out.reason = fmt.Sprintf("priced at the ERP price, and the price-list row (%s) has no ERP price", out.row.Source)
			return out
		}
		discount := decimal.Zero
		if l.DiscountPercent != nil {
			discount = *l.DiscountPercent
		}
		perTerm = out.row.ERPPrice.Mul(hundred.Sub(discount)).DivRound(hundred, quotientPlaces)
	}
	out.perTerm = perTerm.Round(unitPlaces)
	out.perMonth = perTerm.DivRound(decimal.NewFromInt(int64(months)), unitPlaces)
	return out
}

// LinesConcurrently is Lines worked out by up to workers goroutines, each over a
// slice of the customers (who are billed independently); the run is the same.
func LinesConcurrently(p Period, customers []Customer, workers int) Run {
	workers = max(1, min(workers, len(customers)))
	size := (len(customers) + workers - 1) / workers
	parts := make([]Run, workers)
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := min(w*size, len(customers)), min((w+1)*size, len(customers))
		wg.Go(func() { parts[w] = Lines(p, customers[lo:hi]) })
	}
	wg.Wait()
	lines, notBilled := 0, 0
	for _, part := range parts {
		lines, notBilled = lines+len(part.Lines), notBilled+len(part.NotBilled)
	}
	run := Run{Period: p, Lines: make([]Line, 0, lines), NotBilled: make([]NotBilled, 0, notBilled)}
	for _, part := range parts {
		run.Lines = append(run.Lines, part.Lines...)
		run.NotBilled = append(run.NotBilled, part.NotBilled...)
	}
	// Lines of different customers never tie, so sorting the parts' sorted lines
	// again orders them exactly as one pass would.
	SortLines(run.Lines)
	run.Totals = Totals(run.Lines)
	return run
}
