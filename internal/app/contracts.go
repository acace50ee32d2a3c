package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/seatledger/seatledger/internal/catalog"
	"github.com/seatledger/seatledger/internal/contracts"
	"github.com/seatledger/seatledger/internal/customers"
	"github.com/seatledger/seatledger/internal/ids"
	"github.com/seatledger/seatledger/internal/records"
	"github.com/seatledger/seatledger/internal/store"
)

// ImportOffersFile reads Partner Center's offer matrix, checks all of it, and stores
// the link from each ProductId:SkuId to its Graph SKU.
func (a *App) ImportOffersFile(ctx context.Context, path string) (int, error) {
	data, err := records.ReadFile(path, records.MaxFileBytes)
	if err != nil {
		return 0, fmt.Errorf("import offer matrix: %w", err)
	}
	offers, err := catalog.ParseOfferMatrix(bytes.NewReader(data), path)
	if err != nil {
		return 0, err
	}
	return a.Store.ImportOffers(ctx, offers, a.Actor, path)
}

// resolver names customers and SKUs in contract files against the registry, the
// catalogue and the imported Partner Center offers.
type resolver struct {
	registry
	ctx context.Context
	app *App
	cat *catalog.Catalog
}

func (a *App) newResolver(ctx context.Context) (*resolver, error) {
	list, err := a.Customers(ctx)
	if err != nil {
		return nil, err
	}
	cat, _, err := a.Catalog(ctx)
	if err != nil {
		return nil, err
	}
	return &resolver{registry: list, ctx: ctx, app: a, cat: cat}, nil
}

// registry finds customers by tenant id, external reference or name; it is all that
// commands naming a customer need, without the catalogue.
type registry []customers.Customer

// customerTenant finds the tenant of a customer named by tenant id, external
// reference or name.
func (a *App) customerTenant(ctx context.Context, key string) (string, error) {
	list, err := a.Customers(ctx)
	if err != nil {
		return "", err
	}
	return registry(list).Customer(key)
}

func (r registry) Customer(key string) (string, error) {
	id, isGUID := ids.ParseGUID(key)
	var found []customers.Customer
	for _, c := range r {
		if isGUID && c.TenantID == id || !isGUID && (c.ExternalRef == key || strings.EqualFold(c.Name, key)) {
			found = append(found, c)
		}
	}
	switch len(found) {
	case 0:
		return "", lookupError{fmt.Sprintf("no customer %q in the registry (give its tenant id, external reference or name)", key), store.ErrNotFound}
	case 1:
		return found[0].TenantID, nil
	}
	return "", lookupError{fmt.Sprintf("%q names %d customers: give the tenant id", key, len(found)), store.ErrAmbiguous}
}

func (r *resolver) SKU(key string) (string, string, error) {
	if catalog.OfferKey.MatchString(strings.TrimSpace(key)) {
		o, err := r.app.Store.Offer(r.ctx, catalog.NormalOfferKey(key))
		if errors.Is(err, store.ErrNotFound) {
			return "", "", fmt.Errorf("Partner Center offer %s is unknown: import the offer matrix first (seatledger catalog offers --file FILE)", catalog.NormalOfferKey(key))
		}
		if err != nil {
			return "", "", err
		}
		part := o.PartNumber
		if s, ok := r.cat.ByID(o.GraphSKUID); ok {
			part = s.PartNumber
		}
		return o.GraphSKUID, part, nil
	}
	s, err := r.cat.Lookup(key)
	if err != nil {
		return "", "", err
	}
	return s.ID, s.PartNumber, nil
}

// ImportContracts validates a whole contracts file against the registry and the
// catalogue and, only when every line is good, makes its lines the contract of each
// customer it names.
func (a *App) ImportContracts(ctx context.Context, path string) (store.ContractCounts, error) {
	res, err := a.newResolver(ctx)
	if err != nil {
		return store.ContractCounts{}, err
	}
	lines, err := contracts.ParseFile(path, res)
	if err != nil {
		return store.ContractCounts{}, err
	}
	counts, err := a.Store.ReplaceContracts(ctx, lines, a.Actor, path)
	if err != nil {
		return store.ContractCounts{}, err
	}
	a.Log.Info("contracts imported", "source", path, "customers", counts.Customers, "changed", counts.CustomersChanged, "lines", counts.Lines)
	return counts, nil
}

// ContractLines lists the contract of one customer (tenant id, external reference
// or name), or of all when customer is empty.
func (a *App) ContractLines(ctx context.Context, customer string) ([]ContractLineView, error) {
	tenant := ""
	if customer != "" {
		var err error
		if tenant, err = a.customerTenant(ctx, customer); err != nil {
			return nil, err
		}
	}
	lines, err := a.Store.ContractLines(ctx, tenant)
	if err != nil {
		return nil, err
	}
	list, err := a.Customers(ctx)
	if err != nil {
		return nil, err
	}
	byTenant := map[string]customers.Customer{}
	for _, c := range list {
		byTenant[c.TenantID] = c
	}
	out := make([]ContractLineView, len(lines))
	for i, l := range lines {
		c := byTenant[l.TenantID]
		out[i] = ContractLineView{Line: l, Customer: c.Name, ExternalRef: c.ExternalRef, Currency: c.Currency, AsAssigned: l.AsAssigned()}
	}
	return out, nil
}

// ContractLineView is a contract line with its customer, as lists show it: the unit
// price is in Currency, per seat per month; AsAssigned lines bill the seats assigned
// and have no quantity.
type ContractLineView struct {
	contracts.Line
	Customer    string `json:"customer"`
	ExternalRef string `json:"externalRef,omitempty"`
	Currency    string `json:"currency"`
	AsAssigned  bool   `json:"asAssigned"`
}
