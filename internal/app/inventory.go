package app

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/seatledger/seatledger/internal/ids"
	"github.com/seatledger/seatledger/internal/inventory"
	"github.com/seatledger/seatledger/internal/pools"
	"github.com/seatledger/seatledger/internal/store"
	"github.com/seatledger/seatledger/internal/terms"
)

// SeatLine is one customer's licence pool of one SKU, in seats. Idle counts paid
// seats nobody holds, by the same account the advice and the reconciliation read:
// trial seats, seats in grace and tenant-level capacity are never idle.
type SeatLine struct {
	Customer         string `json:"customer"`
	TenantID         string `json:"tenantId"`
	PartNumber       string `json:"skuPartNumber"`
	SKUID            string `json:"skuId"`
	DisplayName      string `json:"displayName"`
	Free             bool   `json:"free"`
	CapabilityStatus string `json:"capabilityStatus"`
	// Capacity marks tenant-level capacity (storage, minutes): units, not seats.
	Capacity  bool `json:"capacity"`
	Enabled   int  `json:"enabled"`
	Warning   int  `json:"warning"`
	Suspended int  `json:"suspended"`
	LockedOut int  `json:"lockedOut"`
	Consumed  int  `json:"consumed"`
	Paid      int  `json:"paid"`
	Trial     int  `json:"trial"`
	Idle      int  `json:"idle"`
	// OverAssigned is the users beyond every seat the tenant has.
	OverAssigned int `json:"overAssigned"`
	// NotSynced, on a line of its own, says why a customer has no seats to show:
	// its tenant has no successful sync.
	NotSynced string `json:"notSynced,omitempty"`
}

// Seats lists the licence pools of the given tenants (all when none), by customer
// and SKU, as the last successful sync read them.
func (a *App) Seats(ctx context.Context, tenants []string) ([]SeatLine, error) {
	names, chosen, err := a.syncTargets(ctx, tenants)
	if err != nil {
		return nil, err
	}
	if len(tenants) == 0 {
		chosen = nil
	}
	ps, err := a.Store.Pools(ctx, chosen)
	if err != nil {
		return nil, err
	}
	cat, _, err := a.Catalog(ctx)
	if err != nil {
		return nil, err
	}
	byTenant := map[string][]inventory.Pool{}
	var order []string
	for _, p := range ps {
		if _, ok := byTenant[p.TenantID]; !ok {
			order = append(order, p.TenantID)
		}
		byTenant[p.TenantID] = append(byTenant[p.TenantID], p.Pool)
	}
	out := make([]SeatLine, 0, len(ps))
	for _, tenant := range order {
		subs, err := a.Store.Subscriptions(ctx, tenant)
		if err != nil {
			return nil, err
		}
		views := make([]terms.Subscription, len(subs))
		for i, s := range subs {
			views[i] = terms.Subscription{Subscription: s}
		}
		accounts := map[string]pools.Account{}
		for _, acc := range pools.Of(byTenant[tenant], views, nil) {
			accounts[acc.SKUID] = acc
		}
		for _, p := range byTenant[tenant] {
			acc := accounts[p.SKUID]
			line := SeatLine{Customer: names[tenant], TenantID: tenant, PartNumber: p.PartNumber, SKUID: p.SKUID, DisplayName: p.PartNumber,
				CapabilityStatus: p.CapabilityStatus, Capacity: acc.Capacity, Enabled: p.Enabled, Warning: p.Warning, Suspended: p.Suspended,
				LockedOut: p.LockedOut, Consumed: p.Consumed, Paid: acc.Paid(), Trial: acc.Trial, Idle: acc.Idle(), OverAssigned: acc.OverAssigned()}
			if sku, ok := cat.ByID(p.SKUID); ok {
				line.DisplayName, line.Free = sku.DisplayName, sku.Free
			}
			if line.Free {
				line.Paid, line.Idle, line.OverAssigned = 0, 0, 0 // free SKUs never count as seats paid for
			}
			out = append(out, line)
		}
	}
	missing, err := a.notSynced(ctx, chosen)
	if err != nil {
		return nil, err
	}
	for _, m := range missing {
		out = append(out, SeatLine{Customer: m.Customer, TenantID: m.TenantID, NotSynced: m.State})
	}
	slices.SortStableFunc(out, func(x, y SeatLine) int {
		return cmp.Or(cmp.Compare(x.Customer, y.Customer), cmp.Compare(x.TenantID, y.TenantID), cmp.Compare(x.PartNumber, y.PartNumber))
	})
	return out, nil
}

