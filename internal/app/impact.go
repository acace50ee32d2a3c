package app

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/seatledger/seatledger/internal/catalog"
	"github.com/seatledger/seatledger/internal/contracts"
	"github.com/seatledger/seatledger/internal/customers"
	"github.com/seatledger/seatledger/internal/inventory"
	"github.com/seatledger/seatledger/internal/pricing"
	"github.com/seatledger/seatledger/internal/store"
	"github.com/seatledger/seatledger/internal/terms"
)

// holdings lists, for the chosen customers, the partner's running subscriptions as
// the price list sees them: offer, term, billing plan, seats, the current term and
// the next renewal, and the contract line's price. Subscriptions whose offer is
// unknown (no Partner Center link, no imported offer matrix row) are left out and
// counted. Customers are read a few at a time on PostgreSQL: each costs a handful of
// queries, and a thousand of them one after the other spend their time waiting on
// the database.
func (a *App) holdings(ctx context.Context, sc *scope) ([]pricing.Holding, int, error) {
	offers, err := sc.offersByGraphSKU(ctx, a)
	if err != nil {
		return nil, 0, err
	}
	workers := 4
	if a.Store.Dialect() == store.SQLite {
		workers = 1
	}
	per := make([][]pricing.Holding, len(sc.customers))
	unknown := make([]int, len(sc.customers))
	errs := make([]error, len(sc.customers))
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range next {
				if errs[i] = ctx.Err(); errs[i] != nil {
					continue
				}
				c := sc.customers[i]
				r, err := a.resolveSubscriptions(ctx, sc, c)
				if err != nil {
					errs[i] = fmt.Errorf("customer %s: %w", c.Name, err)
					continue
				}
				for _, s := range r.subs {
					if !s.Paid() || s.Owner != terms.OwnerPartner {
						continue
					}
					h, ok := holdingOf(c, s, offers)
					if !ok {
						unknown[i]++
						continue
					}
					per[i] = append(per[i], h)
				}
			}
		})
	}
	for i := range sc.customers {
		next <- i
	}
	close(next)
	wg.Wait()
	// The first failure says which customer; after a cancel the rest only repeat it.
	if i := slices.IndexFunc(errs, func(err error) bool { return err != nil }); i >= 0 {
		return nil, 0, errs[i]
	}
	var out []pricing.Holding
	total := 0
	for i := range per {
		out = append(out, per[i]...)
		total += unknown[i]
	}
	return out, total, nil
}

// resolved is a customer's subscriptions with their terms resolved from Graph,
// Partner Center and the contract, the contract lines, and the Partner Center
// subscriptions that match none of them.
type resolved struct {
	subs     []terms.Subscription
	contract []contracts.Line
	unlinked []inventory.PartnerSubscription
}

// resolveSubscriptions reads what the store holds of a customer's subscriptions and
// resolves their terms: the part of advice's input that the price impact needs too.
func (a *App) resolveSubscriptions(ctx context.Context, sc *scope, c customers.Customer) (resolved, error) {
	var r resolved
	subs, err := a.Store.Subscriptions(ctx, c.TenantID)
	if err != nil {
		return r, err
	}
	if r.contract, err = a.Store.ContractLines(ctx, c.TenantID); err != nil {
		return r, err
	}
	additions, err := a.Store.SeatAdditions(ctx, c.TenantID)
	if err != nil {
		return r, err
	}
	partner, err := a.Store.PartnerSubscriptions(ctx, c.TenantID)
	if err != nil {
		return r, err
	}
	links := terms.Link(subs, partner, sc.offerSKU(ctx, a))
	r.subs = terms.ResolveLinked(c.TenantID, a.Config.Partner.TenantID, subs, r.contract, additions, links.ByGraphID, sc.now)
	r.unlinked = links.Unlinked
	return r, nil
}

