package api

import (
	"context"
	"fmt"
	"time"

	"github.com/seatledger/seatledger/internal/app"
	"github.com/seatledger/seatledger/internal/money"
	"github.com/seatledger/seatledger/internal/store"
)

func (s *server) ListPrices(ctx context.Context, req ListPricesRequestObject) (ListPricesResponseObject, error) {
	f := store.PriceFilter{Market: deref(req.Params.Market), Currency: deref(req.Params.Currency),
		ProductID: deref(req.Params.Product), SKUID: deref(req.Params.Sku)}
	prices, err := s.appFor(ctx).Prices(ctx, f)
	if err != nil {
		return nil, err
	}
	p, err := slicePage(prices, req.Params.Limit, req.Params.Cursor)
	return ListPrices200JSONResponse{PageResponseJSONResponse(p)}, err
}

func sinceOf(d *Since) time.Time {
	if d == nil {
		return time.Time{}
	}
	return d.Time
}

func (s *server) ListPriceChanges(ctx context.Context, req ListPriceChangesRequestObject) (ListPriceChangesResponseObject, error) {
	changes, err := s.appFor(ctx).PriceChanges(ctx, sinceOf(req.Params.Since), deref(req.Params.Market))
	if err != nil {
		return nil, err
	}
	p, err := slicePage(changes, req.Params.Limit, req.Params.Cursor)
	return ListPriceChanges200JSONResponse{PageResponseJSONResponse(p)}, err
}

func (s *server) ListPriceImpact(ctx context.Context, req ListPriceImpactRequestObject) (ListPriceImpactResponseObject, error) {
	a := s.appFor(ctx)
	q := app.ImpactQuery{Since: sinceOf(req.Params.Since), Customer: deref(req.Params.Customer)}
	if req.Params.Change != nil {
		q.ChangeID = *req.Params.Change
	}
	floorText := "0"
	if req.Params.MarginFloor != nil {
		floorText = *req.Params.MarginFloor
	}
	floor, err := money.ParsePlain(floorText)
	if err != nil {
		return nil, badRequest{fmt.Errorf("marginFloor: %w", err)}
	}
	q.MarginFloorPercent = floor
	if q.Customer != "" {
		if _, err := a.Customer(ctx, q.Customer); err != nil {
			return nil, err
		}
	}
	rep, err := a.PriceImpact(ctx, q)
	if err != nil {
		return nil, err
	}
	p, err := slicePage(rep.Impacts, req.Params.Limit, req.Params.Cursor)
	return ListPriceImpact200JSONResponse{PageResponseJSONResponse(p)}, err
}
