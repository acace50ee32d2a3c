package app

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/seatledger/seatledger/internal/billing"
	"github.com/seatledger/seatledger/internal/catalog"
	"github.com/seatledger/seatledger/internal/contracts"
	"github.com/seatledger/seatledger/internal/customers"
	"github.com/seatledger/seatledger/internal/inventory"
	"github.com/seatledger/seatledger/internal/pricing"
	"github.com/seatledger/seatledger/internal/store"
	"github.com/seatledger/seatledger/internal/terms"
)

// BillResult is a period's stored draft and its lines, with their ids.
type BillResult struct {
	Run   store.BillRun  `json:"run"`
	Lines []billing.Line `json:"lines"`
	// Corrects is the approved period whose lines the draft corrects ("" when the
	// previous period is not approved) and Corrections how many lines do.
	Corrects    string `json:"corrects,omitempty"`
	Corrections int    `json:"corrections"`
}

// Bill works out period p's billing from the contracts, the seat history and the
// price lists, and stores it as the period's draft, replacing an earlier draft. An
// approved period is refused (*store.ApprovedError). When the previous period is
// approved, what the history now says for it and its approved lines are compared,
// and every difference goes into this draft as a correction line.
func (a *App) Bill(ctx context.Context, p billing.Period) (BillResult, error) {
	started := time.Now()
	// Refused before the work; the store refuses again in the transaction that saves.
	if r, err := a.Store.BillRun(ctx, p.String()); err == nil && r.Status == store.RunApproved {
		refused := &store.ApprovedError{Period: r.Period, By: r.ApprovedBy}
		if r.ApprovedAt != nil {
			refused.At = *r.ApprovedAt
		}
		return BillResult{}, refused
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		return BillResult{}, err
	}
	a.warnPartnerTenant()
	// The history from two months back: last month's advance adjustments read the
	// month before it, and a correction of last month works it out again.
	in, vanished, err := a.billingCustomers(ctx, p, p.Prev().Prev().First(), p.Last().AddDate(0, 0, 1), a.clock()())
	if err != nil {
		return BillResult{}, err
	}
	a.Log.Debug("billing inputs read", "period", p.String(), "customers", len(in), "took", time.Since(started).Round(time.Millisecond))
	run := billing.LinesConcurrently(p, in, runtime.GOMAXPROCS(0))
	run.NotBilled = append(run.NotBilled, vanished...)
	a.Log.Debug("billing lines worked out", "period", p.String(), "lines", len(run.Lines), "took", time.Since(started).Round(time.Millisecond))
	var res BillResult
	prev, err := a.Store.BillRun(ctx, p.Prev().String())
	switch {
	case err == nil && prev.Status == store.RunApproved:
		approved, err := a.Store.BillLines(ctx, prev.ID)
		if err != nil {
			return BillResult{}, err
		}
		again := billing.LinesConcurrently(p.Prev(), in, runtime.GOMAXPROCS(0))
		corrections := billing.Corrections(p, approved, again.Lines)
		run.Lines = append(run.Lines, corrections...)
		billing.SortLines(run.Lines)
		run.Totals = billing.Totals(run.Lines)
		res.Corrects, res.Corrections = prev.Period, len(corrections)
	case err != nil && !errors.Is(err, store.ErrNotFound):
		return BillResult{}, err
	}
	if res.Run, err = a.Store.SaveBillDraft(ctx, &run, a.Actor); err != nil {
		return BillResult{}, err
	}
	res.Lines = run.Lines
	a.Log.Info("billing draft stored", "period", p.String(), "customers", len(in), "lines", len(run.Lines), "not_billed", len(run.NotBilled),
		"corrections", res.Corrections, "took", time.Since(started).Round(time.Millisecond))
	return res, nil
}