// holdingOf is a subscription as the price list sees it; ok is false when its offer
// or term is unknown.
func holdingOf(c customers.Customer, s terms.Subscription, offers map[string][]catalog.Offer) (pricing.Holding, bool) {
	h := pricing.Holding{TenantID: c.TenantID, Customer: c.Name, Market: c.Market, Currency: c.Currency, Segment: cmp.Or(c.Segment, customers.DefaultSegment),
		SubscriptionID: s.ID, PartNumber: s.PartNumber, Term: s.Term.Length, Seats: s.TotalLicenses,
		TermStart: s.Term.Start, Renewal: s.Term.Renewal, BillingPlan: billingPlanOf(s), AutoRenewOff: s.AutoRenewOff(), Created: s.Created}
	switch {
	case s.Partner != nil:
		h.ProductSKU = s.Partner.Subscription.ProductSKU
	case len(offers[s.SKUID]) == 1:
		h.ProductSKU = offers[s.SKUID][0].Key()
	}
	if s.Line != nil {
		h.FixedPrice, h.MarkupPercent = s.Line.UnitPrice, s.Line.MarkupPercent
	}
	return h, h.ProductSKU != "" && h.Term != ""
}

// costs is, per subscription of a customer, the partner's cost of a seat per month
// at Microsoft's price locked for its current term, where the price list has it.
func (a *App) costs(ctx context.Context, sc *scope, c customers.Customer, subs []terms.Subscription) (map[string]decimal.Decimal, error) {
	if !sc.hasPrices {
		return nil, nil
	}
	prices, err := sc.pricesOf(ctx, a, c.Market, c.Currency)
	if err != nil || len(prices) == 0 {
		return nil, err
	}
	offers, err := sc.offersByGraphSKU(ctx, a)
	if err != nil {
		return nil, err
	}
	out := map[string]decimal.Decimal{}
	for _, s := range subs {
		if !s.Paid() || s.Owner != terms.OwnerPartner {
			continue
		}
		if h, ok := holdingOf(c, s, offers); ok {
			if p, ok := pricing.Locked(prices, h, sc.now); ok {
				out[s.ID] = p.Monthly()
			}
		}
	}
	return out, nil
}

// billingPlanOf is how a subscription is billed: Partner Center's billing cycle,
// else the contract line's plan, else the plan its term is usually billed by.
func billingPlanOf(s terms.Subscription) string {
	switch {
	case s.Partner != nil && s.Partner.Subscription.BillingCycle != "":
		return strings.ToLower(s.Partner.Subscription.BillingCycle)
	case s.Line != nil:
		return s.Line.BillingPlan
	case s.Term.Length == terms.Monthly:
		return "monthly"
	case s.Term.Length == terms.Triennial:
		return "triennial"
	}
	return "annual"
}

// ImpactQuery chooses the changes and customers whose impact to work out.
type ImpactQuery struct {
	// ChangeID picks one recorded change; 0 takes every change effective on or after
	// Since.
	ChangeID int64
	Since    time.Time
	// Customer narrows to one customer (tenant id, external reference or name).
	Customer string
	// MarginFloorPercent is the lowest acceptable margin of a fixed-price line.
	MarginFloorPercent decimal.Decimal
}

// ImpactReport is every subscription a price change reaches, sorted by the day it
// lands, and how many subscriptions could not be matched to the price list.
type ImpactReport struct {
	Impacts []pricing.Impact `json:"impacts"`
	// Unmatched counts running subscriptions whose offer or term is unknown.
	Unmatched int `json:"unmatched"`
}

// PriceImpact works out what the recorded price changes do to each customer's
// subscriptions: the day each reaches a subscription under its term's price lock,
// the change in the partner's monthly cost, in the customer's price under a markup,
// and the margin of a fixed price.
func (a *App) PriceImpact(ctx context.Context, q ImpactQuery) (ImpactReport, error) {
	var keys []string
	if q.Customer != "" {
		keys = []string{q.Customer}
	}
	sc, err := a.scope(ctx, keys, nil)
	if err != nil {
		return ImpactReport{}, err
	}
	changes, err := a.Store.PriceChanges(ctx, q.Since)
	if err != nil {
		return ImpactReport{}, err
	}
	if q.ChangeID != 0 {
		changes = slices.DeleteFunc(changes, func(c pricing.Change) bool { return c.ID != q.ChangeID })
		if len(changes) == 0 {
			return ImpactReport{}, fmt.Errorf("price change %d: %w", q.ChangeID, store.ErrNotFound)
		}
	}
	held, unmatched, err := a.holdings(ctx, sc)
	if err != nil {
		return ImpactReport{}, err
	}
	if err := a.markUnlisted(ctx, changes, held); err != nil {
		return ImpactReport{}, err
	}
	return ImpactReport{Impacts: pricing.Impacts(changes, held, q.MarginFloorPercent), Unmatched: unmatched}, nil
}
