package partnercenter

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/seatledger/seatledger/internal/ids"
	"github.com/seatledger/seatledger/internal/inventory"
)

// The decoders below turn Partner Center's answers into inventory values. They are
// pure, so that they can be fuzzed without a server: whatever the bytes, they return
// values or an error, never panic.

// next is where the rest of a collection is: links.next (a URI relative to the API
// root, with the MS-ContinuationToken among its headers) or a bare continuationToken.
type next struct {
	URI   string
	Token string
}

func (n next) empty() bool { return n.URI == "" && n.Token == "" }

type link struct {
	URI     string `json:"uri"`
	Headers []struct {
		Key   string `json:"key"`
		Value string `json:"value"`
	} `json:"headers"`
}

// collection is the envelope of a list answer. Partner Center answers a list with
// "items", and a single resource with the bare object; both are accepted.
type collection struct {
	Items             json.RawMessage `json:"items"`
	ContinuationToken string          `json:"continuationToken"`
	Links             struct {
		Next *link `json:"next"`
	} `json:"links"`
	Attributes struct {
		ObjectType string `json:"objectType"`
	} `json:"attributes"`
}

// splitCollection returns the items of an answer, one raw object each, and where the
// next page is.
func splitCollection(body []byte) ([]json.RawMessage, next, error) {
	body = bytes.TrimPrefix(bytes.TrimSpace(body), []byte("\ufeff"))
	if len(body) == 0 || body[0] != '{' {
		return nil, next{}, errors.New("answer is not a JSON object")
	}
	var c collection
	if err := json.Unmarshal(body, &c); err != nil {
		return nil, next{}, err
	}
	var n next
	if l := c.Links.Next; l != nil {
		n.URI = l.URI
		for _, h := range l.Headers {
			if strings.EqualFold(h.Key, "MS-ContinuationToken") {
				n.Token = h.Value
			}
		}
	}
	if n.Token == "" && n.URI != "" {
		n.Token = c.ContinuationToken
	}
	if c.Items == nil || bytes.Equal(c.Items, []byte("null")) {
		if c.Attributes.ObjectType == "Collection" {
			return nil, n, nil
		}
		// A single resource, as GET .../subscriptions/{id} answers.
		return []json.RawMessage{body}, next{}, nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(c.Items, &items); err != nil {
		return nil, next{}, fmt.Errorf("items: %w", err)
	}
	return items, n, nil
}

// pcTime reads Partner Center's dates: RFC 3339 with or without fractions, with or
// without a zone (then UTC), or absent.
type pcTime struct{ t *time.Time }

func (p *pcTime) UnmarshalJSON(b []byte) error {
	var s *string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if s == nil || strings.TrimSpace(*s) == "" {
		p.t = nil
		return nil
	}
	v := strings.TrimSpace(*s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			t = t.UTC()
			if t.Year() <= 1 {
				p.t = nil // 0001-01-01 stands for "none"
				return nil
			}
			p.t = &t
			return nil
		}
	}
	return fmt.Errorf("%q is not a date", v)
}

type subscriptionJSON struct {
	ID          string `json:"id"`
	OfferID     string `json:"offerId"`
	OfferName   string `json:"offerName"`
	ProductType *struct {
		ID string `json:"id"`
	} `json:"productType"`
	Quantity         int    `json:"quantity"`
	Status           string `json:"status"`
	CreationDate     pcTime `json:"creationDate"`
	EffectiveStart   pcTime `json:"effectiveStartDate"`
	CommitmentEnd    pcTime `json:"commitmentEndDate"`
	AutoRenewEnabled bool   `json:"autoRenewEnabled"`
	TermDuration     string `json:"termDuration"`
	BillingCycle     string `json:"billingCycle"`
	IsTrial          bool   `json:"isTrial"`
	PartnerID        string `json:"partnerId"`
	RefundOptions    []struct {
		Type      string `json:"type"`
		ExpiresAt pcTime `json:"expiresAt"`
	} `json:"refundOptions"`
	RefundableQuantity *struct {
		Details []struct {
			Quantity     int    `json:"quantity"`
			AllowedUntil pcTime `json:"allowedUntilDateTime"`
		} `json:"details"`
	} `json:"refundableQuantity"`
}

