package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/seatledger/seatledger/internal/advice"
	"github.com/seatledger/seatledger/internal/catalog"
	"github.com/seatledger/seatledger/internal/customers"
	"github.com/seatledger/seatledger/internal/money"
	"github.com/seatledger/seatledger/internal/pricing"
	"github.com/seatledger/seatledger/internal/reconcile"
	"github.com/seatledger/seatledger/internal/store"
)

// AdviseOptions choose the tenants and the day the rules judge by.
type AdviseOptions struct {
	// Customers to advise (tenant id, external reference or name); empty: every
	// customer whose tenant has been synced.
	Customers []string
	// Now is the day the rules judge by (default time.Now).
	Now func() time.Time
}

// AdviceResult is one tenant's run.
type AdviceResult struct {
	TenantID string              `json:"tenantId"`
	Customer string              `json:"customer"`
	Findings int                 `json:"findings"`
	Counts   store.FindingCounts `json:"counts"`
	Notes    []string            `json:"notes,omitempty"`
	// NotSynced says why a registered customer was not judged: its tenant has no
	// successful sync ("not synced", "sign-in failed: ...").
	NotSynced string `json:"notSynced,omitempty"`
}

// scope is what every per-customer stage needs: the customers chosen, the catalogue,
// the synced tenants and the day.
type scope struct {
	customers []customers.Customer
	cat       *catalog.Catalog
	synced    map[string]store.TenantState
	now       time.Time

	mu     sync.Mutex
	offers map[string]string // Partner Center ProductId:SkuId to Graph skuId
	// byGraphSKU are the imported offers per Graph skuId, read once when needed.
	byGraphSKU map[string][]catalog.Offer
	// hasPrices tells whether a price list has been imported; prices holds the rows
	// of each market and currency read so far (customers share them).
	hasPrices bool
	prices    map[string][]pricing.Price
}

// pricesOf reads the price rows of a market and currency once per run.
func (sc *scope) pricesOf(ctx context.Context, a *App, market, currency string) ([]pricing.Price, error) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	key := market + "|" + currency
	if p, ok := sc.prices[key]; ok {
		return p, nil
	}
	p, err := a.Store.Prices(ctx, store.PriceFilter{Market: market, Currency: currency})
	if err != nil {
		return nil, err
	}
	if sc.prices == nil {
		sc.prices = map[string][]pricing.Price{}
	}
	sc.prices[key] = p
	return p, nil
}

// offersByGraphSKU reads the offer matrix once per run.
func (sc *scope) offersByGraphSKU(ctx context.Context, a *App) (map[string][]catalog.Offer, error) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.byGraphSKU == nil {
		offers, err := a.Store.OffersByGraphSKU(ctx)
		if err != nil {
			return nil, err
		}
		sc.byGraphSKU = offers
	}
	return sc.byGraphSKU, nil
}

func (a *App) scope(ctx context.Context, keys []string, now func() time.Time) (*scope, error) {
	if now == nil {
		now = a.clock()
	}
	res, err := a.newResolver(ctx)
	if err != nil {
		return nil, err
	}
	states, err := a.Store.TenantStates(ctx)
	if err != nil {
		return nil, err
	}
	sc := &scope{cat: res.cat, synced: map[string]store.TenantState{}, now: now().UTC()}
	if sc.hasPrices, err = a.Store.HasPrices(ctx); err != nil {
		return nil, err
	}
	for _, s := range states {
		sc.synced[s.TenantID] = s
	}
	if len(keys) == 0 {
		for _, c := range res.registry {
			if _, ok := sc.synced[c.TenantID]; ok {
				sc.customers = append(sc.customers, c)
			}
		}
		return sc, nil
	}
	for _, k := range keys {
		id, err := res.Customer(k)
		if err != nil {
			return nil, err
		}
		if _, ok := sc.synced[id]; !ok {
			return nil, fmt.Errorf("customer %s: its tenant has not been synced yet (seatledger sync --tenant %s)", k, id)
		}
		for _, c := range res.registry {
			if c.TenantID == id && !slices.ContainsFunc(sc.customers, func(x customers.Customer) bool { return x.TenantID == id }) {
				sc.customers = append(sc.customers, c)
			}
		}
	}
	return sc, nil
}

