package app

import (
	"context"
	"strings"

	"github.com/seatledger/seatledger/internal/pricing"
	"github.com/seatledger/seatledger/internal/terms"
)

// holdings lists, for the chosen customers, the partner's running subscriptions as
// the price list sees them: offer, term, billing plan, seats, the current term and
// the next renewal, and the contract line's price. Subscriptions whose offer is
// unknown (no Partner Center link, no imported offer matrix row) are left out and
// counted.
func (a *App) holdings(ctx context.Context, sc *scope) ([]pricing.Holding, int, error) {
	offers, err := a.Store.OffersByGraphSKU(ctx)
	if err != nil {
		return nil, 0, err
	}
	var out []pricing.Holding
	unknown := 0
	for _, c := range sc.customers {
		t, err := a.tenantInput(ctx, sc, c, nil)
		if err != nil {
			return nil, 0, err
		}
		for _, s := range t.Subscriptions {
			if !s.Paid() || s.Owner != terms.OwnerPartner {
				continue
			}
			h := pricing.Holding{TenantID: c.TenantID, Customer: c.Name, Market: c.Market, Currency: c.Currency, Segment: "commercial",
				SubscriptionID: s.ID, PartNumber: s.PartNumber, Term: s.Term.Length, Seats: s.TotalLicenses,
				TermStart: s.Term.Start, Renewal: s.Term.Renewal, BillingPlan: billingPlanOf(s)}
			switch {
			case s.Partner != nil:
				h.ProductSKU = s.Partner.Subscription.ProductSKU
			case len(offers[s.SKUID]) == 1:
				h.ProductSKU = offers[s.SKUID][0].Key()
			}
			if h.ProductSKU == "" || h.Term == "" {
				unknown++
				continue
			}
			if s.Line != nil {
				h.FixedPrice, h.MarkupPercent = s.Line.UnitPrice, s.Line.MarkupPercent
			}
			out = append(out, h)
		}
	}
	return out, unknown, nil
}

// billingPlanOf is how a subscription is billed: Partner Center's billing cycle,
// else the contract line's plan, else the plan its term is usually billed by.
func billingPlanOf(s terms.Subscription) string {
	switch {
	case s.Partner != nil && s.Partner.Subscription.BillingCycle != "":
		return strings.ToLower(s.Partner.Subscription.BillingCycle)
	case s.Line != nil:
		return s.Line.BillingPlan
	case s.Term.Length == terms.Monthly:
		return "monthly"
	case s.Term.Length == terms.Triennial:
		return "triennial"
	}
	return "annual"
}