// decodeSubscriptions reads one answer of /v1/customers/{id}/subscriptions (or of one
// subscription). Every subscription is kept, NCE or not: legacy and Azure ones carry
// their own productType (or none).
func decodeSubscriptions(body []byte) ([]inventory.PartnerSubscription, next, error) {
	items, n, err := splitCollection(body)
	if err != nil {
		return nil, next{}, err
	}
	out := make([]inventory.PartnerSubscription, 0, len(items))
	for i, raw := range items {
		var s subscriptionJSON
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, next{}, fmt.Errorf("subscription %d: %w", i, err)
		}
		ps, err := s.value()
		if err != nil {
			return nil, next{}, fmt.Errorf("subscription %d: %w", i, err)
		}
		out = append(out, ps)
	}
	return out, n, nil
}

func (s subscriptionJSON) value() (inventory.PartnerSubscription, error) {
	if strings.TrimSpace(s.ID) == "" {
		return inventory.PartnerSubscription{}, errors.New("no id")
	}
	if s.Quantity < 0 {
		return inventory.PartnerSubscription{}, fmt.Errorf("quantity %d", s.Quantity)
	}
	ps := inventory.PartnerSubscription{
		ID: normalID(s.ID), OfferID: strings.TrimSpace(s.OfferID), OfferName: s.OfferName, Quantity: s.Quantity,
		Status: strings.ToLower(s.Status), Created: s.CreationDate.t, EffectiveStart: s.EffectiveStart.t, CommitmentEnd: s.CommitmentEnd.t,
		AutoRenew: s.AutoRenewEnabled, TermDuration: strings.ToUpper(s.TermDuration), BillingCycle: strings.ToLower(s.BillingCycle),
		IsTrial: s.IsTrial, ResellerID: normalID(s.PartnerID),
	}
	if s.ProductType != nil {
		ps.ProductType = s.ProductType.ID
	}
	// Only NCE offer ids have three parts; a legacy offer id is a bare GUID and an
	// Azure plan's a name such as MS-AZR-0145P.
	if parts := strings.Split(ps.OfferID, ":"); len(parts) >= 2 {
		ps.ProductSKU = parts[0] + ":" + parts[1]
	}
	for _, o := range s.RefundOptions {
		if o.ExpiresAt.t != nil && (ps.RefundUntil == nil || o.ExpiresAt.t.After(*ps.RefundUntil)) {
			ps.RefundUntil = o.ExpiresAt.t
		}
	}
	if rq := s.RefundableQuantity; rq != nil {
		for _, d := range rq.Details {
			if d.Quantity > 0 && d.AllowedUntil.t != nil {
				ps.Refundable = append(ps.Refundable, inventory.RefundableSeats{Seats: d.Quantity, Until: *d.AllowedUntil.t})
			}
		}
	}
	return ps, nil
}

// normalID lower-cases GUIDs, as seatledger stores every id; other ids stay as sent.
func normalID(s string) string {
	if id, ok := ids.ParseGUID(s); ok {
		return id
	}
	return strings.TrimSpace(s)
}

// decodeCustomers reads one page of /v1/customers.
func decodeCustomers(body []byte) ([]inventory.PartnerCustomer, next, error) {
	items, n, err := splitCollection(body)
	if err != nil {
		return nil, next{}, err
	}
	out := make([]inventory.PartnerCustomer, 0, len(items))
	for i, raw := range items {
		var c struct {
			ID             string `json:"id"`
			CompanyProfile struct {
				TenantID    string `json:"tenantId"`
				Domain      string `json:"domain"`
				CompanyName string `json:"companyName"`
			} `json:"companyProfile"`
			Relationship string `json:"relationshipToPartner"`
		}
		if err := json.Unmarshal(raw, &c); err != nil {
			return nil, next{}, fmt.Errorf("customer %d: %w", i, err)
		}
		tenant := c.CompanyProfile.TenantID
		if tenant == "" {
			tenant = c.ID // the customer id is the tenant id
		}
		id, ok := ids.ParseGUID(tenant)
		if !ok {
			return nil, next{}, fmt.Errorf("customer %d: tenant id %q is not a GUID", i, tenant)
		}
		out = append(out, inventory.PartnerCustomer{TenantID: id, CompanyName: strings.TrimSpace(c.CompanyProfile.CompanyName),
			Domain: strings.ToLower(strings.TrimSpace(c.CompanyProfile.Domain)), Relationship: strings.ToLower(c.Relationship)})
	}
	return out, n, nil
}
