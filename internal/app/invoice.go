package app

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/seatledger/seatledger/internal/billing"
	"github.com/seatledger/seatledger/internal/invoice"
	"github.com/seatledger/seatledger/internal/pricing"
	"github.com/seatledger/seatledger/internal/terms"
)

// CheckInvoice checks Microsoft's invoice lines against what the store says the
// partner bought in the months the lines' charges start in (see InvoiceExpected).
func (a *App) CheckInvoice(ctx context.Context, items []invoice.LineItem) (invoice.Report, error) {
	from, to, ok := chargeMonths(items)
	if !ok {
		return invoice.Check(items, invoice.Expected{}), nil
	}
	exp, err := a.InvoiceExpected(ctx, from, to)
	if err != nil {
		return invoice.Report{}, err
	}
	rep := invoice.Check(items, exp)
	a.Log.Info("invoice checked", "lines", rep.Lines, "from", from.Format(time.DateOnly), "to", to.Format(time.DateOnly),
		"cycles", len(exp.Cycles), "differences", len(rep.Differences()))
	return rep, nil
}

// chargeMonths is the first day of the earliest month a line's charge starts in and
// the last day of the latest: the invoice's charge periods.
func chargeMonths(items []invoice.LineItem) (from, to time.Time, ok bool) {
	for _, l := range items {
		d := l.ChargeStart
		if d.IsZero() {
			continue
		}
		if !ok || d.Before(from) {
			from = d
		}
		if !ok || d.After(to) {
			to = d
		}
		ok = true
	}
	if !ok {
		return from, to, false
	}
	from = time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC)
	to = time.Date(to.Year(), to.Month()+1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -1)
	return from, to, true
}

// InvoiceExpected is what seatledger expects Microsoft to invoice for charges
// starting from day from to day to (inclusive UTC days): the registry's tenants and,
// per Partner Center subscription of the partner's (linked to Graph's), each charge
// cycle overlapping those days, with the seats held each day and the price per term
// under the lock. The subscriptions, seats and prices are the billing run's (see
// billingCustomers): Partner Center's quantity history where it covers the days,
// else Graph's. A cycle is a month from the term's first day on a monthly billing
// plan, a year on an annual plan, the whole term on a triennial one.
//
// Subscriptions without a Partner Center id, an offer or a known term cannot be
// matched to Microsoft's lines or cut into cycles; they are left out and logged.
func (a *App) InvoiceExpected(ctx context.Context, from, to time.Time) (invoice.Expected, error) {
	// The day before: a change on the first day is known only against the day before.
	readFrom, readTo := from.AddDate(0, 0, -1), to.AddDate(0, 0, 1)
	p := billing.Period{Year: from.Year(), Month: from.Month()}
	// Terms as they stood on the invoice's last day (or now, if sooner): checked
	// days after, a term whose commitment ended since would read as unknown.
	now := a.clock()()
	if end := to.Add(24*time.Hour - time.Second); end.Before(now) {
		now = end
	}
	in, _, err := a.billingCustomers(ctx, p, readFrom, readTo, now)
	if err != nil {
		return invoice.Expected{}, fmt.Errorf("read the subscriptions invoiced from %s to %s: %w", from.Format(time.DateOnly), to.Format(time.DateOnly), err)
	}
	exp := invoice.Expected{From: from, To: to}
	skipped := 0
	for _, c := range in {
		exp.Tenants = append(exp.Tenants, c.TenantID)
		for _, h := range c.Holdings {
			for _, s := range h.Subscriptions {
				if s.PartnerCenterID == "" || s.ProductSKU == "" {
					skipped++
					continue
				}
				cycles, ok := invoiceCycles(c, s, from, to)
				if !ok {
					skipped++
					continue
				}
				exp.Cycles = append(exp.Cycles, cycles...)
			}
		}
	}
	if skipped > 0 {
		a.Log.Warn("subscriptions left out of the invoice check: no Partner Center id, offer or known term", "subscriptions", skipped)
	}
	return exp, nil
}

