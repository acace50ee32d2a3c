package app

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/seatledger/seatledger/internal/ids"
	"github.com/seatledger/seatledger/internal/inventory"
	"github.com/seatledger/seatledger/internal/store"
)

// SeatLine is one customer's licence pool of one SKU.
type SeatLine struct {
	Customer    string `json:"customer"`
	TenantID    string `json:"tenantId"`
	PartNumber  string `json:"skuPartNumber"`
	SKUID       string `json:"skuId"`
	DisplayName string `json:"displayName"`
	Free        bool   `json:"free"`
	Enabled     int    `json:"enabled"`
	Warning     int    `json:"warning"`
	Suspended   int    `json:"suspended"`
	Consumed    int    `json:"consumed"`
	Idle        int    `json:"idle"`
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
	pools, err := a.Store.Pools(ctx, chosen)
	if err != nil {
		return nil, err
	}
	cat, _, err := a.Catalog(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]SeatLine, 0, len(pools))
	for _, p := range pools {
		line := SeatLine{Customer: names[p.TenantID], TenantID: p.TenantID, PartNumber: p.PartNumber, SKUID: p.SKUID, DisplayName: p.PartNumber,
			Enabled: p.Enabled, Warning: p.Warning, Suspended: p.Suspended, Consumed: p.Consumed, Idle: p.Idle()}
		if sku, ok := cat.ByID(p.SKUID); ok {
			line.DisplayName, line.Free = sku.DisplayName, sku.Free
		}
		out = append(out, line)
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