// tenantInput gathers what the rules and the reconciliation look at for one tenant.
func (a *App) tenantInput(ctx context.Context, sc *scope, c customers.Customer, exclusions []advice.Exclusion) (advice.Tenant, error) {
	state := sc.synced[c.TenantID]
	t := advice.Tenant{TenantID: c.TenantID, Currency: c.Currency, Now: sc.now, Catalog: sc.cat, Exclusions: exclusions,
		SignInData: state.SignInData, UsageReportDate: state.UsageReportDate, MailboxPurposeData: state.MailboxPurposeData}
	pools, err := a.Store.Pools(ctx, []string{c.TenantID})
	if err != nil {
		return t, err
	}
	for _, p := range pools {
		t.Pools = append(t.Pools, p.Pool)
	}
	r, err := a.resolveSubscriptions(ctx, sc, c)
	if err != nil {
		return t, err
	}
	t.Subscriptions, t.Contract, t.UnlinkedPartner = r.subs, r.contract, r.unlinked
	if t.Costs, err = a.costs(ctx, sc, c, t.Subscriptions); err != nil {
		return t, err
	}
	return t, nil
}

// offerSKU maps a Partner Center ProductId:SkuId to the Graph skuId the offer
// matrix gives it, remembering the answers of the run.
func (sc *scope) offerSKU(ctx context.Context, a *App) func(string) (string, bool) {
	return func(key string) (string, bool) {
		sc.mu.Lock()
		defer sc.mu.Unlock()
		if sc.offers == nil {
			sc.offers = map[string]string{}
		}
		id, known := sc.offers[key]
		if !known {
			if catalog.OfferKey.MatchString(key) {
				if o, err := a.Store.Offer(ctx, catalog.NormalOfferKey(key)); err == nil {
					id = o.GraphSKUID
				}
			}
			sc.offers[key] = id
		}
		return id, id != ""
	}
}

func (a *App) thresholds() advice.Thresholds {
	c := a.Config.Advice
	return advice.Thresholds{InactiveDays: c.InactiveDays, TrialEndingDays: c.TrialEndingDays, RenewalDays: c.RenewalDays,
		SharedMailboxGB: c.SharedMailboxGB, BusinessSeatCap: c.BusinessSeatCap}
}

// Advise runs the advice rules over the synced tenants and records the findings:
// new ones open, known ones are updated, vanished ones resolve.
func (a *App) Advise(ctx context.Context, opts AdviseOptions) ([]AdviceResult, error) {
	sc, err := a.scope(ctx, opts.Customers, opts.Now)
	if err != nil {
		return nil, err
	}
	a.warnPartnerTenant()
	if err := a.checkDataAge(ctx, sc); err != nil {
		return nil, err
	}
	exclusions, err := a.Store.Exclusions(ctx)
	if err != nil {
		return nil, err
	}
	// Tenants are independent; a few at a time keep PostgreSQL busy while one is
	// judged. SQLite writes one transaction at a time anyway.
	workers := 4
	if a.Store.Dialect() == store.SQLite {
		workers = 1
	}
	out := make([]AdviceResult, len(sc.customers))
	errs := make([]error, len(sc.customers))
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range next {
				if errs[i] = ctx.Err(); errs[i] == nil {
					out[i], errs[i] = a.adviseTenant(ctx, sc, sc.customers[i], exclusions)
				}
			}
		})
	}
	for i := range sc.customers {
		next <- i
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if len(opts.Customers) == 0 {
		missing, err := a.notSynced(ctx, nil)
		if err != nil {
			return nil, err
		}
		for _, m := range missing {
			out = append(out, AdviceResult{TenantID: m.TenantID, Customer: m.Customer, NotSynced: m.State})
		}
	}
	return out, nil
}

func (a *App) adviseTenant(ctx context.Context, sc *scope, c customers.Customer, exclusions []advice.Exclusion) (AdviceResult, error) {
	t, err := a.tenantInput(ctx, sc, c, exclusions)
	if err != nil {
		return AdviceResult{}, err
	}
	if t.Users, err = a.Store.Users(ctx, c.TenantID); err != nil {
		return AdviceResult{}, err
	}
	if t.Usage, err = a.Store.UsageSignals(ctx, c.TenantID); err != nil {
		return AdviceResult{}, err
	}
	r := advice.Advise(t, a.thresholds())
	counts, err := a.Store.ApplyFindings(ctx, c.TenantID, r.Findings, r.NotAssessed)
	if err != nil {
		return AdviceResult{}, err
	}
	a.Log.Debug("advice", "tenant", c.TenantID, "findings", len(r.Findings), "new", counts.New, "resolved", counts.Resolved)
	return AdviceResult{TenantID: c.TenantID, Customer: c.Name, Findings: len(r.Findings), Counts: counts, Notes: r.Notes}, nil
}

// FindingLine is a stored finding with its customer's name.
type FindingLine struct {
	Customer string `json:"customer"`
	store.StoredFinding
	// State is the one status of the finding: open, acknowledged, suppressed or
	// resolved (it hides the stored status a person set, which it includes).
	State string `json:"status"`
}