// invoiceCycles are subscription s's charge cycles overlapping the days from..to;
// ok is false when its term is unknown.
func invoiceCycles(c billing.Customer, s billing.Subscription, from, to time.Time) ([]invoice.Cycle, bool) {
	termMonths := pricing.Months(s.Term)
	cycleMonths := min(pricing.PlanMonths(s.BillingPlan), termMonths)
	if termMonths == 0 || cycleMonths == 0 {
		return nil, false
	}
	first := firstDay(s.Seats)
	var out []invoice.Cycle
	for d := from; !d.After(to); {
		start, end, ok := billing.TermOn(s, d)
		if !ok {
			return nil, false
		}
		for k := 0; k*cycleMonths < termMonths; k++ {
			cf := terms.AddMonths(start, k*cycleMonths)
			if cf.After(end) {
				break
			}
			ct := terms.AddMonths(start, (k+1)*cycleMonths).AddDate(0, 0, -1)
			if ct.After(end) {
				ct = end // a first term co-termed to an earlier end
			}
			// A cycle ended before the history's first record is a term worked
			// back from the current one, perhaps from before the purchase.
			if ct.Before(from) || cf.After(to) || ct.Before(first) {
				continue
			}
			out = append(out, cycleOf(c, s, start, cf, ct, from))
		}
		d = end.AddDate(0, 0, 1)
	}
	return out, true
}

// cycleOf is one charge cycle of s, from cf to ct, in a term begun on termStart.
//
// Its seats are the history's, day by day, from the day before the invoice's days
// (or the cycle's first day) to the cycle's last. Days before the history's first
// record hold its first count: seatledger cannot know of changes before it first
// saw the subscription, and reading them as no seats would invent a purchase on the
// day it did.
func cycleOf(c billing.Customer, s billing.Subscription, termStart, cf, ct, from time.Time) invoice.Cycle {
	cy := invoice.Cycle{TenantID: c.TenantID, Customer: c.Name, SubscriptionID: s.PartnerCenterID, ProductSKU: s.ProductSKU, Term: s.Term,
		BillingPlan: s.BillingPlan, From: cf, To: ct, Currency: c.Currency}
	first := firstDay(s.Seats)
	seatsOn := func(d time.Time) int {
		if !first.IsZero() && d.Before(first) {
			d = first
		}
		return billing.SeatsOn(s.Seats, d)
	}
	d := from.AddDate(0, 0, -1)
	if cf.After(d) {
		d = cf
	}
	for ; !d.After(ct); d = d.AddDate(0, 0, 1) {
		n := seatsOn(d)
		if k := len(cy.Seats) - 1; k >= 0 && cy.Seats[k].Seats == n {
			cy.Seats[k].To = d
			continue
		}
		cy.Seats = append(cy.Seats, invoice.Seats{From: d, To: d, Seats: n})
	}
	if len(cy.Seats) > 0 {
		cy.Seats[0].From = cf
	}
	h := pricing.Holding{Market: c.Market, Currency: c.Currency, Segment: c.Segment, ProductSKU: s.ProductSKU, Term: s.Term,
		BillingPlan: s.BillingPlan, Seats: seatsOn(termStart), TermStart: termStart}
	row, ok := pricing.Locked(c.Prices, h, termStart)
	if !ok {
		cy.Unpriced = fmt.Sprintf("no price-list row of %s (%s, %s) in %s %s was in force on %s, the term's first day",
			s.ProductSKU, s.Term, s.BillingPlan, c.Market, c.Currency, termStart.Format(time.DateOnly))
		cy.Source = "seats: " + s.SeatsFrom
		return cy
	}
	cy.TermPrice = row.UnitPrice
	cy.Source = fmt.Sprintf("seats: %s; price: %s", s.SeatsFrom, row.Source)
	return cy
}

// firstDay is the UTC day of a timeline's earliest record; zero when it has none.
func firstDay(spans []billing.Span) time.Time {
	if len(spans) == 0 {
		return time.Time{}
	}
	earliest := slices.MinFunc(spans, func(a, b billing.Span) int { return a.From.Compare(b.From) }).From
	return terms.Day(earliest)
}
