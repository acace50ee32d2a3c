package inventory

import "time"

// PartnerSubscription is one subscription as Partner Center knows it: the partner's
// own, authoritative view of what it sold a customer (GET
// /v1/customers/{tenant}/subscriptions). Graph's directory subscriptions say what the
// tenant holds; these say the term, the billing cycle, the renewal and how many
// seats may still be returned.
type PartnerSubscription struct {
	ID string `json:"id"`
	// OfferID is ProductId:SkuId:AvailabilityId; ProductSKU is ProductId:SkuId, the
	// key of the offer matrix that links it to Graph's skuId.
	OfferID    string `json:"offerId"`
	ProductSKU string `json:"productSku"`
	OfferName  string `json:"offerName"`
	// ProductType is Partner Center's productType.id: OnlineServicesNCE for New
	// Commerce seats; legacy and Azure subscriptions carry others.
	ProductType string `json:"productType"`
	Quantity    int    `json:"quantity"`
	// Status is Partner Center's: active, pending, suspended, expired, disabled,
	// deleted (none for some legacy ones).
	Status         string     `json:"status"`
	Created        *time.Time `json:"creationDate,omitempty"`
	EffectiveStart *time.Time `json:"effectiveStartDate,omitempty"`
	// CommitmentEnd is the last day of the term (inclusive, to its end UTC).
	CommitmentEnd *time.Time `json:"commitmentEndDate,omitempty"`
	AutoRenew     bool       `json:"autoRenewEnabled"`
	// TermDuration is P1M, P1Y or P3Y; BillingCycle monthly, annual, triennial,
	// none (trials) or onetime.
	TermDuration string `json:"termDuration"`
	BillingCycle string `json:"billingCycle"`
	IsTrial      bool   `json:"isTrial"`
	// ResellerID is the indirect reseller's partner id, empty when sold directly.
	ResellerID string `json:"partnerId,omitempty"`
	// RefundUntil is when the last refund option expires: seats can be reduced until
	// then. Nil when no refund option is open.
	RefundUntil *time.Time `json:"refundUntil,omitempty"`
	// Refundable is the seats that can still be returned, each lot until when.
	Refundable []RefundableSeats `json:"refundable,omitempty"`
}

// RefundableSeats is a number of seats that can be returned until a time.
type RefundableSeats struct {
	Seats int       `json:"seats"`
	Until time.Time `json:"until"`
}

// RefundableNow is the seats that can be returned at time t.
func (s PartnerSubscription) RefundableNow(t time.Time) int {
	n := 0
	for _, r := range s.Refundable {
		if t.Before(r.Until) {
			n += r.Seats
		}
	}
	return n
}

// NCE tells whether the subscription is a New Commerce licence subscription, the
// kind seatledger reasons about; others (legacy, Azure, add-ons of other kinds) are
// kept but not linked.
func (s PartnerSubscription) NCE() bool { return s.ProductType == "OnlineServicesNCE" }