// CustomerSavings totals the known monthly savings of a customer's listed findings.
type CustomerSavings struct {
	Customer string `json:"customer"`
	TenantID string `json:"tenantId"`
	Currency string `json:"currency"`
	// Monthly is the sum of the findings' known savings per month; nil (JSON null)
	// when none is known and some are unknown, where text says "unknown".
	Monthly  *money.Amount `json:"monthly"`
	Findings int           `json:"findings"`
	// Unpriced counts findings that would save money by an amount not known.
	Unpriced int `json:"unpriced"`
	// ReviewOnly is the part of Monthly that rests on low-confidence findings.
	ReviewOnly money.Amount `json:"reviewOnly"`
	// NotSynced says why a customer has no findings to count: its tenant has no
	// successful sync.
	NotSynced string `json:"notSynced,omitempty"`

	known, review decimal.Decimal
	priced        bool
}

// FindingsQuery filters the findings listed.
type FindingsQuery struct {
	Customer string
	Kind     string
	// All includes resolved and suppressed findings.
	All bool
	// Sort is SortSaving (largest known monthly saving first, the default) or
	// SortActBy (the earliest act-by date first).
	Sort string
}

// StateExcluded is the status shown for a finding an exclusion took out of the
// advice: the condition may still hold.
const StateExcluded = "excluded"

// excludedFinding tells whether an exclusion in force covers a finding.
func (a *App) excludedFinding(ctx context.Context) (func(advice.Finding) bool, error) {
	list, err := a.Store.Exclusions(ctx)
	if err != nil || len(list) == 0 {
		return func(advice.Finding) bool { return false }, err
	}
	cat, _, err := a.Catalog(ctx)
	if err != nil {
		return nil, err
	}
	return func(f advice.Finding) bool {
		parts := strings.Split(f.SKUs, "+")
		for _, e := range list {
			if e.TenantID != "" && e.TenantID != f.TenantID || e.UPN != "" && !strings.EqualFold(e.UPN, f.Subject) {
				continue
			}
			if e.SKUID == "" {
				return true
			}
			if sku, ok := cat.ByID(e.SKUID); ok && slices.Contains(parts, sku.PartNumber) {
				return true
			}
		}
		return false
	}, nil
}

// Orders of a findings list.
const (
	SortSaving = "saving"
	SortActBy  = "act-by"
)

// FindingsReport is the findings listed, largest saving first, and the totals.
type FindingsReport struct {
	Findings []FindingLine `json:"findings"`
	// Total is how many findings the query matched, however many are listed.
	Total  int               `json:"total"`
	Totals []CustomerSavings `json:"totals"`
}

// Findings lists stored findings with totals of monthly savings per customer.
// Acknowledged findings count in the totals; suppressed and resolved ones do not.
func (a *App) Findings(ctx context.Context, q FindingsQuery) (FindingsReport, error) {
	if q.Kind != "" && !slices.Contains(advice.Kinds, q.Kind) {
		return FindingsReport{}, fmt.Errorf("kind %q: not one of %s", q.Kind, strings.Join(advice.Kinds, ", "))
	}
	if q.Sort != "" && q.Sort != SortSaving && q.Sort != SortActBy {
		return FindingsReport{}, fmt.Errorf("sort %q: not one of %s, %s", q.Sort, SortSaving, SortActBy)
	}
	list, err := a.Customers(ctx)
	if err != nil {
		return FindingsReport{}, err
	}
	f := store.FindingFilter{Kind: q.Kind, IncludeResolved: q.All, IncludeSuppressed: q.All}
	if q.Customer != "" {
		id, err := registry(list).Customer(q.Customer)
		if err != nil {
			return FindingsReport{}, err
		}
		f.TenantIDs = []string{id}
	}
	stored, err := a.Store.Findings(ctx, f)
	if err != nil {
		return FindingsReport{}, err
	}
	names, currencies := map[string]string{}, map[string]string{}
	for _, c := range list {
		names[c.TenantID], currencies[c.TenantID] = c.Name, c.Currency
	}
	excludedBy, err := a.excludedFinding(ctx)
	if err != nil {
		return FindingsReport{}, err
	}
	rep := FindingsReport{Findings: make([]FindingLine, len(stored)), Total: len(stored)}
	totals := map[string]*CustomerSavings{}
	for i, s := range stored {
		rep.Findings[i] = FindingLine{Customer: names[s.TenantID], StoredFinding: s, State: s.State()}
		if s.State() == "resolved" && excludedBy(s.Finding) {
			// Resolved because an exclusion keeps it away, not because the waste went.
			rep.Findings[i].State = StateExcluded
		}
		if s.State() == "resolved" || s.State() == store.StatusSuppressed {
			continue
		}
		t := totals[s.TenantID]
		if t == nil {
			t = &CustomerSavings{Customer: names[s.TenantID], TenantID: s.TenantID, Currency: currencies[s.TenantID]}
			totals[s.TenantID] = t
		}
		t.Findings++
		switch {
		case s.MonthlySaving != nil:
			t.known, t.priced = t.known.Add(s.MonthlySaving.Decimal), true
			if s.ReviewOnly() {
				t.review = t.review.Add(s.MonthlySaving.Decimal)
			}
		case strings.HasPrefix(s.SavingNote, "unknown"):
			t.Unpriced++
		}
	}
	slices.SortStableFunc(rep.Findings, func(x, y FindingLine) int {
		first := -compareSaving(x.MonthlySaving, y.MonthlySaving)
		if q.Sort == SortActBy {
			first = cmp.Or(compareDates(x.ActBy, y.ActBy), first)
		}
		return cmp.Or(first, cmp.Compare(x.Customer, y.Customer),
			cmp.Compare(kindIndex(x.Kind), kindIndex(y.Kind)), cmp.Compare(x.SKUs, y.SKUs), cmp.Compare(x.Subject, y.Subject))
	})
	for _, t := range totals {
		// Totals are sums of rounded findings, so they need no rounding of their own.
		if t.priced || t.Unpriced == 0 {
			t.Monthly = &money.Amount{Decimal: t.known}
		}
		t.ReviewOnly = money.Amount{Decimal: t.review}
		rep.Totals = append(rep.Totals, *t)
	}
	missing, err := a.notSynced(ctx, f.TenantIDs)
	if err != nil {
		return FindingsReport{}, err
	}
	for _, m := range missing {
		rep.Totals = append(rep.Totals, CustomerSavings{Customer: m.Customer, TenantID: m.TenantID, Currency: currencies[m.TenantID], NotSynced: m.State})
	}
	slices.SortFunc(rep.Totals, func(x, y CustomerSavings) int {
		return cmp.Or(-compareSaving(x.Monthly, y.Monthly), cmp.Compare(x.Customer, y.Customer))
	})
	return rep, nil
}

