package sandbox

import "time"

// PartnerTruth is one subscription as Partner Center describes it today: the values
// seatledger must store, and the dates its advice must reach.
type PartnerTruth struct {
	// SubscriptionID is Partner Center's id; GraphID and CommerceID the directory
	// subscription's (CommerceID differs from SubscriptionID in CaseOtherID).
	SubscriptionID string `json:"subscriptionId"`
	GraphID        string `json:"graphSubscriptionId"`
	CommerceID     string `json:"commerceSubscriptionId"`
	PartNumber     string `json:"skuPartNumber"`
	OfferID        string `json:"offerId"`
	Case           string `json:"case,omitempty"`
	Quantity       int    `json:"quantity"`
	Status         string `json:"status"`
	Term           string `json:"termDuration"`
	BillingCycle   string `json:"billingCycle"`
	// CommitmentEnd is the term's last day; Renewal the day after, when it renews
	// (nil with auto-renew off, and for trials).
	CommitmentEnd time.Time  `json:"commitmentEnd"`
	Renewal       *time.Time `json:"renewal,omitempty"`
	AutoRenew     bool       `json:"autoRenew"`
	// RefundUntil is when the last open refund window closes; RefundableNow the
	// seats that can be returned today.
	RefundUntil   *time.Time `json:"refundUntil,omitempty"`
	RefundableNow int        `json:"refundableNow"`
	// ActBy is the last day seats can be reduced: the refund window's last day while
	// seats are refundable, else the commitment's last day.
	ActBy      string `json:"actBy"`
	ResellerID string `json:"resellerId,omitempty"`
	IsTrial    bool   `json:"isTrial"`
}

// partnerTruth lists the subscriptions the partner sold a tenant, as Partner Center
// serves them today.
func (w *World) partnerTruth(t *Tenant) []PartnerTruth {
	now := w.Now()
	var out []PartnerTruth
	for _, s := range t.Subscriptions {
		if s.OwnerTenantID != PartnerTenantID {
			continue
		}
		term := s.Term
		if s.Trial || term == "" {
			term = "P1M"
		}
		pt := PartnerTruth{SubscriptionID: s.partnerCenterID(), GraphID: s.ID, CommerceID: s.CommerceID, PartNumber: s.PartNumber,
			OfferID: OfferID(s.SKUID), Case: s.Case, Quantity: s.Seats, Status: s.partnerStatus(), Term: term, BillingCycle: s.billingCycle(),
			CommitmentEnd: s.commitmentEnd(), AutoRenew: !s.AutoRenewOff && !s.Trial, ResellerID: s.ResellerID, IsTrial: s.Trial}
		if pt.AutoRenew {
			r := pt.CommitmentEnd.AddDate(0, 0, 1)
			pt.Renewal = &r
		}
		pt.ActBy = pt.CommitmentEnd.Format(time.DateOnly)
		for _, l := range s.refundable(now) {
			pt.RefundableNow += l.Seats
			if pt.RefundUntil == nil || l.At.After(*pt.RefundUntil) {
				until := l.At.UTC()
				pt.RefundUntil = &until
			}
		}
		if pt.RefundUntil != nil {
			pt.ActBy = pt.RefundUntil.Add(-time.Nanosecond).Format(time.DateOnly)
		}
		out = append(out, pt)
	}
	return out
}
