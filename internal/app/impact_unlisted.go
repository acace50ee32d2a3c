package app

import (
	"context"
	"strings"

	"github.com/seatledger/seatledger/internal/pricing"
	"github.com/seatledger/seatledger/internal/store"
)

// markUnlisted flags the holdings whose offer a change names in another market but
// no imported price list prices in the customer's own market (a market Microsoft
// publishes no list for, or whose list was never imported), so that the impact says
// so instead of saying nothing. Only those offers are looked up, once per market.
func (a *App) markUnlisted(ctx context.Context, changes []pricing.Change, held []pricing.Holding) error {
	changed := map[string]bool{}  // ProductId:SkuId
	inMarket := map[string]bool{} // market|ProductId:SkuId
	for _, c := range changes {
		ps := strings.ToUpper(c.ProductID + ":" + c.SKUID)
		changed[ps] = true
		inMarket[strings.ToUpper(c.Market)+"|"+ps] = true
	}
	listed := map[string]bool{}
	for i := range held {
		h := &held[i]
		ps := strings.ToUpper(h.ProductSKU)
		key := strings.ToUpper(h.Market) + "|" + ps
		if !changed[ps] || inMarket[key] {
			continue
		}
		ok, seen := listed[key]
		if !seen {
			product, sku, _ := strings.Cut(ps, ":")
			prices, err := a.Store.Prices(ctx, store.PriceFilter{Market: h.Market, ProductID: product, SKUID: sku})
			if err != nil {
				return err
			}
			ok = len(prices) > 0
			listed[key] = ok
		}
		h.NoPriceList = !ok
	}
	return nil
}
