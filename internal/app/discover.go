package app

import (
	"context"

	"github.com/seatledger/seatledger/internal/store"
)

// DiscoveryResult is what a customer discovery did.
type DiscoveryResult = store.DiscoveryCounts

// DiscoverCustomers reads the partner's customer list from Partner Center and
// registers the customers the registry lacks as discovered, marking ended those no
// longer listed.
func (a *App) DiscoverCustomers(ctx context.Context, partner PartnerReader) (*DiscoveryResult, error) {
	listed, err := partner.Customers(ctx)
	if err != nil {
		return nil, err
	}
	d, err := a.Store.DiscoverCustomers(ctx, listed, a.Actor)
	if err != nil {
		return nil, err
	}
	a.Log.Info("customers discovered", "listed", d.Listed, "discovered", len(d.Discovered), "ended", len(d.Ended), "listed_again", len(d.Relisted))
	return &d, nil
}