// ApproveBill locks period p's draft, in the actor's name, with an audit entry.
func (a *App) ApproveBill(ctx context.Context, p billing.Period) (store.BillRun, error) {
	r, err := a.Store.ApproveBillRun(ctx, p.String(), a.Actor)
	if err != nil {
		return r, err
	}
	a.Log.Info("billing run approved", "period", r.Period, "by", a.Actor, "lines", r.Lines)
	return r, nil
}

// BillRuns lists the stored runs, newest period first.
func (a *App) BillRuns(ctx context.Context) ([]store.BillRun, error) { return a.Store.BillRuns(ctx) }

// StoredBill reads period p's stored run and its lines.
func (a *App) StoredBill(ctx context.Context, p billing.Period) (BillResult, error) {
	r, err := a.Store.BillRun(ctx, p.String())
	if err != nil {
		return BillResult{}, err
	}
	lines, err := a.Store.BillLines(ctx, r.ID)
	if err != nil {
		return BillResult{}, err
	}
	res := BillResult{Run: r, Lines: lines}
	for _, l := range lines {
		if l.Kind == billing.KindCorrection {
			res.Corrections++
			if l.CorrectsPeriod != nil {
				res.Corrects = l.CorrectsPeriod.String()
			}
		}
	}
	return res, nil
}

// BillDiff is what changed in a period's run against the previous period's.
type BillDiff struct {
	Period string `json:"period"`
	Status string `json:"status"`
	// Previous is the previous period and PreviousStatus its run's status, "" when
	// it has no run (every line is then new).
	Previous       string           `json:"previous"`
	PreviousStatus string           `json:"previousStatus,omitempty"`
	Changes        []billing.Change `json:"changes"`
}

// DiffBill compares period p's stored run with the previous period's, line by line.
func (a *App) DiffBill(ctx context.Context, p billing.Period) (BillDiff, error) {
	cur, err := a.StoredBill(ctx, p)
	if err != nil {
		return BillDiff{}, err
	}
	out := BillDiff{Period: p.String(), Status: cur.Run.Status, Previous: p.Prev().String()}
	var before []billing.Line
	prev, err := a.StoredBill(ctx, p.Prev())
	switch {
	case err == nil:
		before, out.PreviousStatus = prev.Lines, prev.Run.Status
	case !errors.Is(err, store.ErrNotFound):
		return BillDiff{}, err
	}
	out.Changes = billing.Diff(before, cur.Lines)
	return out, nil
}

