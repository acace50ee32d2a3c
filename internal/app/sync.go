package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/seatledger/seatledger/internal/catalog"
	"github.com/seatledger/seatledger/internal/customers"
	"github.com/seatledger/seatledger/internal/ids"
	"github.com/seatledger/seatledger/internal/inventory"
	"github.com/seatledger/seatledger/internal/store"
	"github.com/seatledger/seatledger/internal/textclean"
)

// TenantReader reads one customer tenant; the Graph adapter is the real one. It is
// an interface so that the application layer does not compile Microsoft's SDK.
type TenantReader interface {
	ReadTenant(ctx context.Context, tenantID string, opts inventory.ReadOptions) (*inventory.Snapshot, inventory.ReadStats, error)
}

// PartnerReader reads the partner's own view from Partner Center; the partnercenter
// adapter is the real one.
type PartnerReader interface {
	Customers(ctx context.Context) ([]inventory.PartnerCustomer, error)
	Subscriptions(ctx context.Context, customerTenantID string) ([]inventory.PartnerSubscription, error)
}

// SyncOptions choose what a sync reads and how.
type SyncOptions struct {
	// Partner, when set, also reads each tenant's Partner Center subscriptions and,
	// in a sync of every customer, first discovers the customers Partner Center
	// lists.
	Partner PartnerReader
	// Tenants to read; empty reads every registered customer.
	Tenants []string
	// Concurrency is how many tenants are read at once (default graph.concurrency).
	Concurrency int
	// Now is the clock the history is dated by (default time.Now; the simulated
	// cloud's clock in the demo and tests).
	Now func() time.Time
	// Progress, when set, is called after each tenant, one call at a time.
	Progress func(done, total int, r TenantResult)
}

// TenantResult is one tenant's outcome.
type TenantResult struct {
	TenantID string `json:"tenantId"`
	Customer string `json:"customer"`
	OK       bool   `json:"ok"`
	Error    string `json:"error,omitempty"`
	// Interrupted is set when the run was cancelled while the tenant was in flight.
	Interrupted bool   `json:"interrupted,omitempty"`
	Users       int    `json:"users"`
	SKUs        int    `json:"skus"`
	Seats       int    `json:"seats"`
	Changes     int    `json:"changes"`
	Requests    int    `json:"requests"`
	SignInData  bool   `json:"signInData"`
	SignInNote  string `json:"signInNote,omitempty"`
	UsageRead   bool   `json:"usageRead"`
	UsageNote   string `json:"usageNote,omitempty"`
	// MailboxPurposeData is false when Graph refused mailboxSettings; MailboxNote says why.
	MailboxPurposeData bool   `json:"mailboxPurposeData"`
	MailboxNote        string `json:"mailboxNote,omitempty"`
	// PartnerCenterRead is set when Partner Center's subscriptions were read and
	// stored; PartnerCenterNote says why they were not (the previous ones are kept).
	PartnerCenterRead          bool   `json:"partnerCenterRead,omitempty"`
	PartnerCenterNote          string `json:"partnerCenterNote,omitempty"`
	PartnerCenterSubscriptions int    `json:"partnerCenterSubscriptions,omitempty"`
	// ReadTime and StoreTime split Duration between Graph and the database.
	Duration  time.Duration `json:"durationNs"`
	ReadTime  time.Duration `json:"readNs"`
	StoreTime time.Duration `json:"storeNs"`
}

// SyncSummary is a whole run.
type SyncSummary struct {
	RunID    int64     `json:"runId"`
	Status   string    `json:"status"`
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
	// Elapsed is wall-clock time, whatever clock dates the history.
	Elapsed time.Duration `json:"elapsedNs"`
	OK      int           `json:"tenantsOk"`
	Failed  int           `json:"tenantsFailed"`
	// Interrupted tenants were being read or stored when the run was cancelled;
	// NotStarted ones were never begun. Both keep their previous state.
	Interrupted int            `json:"tenantsInterrupted"`
	NotStarted  int            `json:"tenantsNotStarted"`
	Users       int            `json:"users"`
	SKUs        int            `json:"skus"`
	Seats       int            `json:"seats"`
	Changes     int            `json:"changes"`
	Requests    int            `json:"requests"`
	Tenants     []TenantResult `json:"tenants"`
	// Discovery is what the customer discovery at the start of the run found; nil
	// when none ran. DiscoveryError says why it failed (the sync went on).
	Discovery      *DiscoveryResult `json:"discovery,omitempty"`
	DiscoveryError string           `json:"discoveryError,omitempty"`
	// PartnerCenterFailed counts tenants whose Partner Center part failed.
	PartnerCenterFailed int `json:"partnerCenterFailed,omitempty"`
}