// UserHistory tells what a user holds and held in a tenant, and from when. The user
// is named by principal name, mail address or object id.
func (a *App) UserHistory(ctx context.Context, tenant, user string) (*store.UserRecord, error) {
	id, err := a.tenantOf(ctx, tenant)
	if err != nil {
		return nil, err
	}
	return a.Store.UserHistory(ctx, id, user)
}

// tenantOf takes a tenant id as it is, or finds the tenant of a registered customer
// by external reference or name.
func (a *App) tenantOf(ctx context.Context, key string) (string, error) {
	if id, ok := ids.ParseGUID(key); ok {
		return id, nil
	}
	id, err := a.customerTenant(ctx, key)
	if err != nil {
		return "", fmt.Errorf("tenant %q: not a GUID, and %w", key, err)
	}
	return id, nil
}

// Users lists a customer tenant's users as the last sync read them.
func (a *App) Users(ctx context.Context, tenant string) ([]inventory.User, error) {
	id, err := a.tenantOf(ctx, tenant)
	if err != nil {
		return nil, err
	}
	return a.Store.Users(ctx, id)
}

// SKUName is the display name of a SKU id, or the id itself when the catalogue does
// not know it.
func (a *App) SKUName(ctx context.Context) (func(skuID string) string, error) {
	cat, _, err := a.Catalog(ctx)
	if err != nil {
		return nil, err
	}
	return func(id string) string {
		if sku, ok := cat.ByID(id); ok {
			return sku.PartNumber
		}
		return id
	}, nil
}

// SubscriptionView is one subscription of a customer tenant with what seatledger
// makes of it: who sells it, its term and where that came from, its renewal and the
// last day its seats can be dealt with.
type SubscriptionView struct {
	terms.Subscription
	// ActBy is the last day idle seats can be dealt with; nil when unknown or when
	// the subscription does not run.
	ActBy *time.Time `json:"actBy,omitempty"`
}

// TenantSubscriptions is a tenant's subscriptions, and the Partner Center ones that
// match none of them.
type TenantSubscriptions struct {
	Subscriptions   []SubscriptionView              `json:"subscriptions"`
	UnlinkedPartner []inventory.PartnerSubscription `json:"unlinkedPartnerCenter"`
}

// Subscriptions lists a customer tenant's subscriptions as the last sync read them,
// resolved on the App's day against the contract and Partner Center.
func (a *App) Subscriptions(ctx context.Context, tenant string) (TenantSubscriptions, error) {
	var out TenantSubscriptions
	id, err := a.tenantOf(ctx, tenant)
	if err != nil {
		return out, err
	}
	sc, err := a.scope(ctx, []string{id}, nil)
	if err != nil {
		return out, err
	}
	if len(sc.customers) == 0 {
		return out, fmt.Errorf("tenant %s: not a registered customer", tenant)
	}
	t, err := a.tenantInput(ctx, sc, sc.customers[0], nil)
	if err != nil {
		return out, err
	}
	out.Subscriptions = make([]SubscriptionView, len(t.Subscriptions))
	for i, s := range t.Subscriptions {
		out.Subscriptions[i] = SubscriptionView{Subscription: s}
		if at := s.Reduction.ActBy(); !at.IsZero() {
			out.Subscriptions[i].ActBy = &at
		}
	}
	out.UnlinkedPartner = t.UnlinkedPartner
	return out, nil
}

// SignInState tells whether the last sync of a customer tenant had sign-in activity
// (Entra ID P1/P2 and AuditLog.Read.All), and if not, why: without it no user's last
// sign-in is known, which is not the same as never.
func (a *App) SignInState(ctx context.Context, tenant string) (known bool, note string, err error) {
	id, err := a.tenantOf(ctx, tenant)
	if err != nil {
		return false, "", err
	}
	states, err := a.Store.TenantStates(ctx)
	if err != nil {
		return false, "", err
	}
	for _, s := range states {
		if s.TenantID == id {
			return s.SignInData, s.SignInNote, nil
		}
	}
	return false, "the tenant has not been synced", nil
}