// billingCustomers fills the engine's inputs for every registered customer from the
// store: currency and market from the registry, the contract lines, the partner's
// paid subscriptions of each SKU with their term (worked out as advice does) and
// their seats over [from, to) — Partner Center's quantity where the subscription is
// linked and its history covers the days, else Graph's — the seats assigned, and the
// price-list rows of the customer's market and currency. Each table is read once for
// all customers. Subscriptions Graph no longer lists (deleted since) have no owner
// on record, so whether they were the partner's is unknown: their seats in period p
// are returned as not billed. Terms are read as they stand at now.
func (a *App) billingCustomers(ctx context.Context, p billing.Period, from, to, now time.Time) ([]billing.Customer, []billing.NotBilled, error) {
	registry, err := a.Customers(ctx)
	if err != nil {
		return nil, nil, err
	}
	cat, _, err := a.Catalog(ctx)
	if err != nil {
		return nil, nil, err
	}
	// The five large tables are read at once, each on its own connection: while the
	// database works out one query, the rows of another are scanned here.
	var (
		lines          map[string][]contracts.Line
		subs           map[string][]inventory.Subscription
		history        map[string][]store.SubscriptionPeriod
		consumed       map[string][]store.ConsumedPeriod
		partner        map[string][]inventory.PartnerSubscription
		partnerHistory map[string][]store.PartnerHistory
		offers         map[string][]catalog.Offer
	)
	reads := []func() error{
		func() (err error) { lines, err = a.Store.ContractLinesByTenant(ctx); return err },
		func() (err error) { subs, err = a.Store.SubscriptionsByTenant(ctx); return err },
		func() (err error) { history, err = a.Store.SubscriptionHistoryBetween(ctx, from, to); return err },
		func() (err error) { consumed, err = a.Store.ConsumedBetween(ctx, from, to); return err },
		func() (err error) { partner, err = a.Store.PartnerSubscriptionsByTenant(ctx); return err },
		func() (err error) { partnerHistory, err = a.Store.PartnerHistoryBetween(ctx, from, to); return err },
		func() (err error) { offers, err = a.Store.OffersByGraphSKU(ctx); return err },
	}
	errs := make([]error, len(reads))
	var wg sync.WaitGroup
	for i, read := range reads {
		wg.Go(func() { errs[i] = read() })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, nil, err
		}
	}
	graphSKU := map[string]string{}
	for id, list := range offers {
		for _, o := range list {
			graphSKU[catalog.NormalOfferKey(o.Key())] = id
		}
	}
	skuOf := func(key string) (string, bool) { id, ok := graphSKU[catalog.NormalOfferKey(key)]; return id, ok }
	prices := map[string][]pricing.Price{}
	out := make([]billing.Customer, 0, len(registry))
	var vanished []billing.NotBilled
	for _, c := range registry {
		key := c.Market + "|" + c.Currency
		if _, ok := prices[key]; !ok {
			if prices[key], err = a.Store.Prices(ctx, store.PriceFilter{Market: c.Market, Currency: c.Currency}); err != nil {
				return nil, nil, err
			}
		}
		bc := billing.Customer{TenantID: c.TenantID, Name: c.Name, Currency: c.Currency, Market: c.Market, Segment: c.Segment, Contract: lines[c.TenantID], Prices: prices[key]}
		bc.Holdings = holdingsOf(c, a.partnerTenant(), subs[c.TenantID], lines[c.TenantID], partner[c.TenantID], history[c.TenantID],
			partnerHistory, consumed[c.TenantID], offers, skuOf, cat, now)
		out = append(out, bc)
		vanished = append(vanished, vanishedSeats(c, p, subs[c.TenantID], history[c.TenantID], cat)...)
	}
	return out, vanished, nil
}

// vanishedSeats lists the seats in period p of a customer's subscriptions that the
// history holds and Graph no longer lists.
func vanishedSeats(c customers.Customer, p billing.Period, subs []inventory.Subscription, history []store.SubscriptionPeriod,
	cat *catalog.Catalog) []billing.NotBilled {
	listed := map[string]bool{}
	for _, s := range subs {
		listed[s.ID] = true
	}
	spans := map[string][]billing.Span{}
	var ids []string
	sku := map[string]string{}
	for _, h := range history {
		if listed[h.SubscriptionID] || h.Status != terms.StatusEnabled {
			continue
		}
		if _, seen := spans[h.SubscriptionID]; !seen {
			ids = append(ids, h.SubscriptionID)
		}
		spans[h.SubscriptionID] = append(spans[h.SubscriptionID], billing.Span{From: h.From, To: h.To, Seats: h.TotalLicenses})
		sku[h.SubscriptionID] = h.SKUID
	}
	var out []billing.NotBilled
	for _, id := range ids {
		info, known := cat.ByID(sku[id])
		if known && info.Free {
			continue
		}
		if n := billing.SeatDays(spans[id], p); n > 0 {
			out = append(out, billing.NotBilled{TenantID: c.TenantID, Customer: c.Name, SKUID: sku[id], PartNumber: info.PartNumber, SubscriptionID: id,
				SeatDays: n, Reason: "Graph no longer lists the subscription, so whose it was is unknown: its seats in the period are not billed"})
		}
	}
	return out
}

func (a *App) partnerTenant() string {
	if a.Config == nil {
		return ""
	}
	return a.Config.Partner.TenantID
}

