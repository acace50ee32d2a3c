package app

import (
	"context"

	"github.com/seatledger/seatledger/internal/customers"
	"github.com/seatledger/seatledger/internal/store"
)

// ImportCustomers validates the whole registry file, also against the customers
// already registered, and, only when every row is good, creates and updates customers
// by tenant id.
func (a *App) ImportCustomers(ctx context.Context, path string) (store.ImportCounts, error) {
	registered, err := a.Customers(ctx)
	if err != nil {
		return store.ImportCounts{}, err
	}
	list, err := customers.ParseFileAgainst(path, registered)
	if err != nil {
		return store.ImportCounts{}, err
	}
	return a.ImportCustomerList(ctx, list, path)
}

// ImportCustomerList stores an already validated list of customers; source names
// where they came from in the audit log.
func (a *App) ImportCustomerList(ctx context.Context, list []customers.Customer, source string) (store.ImportCounts, error) {
	for i := range list {
		if list[i].Source == "" {
			list[i].Source = source
		}
	}
	counts, err := a.Store.ImportCustomers(ctx, list, a.Actor, source)
	if err != nil {
		return store.ImportCounts{}, err
	}
	a.Log.Info("customers imported", "source", source, "created", counts.Created, "updated", counts.Updated, "unchanged", counts.Unchanged)
	return counts, nil
}

// Customers lists the registry.
func (a *App) Customers(ctx context.Context) ([]customers.Customer, error) {
	return a.Store.Customers(ctx)
}