// ErrUnknownTenant is returned for a tenant that is not a registered customer.
var ErrUnknownTenant = errors.New("not a registered customer")

// Sync reads the chosen customer tenants and stores what changed. A tenant that fails
// to read or store keeps its previous state; the others go on. The run and each
// tenant's outcome are recorded. The error is for the run as a whole (the database
// gone, a tenant that is not a customer); tenant failures are in the summary.
func (a *App) Sync(ctx context.Context, reader TenantReader, opts SyncOptions) (*SyncSummary, error) {
	if opts.Now == nil {
		opts.Now = a.clock()
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = max(a.Config.Graph.Concurrency, 1)
	}
	var discovery *DiscoveryResult
	var discoveryErr error
	if opts.Partner != nil && len(opts.Tenants) == 0 {
		// New customers are synced in the same run; a failure here leaves the
		// registry as it was and fails nothing else.
		if discovery, discoveryErr = a.DiscoverCustomers(ctx, opts.Partner); discoveryErr != nil {
			a.Log.Warn("customer discovery failed", "error", discoveryErr)
		}
	}
	names, tenants, err := a.syncTargets(ctx, opts.Tenants)
	if err != nil {
		return nil, err
	}
	// Partner Center no longer knows a customer whose relationship ended.
	ended := map[string]bool{}
	if opts.Partner != nil {
		list, err := a.Customers(ctx)
		if err != nil {
			return nil, err
		}
		for _, c := range list {
			ended[c.TenantID] = c.Status == customers.StatusEnded
		}
	}
	a.warnPartnerTenant()
	cat, _, err := a.Catalog(ctx)
	if err != nil {
		return nil, err
	}
	wallStart := time.Now()
	// Usage reports are read at most once per UTC day.
	lastUsage, err := a.Store.LastUsageReads(ctx, opts.Now().AddDate(0, 0, -2))
	if err != nil {
		return nil, err
	}
	sum := &SyncSummary{Started: opts.Now().UTC(), Discovery: discovery}
	if discoveryErr != nil {
		sum.DiscoveryError = discoveryErr.Error()
	}
	run, err := a.Store.BeginSyncRun(ctx, sum.Started, len(tenants))
	if err != nil {
		return nil, err
	}
	sum.RunID = run.ID

	// Reading and storing are two stages, so that tenants waiting on Graph never
	// wait on the database too. The hand-over channel is short: readers stop when
	// the writers fall behind, which bounds the snapshots held in memory.
	writers := min(opts.Concurrency, 2)
	if a.Store.Dialect() == store.SQLite {
		writers = 1 // SQLite has one writer at a time anyway
	}
	work := make(chan string)
	toStore := make(chan *pendingTenant, writers)
	results := make(chan TenantResult)
	var readers, storers sync.WaitGroup
	for range min(opts.Concurrency, max(len(tenants), 1)) {
		readers.Go(func() {
			for t := range work {
				daily := !sameUTCDay(lastUsage[t], opts.Now())
				read := inventory.ReadOptions{Usage: daily, ExchangeSKU: exchangeSKU(cat), RefreshMailboxPurposes: daily}
				if !daily {
					var err error
					if read.MailboxPurposes, err = a.Store.MailboxPurposes(ctx, t); err != nil {
						// It only costs requests: the purposes are asked again.
						a.Log.Warn("stored mailbox purposes unreadable", "tenant", t, "error", err)
					}
				}
				p := a.readTenant(ctx, reader, run.ID, t, names[t], read, opts.Now)
				if opts.Partner != nil && !ended[t] {
					p.partnerRead = true
					p.partner, p.partnerErr = opts.Partner.Subscriptions(ctx, t)
				}
				toStore <- p
			}
		})
	}
	for range writers {
		storers.Go(func() {
			for p := range toStore {
				results <- a.storeTenant(ctx, cat, p, opts.Now)
			}
		})
	}
	go func() {
		defer close(work)
		for _, t := range tenants {
			select {
			case work <- t:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { readers.Wait(); close(toStore); storers.Wait(); close(results) }()

	for r := range results {
		sum.Tenants = append(sum.Tenants, r)
		if r.OK {
			sum.OK++
			sum.Users += r.Users
			sum.SKUs += r.SKUs
			sum.Seats += r.Seats
			sum.Changes += r.Changes
		} else if ctx.Err() != nil {
			// Whatever a cancelled read or write reports, the cause is the interruption.
			r.Error, r.Interrupted = "interrupted before it was stored; its previous state is kept", true
			sum.Tenants[len(sum.Tenants)-1] = r
			sum.Interrupted++
		} else {
			sum.Failed++
		}
		sum.Requests += r.Requests
		if r.OK && r.PartnerCenterNote != "" {
			sum.PartnerCenterFailed++
		}
		if opts.Progress != nil {
			opts.Progress(len(sum.Tenants), len(tenants), r)
		}
	}
	slices.SortFunc(sum.Tenants, func(x, y TenantResult) int {
		return cmp.Or(cmp.Compare(x.Customer, y.Customer), cmp.Compare(x.TenantID, y.TenantID))
	})
	sum.Finished, sum.Elapsed = opts.Now().UTC(), time.Since(wallStart)
	sum.NotStarted = len(tenants) - len(sum.Tenants)
	sum.Status = store.SyncOK
	switch {
	case sum.OK+sum.Failed < len(tenants) || sum.Failed == len(tenants) && len(tenants) > 0:
		sum.Status = store.SyncFailed
	case sum.Failed > 0:
		sum.Status = store.SyncPartial
	}
	run.FinishedAt, run.Status = &sum.Finished, sum.Status
	run.TenantsOK, run.TenantsFailed, run.UsersRead, run.Changes = sum.OK, sum.Failed+sum.Interrupted, sum.Users, sum.Changes
	// The run is recorded even when the caller gave up waiting.
	if err := a.Store.FinishSyncRun(context.WithoutCancel(ctx), run); err != nil {
		return sum, err
	}
	a.Log.Info("sync finished", "run", run.ID, "status", sum.Status, "tenants_ok", sum.OK, "tenants_failed", sum.Failed,
		"users", sum.Users, "changes", sum.Changes)
	if err := ctx.Err(); err != nil {
		return sum, fmt.Errorf("%w: %w", ErrInterrupted, err)
	}
	return sum, nil
}

// ErrInterrupted is returned with the summary of a sync whose context was cancelled.
var ErrInterrupted = errors.New("sync interrupted")

// syncTargets resolves the tenants to read and their customer names.
func (a *App) syncTargets(ctx context.Context, requested []string) (map[string]string, []string, error) {
	list, err := a.Customers(ctx)
	if err != nil {
		return nil, nil, err
	}
	names := make(map[string]string, len(list))
	var all []string
	for _, c := range list {
		names[c.TenantID] = c.Name
		all = append(all, c.TenantID)
	}
	if len(requested) == 0 {
		return names, all, nil
	}
	var chosen []string
	for _, r := range requested {
		id, ok := ids.ParseGUID(r)
		if !ok {
			// A customer's external reference or name names its tenant too.
			var err error
			if id, err = registry(list).Customer(r); err != nil {
				return nil, nil, fmt.Errorf("tenant %q: not a GUID, and %w", r, err)
			}
		}
		if _, known := names[id]; !known {
			return nil, nil, fmt.Errorf("tenant %s: %w (add it with `seatledger customers import`)", id, ErrUnknownTenant)
		}
		if !slices.Contains(chosen, id) {
			chosen = append(chosen, id)
		}
	}
	return names, chosen, nil
}

// pendingTenant is one tenant read from Graph (or failed to be), on its way to the store.
type pendingTenant struct {
	res  TenantResult
	run  *store.TenantRun
	snap *inventory.Snapshot
	err  error
	wall time.Time
	// partnerRead is set when Partner Center was asked; partner and partnerErr are
	// its answer.
	partnerRead bool
	partner     []inventory.PartnerSubscription
	partnerErr  error
}

// exchangeSKU tells the Graph reader which licences may be a shared mailbox's: a SKU
// with an Exchange Online mailbox or archive plan, or one the catalogue does not know
// (better one request too many than a mailbox type unknown).
func exchangeSKU(cat *catalog.Catalog) func(skuID string) bool {
	return func(skuID string) bool {
		sku, ok := cat.ByID(skuID)
		return !ok || sku.ExchangeMailbox()
	}
}

func (a *App) readTenant(ctx context.Context, reader TenantReader, runID int64, tenantID, name string, opts inventory.ReadOptions, now func() time.Time) *pendingTenant {
	p := &pendingTenant{
		res:  TenantResult{TenantID: tenantID, Customer: name},
		run:  &store.TenantRun{RunID: runID, TenantID: tenantID, StartedAt: now(), Status: store.SyncFailed},
		wall: time.Now(),
	}
	var stats inventory.ReadStats
	p.snap, stats, p.err = reader.ReadTenant(ctx, tenantID, opts)
	p.res.Requests, p.res.ReadTime = stats.Requests, time.Since(p.wall)
	return p
}

// storeTenant writes a read tenant's changes, or records why it failed; a failed
// tenant's stored state is left as it was.
func (a *App) storeTenant(ctx context.Context, cat *catalog.Catalog, p *pendingTenant, now func() time.Time) TenantResult {
	res, tr := &p.res, p.run
	defer p.snap.Close()
	err := p.err
	if err == nil {
		start := time.Now()
		res.Changes, err = a.Store.ApplySnapshot(ctx, p.snap, now())
		res.StoreTime = time.Since(start)
	}
	res.Duration = time.Since(p.wall)
	tr.FinishedAt, tr.Requests = now(), res.Requests
	if err != nil {
		// Errors quote Graph's messages: stored the same on both databases.
		res.Error, res.Changes = textclean.Stored(err.Error()), 0
		tr.Error = res.Error
		if ctx.Err() != nil {
			a.Log.Info("tenant sync interrupted", "tenant", res.TenantID, "customer", res.Customer)
		} else {
			a.Log.Warn("tenant sync failed", "tenant", res.TenantID, "customer", res.Customer, "error", err)
		}
	} else {
		snap := p.snap
		res.OK, tr.Status = true, store.SyncOK
		res.Users, res.SKUs = snap.Users.Len(), len(snap.Pools)
		res.SignInData, res.SignInNote, res.UsageRead, res.UsageNote = snap.SignInData, snap.SignInNote, snap.UsageRead, snap.UsageNote
		res.MailboxPurposeData, res.MailboxNote = snap.MailboxPurposeData, snap.MailboxNote
		for _, pool := range snap.Pools {
			if sku, ok := cat.ByID(pool.SKUID); !ok || !sku.Free {
				res.Seats += pool.Enabled
			}
		}
		tr.UsersRead, tr.SKUsRead, tr.SubscriptionsRead, tr.Changes = res.Users, res.SKUs, len(snap.Subscriptions), res.Changes
		tr.SignInData, tr.UsageRead = snap.SignInData, snap.UsageRead
		if p.partnerRead {
			a.storePartnerCenter(ctx, p, now)
		}
	}
	if err := a.Store.RecordTenantRun(context.WithoutCancel(ctx), tr); err != nil && res.OK {
		res.OK, res.Error = false, err.Error()
	}
	return *res
}

// storePartnerCenter stores a tenant's Partner Center subscriptions, or records why
// they could not be read; either way the tenant's Graph data stands.
func (a *App) storePartnerCenter(ctx context.Context, p *pendingTenant, now func() time.Time) {
	res, tr := &p.res, p.run
	note := ""
	if p.partnerErr != nil {
		note = p.partnerErr.Error()
		a.Log.Warn("Partner Center not read", "tenant", res.TenantID, "customer", res.Customer, "error", p.partnerErr)
	}
	n, err := a.Store.ApplyPartnerCenter(ctx, res.TenantID, p.partner, note, now())
	if err != nil {
		note = err.Error()
		a.Log.Warn("Partner Center not stored", "tenant", res.TenantID, "customer", res.Customer, "error", err)
	}
	res.Changes += n
	res.PartnerCenterRead, res.PartnerCenterNote = note == "", note
	if res.PartnerCenterRead {
		res.PartnerCenterSubscriptions = len(p.partner)
	}
	tr.Changes = res.Changes
	tr.PartnerCenterRead, tr.PartnerCenterError = res.PartnerCenterRead, note
}

func sameUTCDay(a, b time.Time) bool {
	if a.IsZero() {
		return false
	}
	ay, am, ad := a.UTC().Date()
	by, bm, bd := b.UTC().Date()
	return ay == by && am == bm && ad == bd
}