// compareSaving orders known savings by amount, unknown ones below every known one.
func compareSaving(x, y *money.Amount) int {
	switch {
	case x == nil && y == nil:
		return 0
	case x == nil:
		return -1
	case y == nil:
		return 1
	}
	return x.Cmp(y.Decimal)
}

// compareDates orders dates ascending, findings with no date after all others.
func compareDates(x, y *time.Time) int {
	switch {
	case x == nil && y == nil:
		return 0
	case x == nil:
		return 1
	case y == nil:
		return -1
	}
	return x.Compare(*y)
}

func kindIndex(k string) int { return slices.Index(advice.Kinds, k) }

// SetFindingStatus acknowledges, suppresses or reopens a finding; a reason is
// required to acknowledge or suppress.
func (a *App) SetFindingStatus(ctx context.Context, fingerprint, status, reason string) (store.StoredFinding, error) {
	if status != store.StatusOpen && strings.TrimSpace(reason) == "" {
		return store.StoredFinding{}, fmt.Errorf("a finding is %s only with a reason (--reason)", status)
	}
	return a.Store.SetFindingStatus(ctx, fingerprint, status, reason, a.Actor)
}

// Reconcile compares, per customer and SKU, the tenant's assigned seats, its
// subscriptions and the contract.
func (a *App) Reconcile(ctx context.Context, customer string, now func() time.Time) ([]reconcile.Row, error) {
	var keys []string
	if customer != "" {
		keys = []string{customer}
	}
	sc, err := a.scope(ctx, keys, now)
	if err != nil {
		return nil, err
	}
	a.warnPartnerTenant()
	held, err := a.Store.HeldWithoutPool(ctx)
	if err != nil {
		return nil, err
	}
	var out []reconcile.Row
	for _, c := range sc.customers {
		t, err := a.tenantInput(ctx, sc, c, nil)
		if err != nil {
			return nil, err
		}
		var unlinked []reconcile.UnlinkedPartner
		skuOf := sc.offerSKU(ctx, a)
		for _, p := range t.UnlinkedPartner {
			if id, ok := skuOf(p.ProductSKU); ok {
				part := p.OfferName
				if sku, ok := sc.cat.ByID(id); ok {
					part = sku.PartNumber
				}
				unlinked = append(unlinked, reconcile.UnlinkedPartner{SKUID: id, PartNumber: part, Subscription: p})
			}
		}
		out = append(out, reconcile.Reconcile(reconcile.Input{TenantID: c.TenantID, Customer: c.Name, Currency: c.Currency, Now: sc.now,
			Pools: t.Pools, Subscriptions: t.Subscriptions, Contract: t.Contract, Catalog: sc.cat, HeldWithoutPool: held[c.TenantID],
			UnlinkedPartner: unlinked})...)
	}
	return out, nil
}