// holdingsOf is one customer's SKUs: the partner's subscriptions of each, not trials,
// with their seat timelines, and the seats assigned.
func holdingsOf(c customers.Customer, partnerTenant string, subs []inventory.Subscription, lines []contracts.Line,
	partner []inventory.PartnerSubscription, history []store.SubscriptionPeriod, partnerHistory map[string][]store.PartnerHistory,
	consumed []store.ConsumedPeriod, offers map[string][]catalog.Offer, skuOf func(string) (string, bool), cat *catalog.Catalog, now time.Time) []billing.Holding {
	links := terms.Link(subs, partner, skuOf)
	views := terms.ResolveLinked(c.TenantID, partnerTenant, subs, lines, nil, links.ByGraphID, now)
	bySKU := map[string]*billing.Holding{}
	holding := func(skuID, part string) *billing.Holding {
		h := bySKU[skuID]
		if h == nil {
			if sku, ok := cat.ByID(skuID); ok && part == "" {
				part = sku.PartNumber
			}
			h = &billing.Holding{SKUID: skuID, PartNumber: part, Subscriptions: []billing.Subscription{}}
			bySKU[skuID] = h
		}
		return h
	}
	graphSeats := map[string][]billing.Span{}
	for _, p := range history {
		n := 0
		if p.Status == terms.StatusEnabled {
			n = p.TotalLicenses
		}
		graphSeats[p.SubscriptionID] = append(graphSeats[p.SubscriptionID], billing.Span{From: p.From, To: p.To, Seats: n})
	}
	// Free SKUs (Power Automate Free and the like) cost nothing and are never billed:
	// listing their seats as not billed would bury the seats that are.
	free := func(skuID string) bool { sku, ok := cat.ByID(skuID); return ok && sku.Free }
	for _, v := range views {
		if v.IsTrial || v.Owner != terms.OwnerPartner || free(v.SKUID) {
			continue
		}
		s := billing.Subscription{ID: v.ID, Term: v.Term.Length, BillingPlan: billingPlanOf(v), TermStart: v.Term.Start, Renewal: v.Term.Renewal,
			Seats: graphSeats[v.ID], SeatsFrom: billing.SeatsGraph}
		// The offer as the price list names it: Partner Center's, else the only offer of
		// the SKU; its term may still be unknown.
		listed, _ := holdingOf(c, v, offers)
		s.ProductSKU = listed.ProductSKU
		if v.Partner != nil {
			s.PartnerCenterID = v.Partner.Subscription.ID
			if s.Term == "" {
				s.Term = v.Partner.Subscription.TermDuration
			}
			if spans := partnerSeats(partnerHistory[v.Partner.Subscription.ID]); len(spans) > 0 {
				s.Seats, s.SeatsFrom = spans, billing.SeatsPartnerCenter
			}
		}
		h := holding(v.SKUID, v.PartNumber)
		h.Subscriptions = append(h.Subscriptions, s)
	}
	for _, p := range consumed {
		if free(p.SKUID) {
			continue
		}
		h := holding(p.SKUID, "")
		h.Assigned = append(h.Assigned, billing.Span{From: p.From, To: p.To, Seats: p.Consumed})
	}
	out := make([]billing.Holding, 0, len(bySKU))
	for _, h := range bySKU {
		out = append(out, *h)
	}
	slices.SortFunc(out, func(x, y billing.Holding) int { return strings.Compare(x.SKUID, y.SKUID) })
	return out
}

// partnerSeats is a Partner Center subscription's seats over time: its quantity while
// active, none while suspended, expired or otherwise stopped.
func partnerSeats(history []store.PartnerHistory) []billing.Span {
	out := make([]billing.Span, 0, len(history))
	for _, p := range history {
		n := 0
		if strings.EqualFold(p.Status, "active") {
			n = p.Quantity
		}
		out = append(out, billing.Span{From: p.Period.From, To: p.Period.To, Seats: n})
	}
	return out
}

// ParsePeriod reads a period given on the command line or to the API.
func ParsePeriod(s string) (billing.Period, error) {
	p, err := billing.ParsePeriod(strings.TrimSpace(s))
	if err != nil {
		return p, fmt.Errorf("--period: %w (for example 2026-11)", err)
	}
	return p, nil
}
