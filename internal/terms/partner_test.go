package terms

import (
	"testing"
	"time"

	"github.com/seatledger/seatledger/internal/inventory"
)

func TestLink(t *testing.T) {
	graph := []inventory.Subscription{
		{ID: "g1", CommerceID: "pc-1", SKUID: "spb", TotalLicenses: 10, Created: d("2025-03-01"), NextLifecycle: p(d("2027-03-01"))},
		{ID: "g2", CommerceID: "not-the-pc-id", SKUID: "e3", TotalLicenses: 25, Created: d("2026-06-10"), NextLifecycle: p(d("2027-06-10"))},
		{ID: "g3", SKUID: "e3", TotalLicenses: 5, Created: d("2026-01-10"), NextLifecycle: p(d("2027-01-10"))},
	}
	partner := []inventory.PartnerSubscription{
		{ID: "pc-1", ProductType: "OnlineServicesNCE", ProductSKU: "CFQ7TTC0LCHC:0002", Quantity: 10},
		{ID: "pc-2", ProductType: "OnlineServicesNCE", ProductSKU: "CFQ7TTC0LF8Q:0001", Quantity: 25, CommitmentEnd: p(d("2027-06-09"))},
		{ID: "pc-azure", ProductType: "Azure"},
		{ID: "pc-lost", ProductType: "OnlineServicesNCE", ProductSKU: "CFQ7TTC0LF8Q:0001", Quantity: 7},
	}
	skuOf := func(key string) (string, bool) {
		return map[string]string{"CFQ7TTC0LCHC:0002": "spb", "CFQ7TTC0LF8Q:0001": "e3"}[key], true
	}
	links := Link(graph, partner, skuOf)
	if l := links.ByGraphID["g1"]; l.Subscription.ID != "pc-1" || l.Rule != LinkCommerceID {
		t.Errorf("g1: %+v", l)
	}
	if l := links.ByGraphID["g2"]; l.Subscription.ID != "pc-2" || l.Rule != LinkSKUQuantityDates {
		t.Errorf("g2 (commerce id differs): %+v", l)
	}
	if _, ok := links.ByGraphID["g3"]; ok || len(links.Unlinked) != 2 {
		t.Errorf("unlinked: %+v, g3 linked: %v", links.Unlinked, ok)
	}
}

// Partner Center's term decides where Graph's dates mislead.
func TestTermsFromPartnerCenter(t *testing.T) {
	now := d("2026-11-30").Add(12 * time.Hour)
	pc := func(term, cycle, end string, autoRenew bool) inventory.PartnerSubscription {
		e := d(end)
		return inventory.PartnerSubscription{ID: "pc", ProductType: "OnlineServicesNCE", Quantity: 10, TermDuration: term, BillingCycle: cycle, CommitmentEnd: &e, AutoRenew: autoRenew}
	}
	cases := []struct {
		name             string
		created, next    string
		partner          inventory.PartnerSubscription
		length, renewal  string
		actBy            string
		open             bool
		seats            int
		inferredWouldSay string
	}{
		{"an annual term in its second year", "2024-11-20", "2027-11-20", pc("P1Y", "annual", "2027-11-19", true), Annual, "2027-11-20", "2027-11-19", false, 0, ""},
		{"a monthly term in its twelfth month", "2025-12-15", "2026-12-15", pc("P1M", "monthly", "2026-12-14", true), Monthly, "2026-12-15", "2026-12-14", false, 0, Annual},
		{"a three-year term", "2025-02-01", "2028-02-01", pc("P3Y", "annual", "2028-01-31", true), Triennial, "2028-02-01", "2028-01-31", false, 0, Triennial},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := inventory.Subscription{ID: "g", CommerceID: "pc", SKUID: "s", Status: "Enabled", TotalLicenses: 10, Created: d(c.created), NextLifecycle: p(d(c.next))}
			if got := Infer(g.Created, g.NextLifecycle, now); got != c.inferredWouldSay {
				t.Errorf("Graph's dates alone say %q", got)
			}
			subs := ResolveLinked("t", "", []inventory.Subscription{g}, nil, nil, Link([]inventory.Subscription{g}, []inventory.PartnerSubscription{c.partner}, nil).ByGraphID, now)
			s := subs[0]
			if s.Term.Source != SourcePartnerCenter || s.Term.Length != c.length || s.Term.Renewal.Format(time.DateOnly) != c.renewal ||
				s.Reduction.ActBy().Format(time.DateOnly) != c.actBy || s.Reduction.Open != c.open {
				t.Errorf("term %+v, reduction %+v", s.Term, s.Reduction)
			}
		})
	}

	// A seat addition three days ago: only those seats can go, until Partner Center
	// says.
	added := pc("P1Y", "annual", "2027-05-31", true)
	until := now.Add(4 * 24 * time.Hour)
	added.RefundUntil = &until
	added.Refundable = []inventory.RefundableSeats{{Seats: 3, Until: until}}
	g := inventory.Subscription{ID: "g", CommerceID: "pc", Status: "Enabled", TotalLicenses: 10, Created: d("2026-06-01"), NextLifecycle: p(d("2027-06-01"))}
	s := ResolveLinked("t", "", []inventory.Subscription{g}, nil, nil, Link([]inventory.Subscription{g}, []inventory.PartnerSubscription{added}, nil).ByGraphID, now)[0]
	if !s.Reduction.Open || s.Reduction.Seats != 3 || !s.Reduction.Until.Equal(until) || s.Reduction.ActBy().Format(time.DateOnly) != "2026-12-04" {
		t.Errorf("seat addition: %+v", s.Reduction)
	}
	// Auto-renew off: the subscription will not renew.
	off := pc("P1Y", "monthly", "2026-12-09", false)
	s = ResolveLinked("t", "", []inventory.Subscription{g}, nil, nil, Link([]inventory.Subscription{g}, []inventory.PartnerSubscription{off}, nil).ByGraphID, now)[0]
	if !s.AutoRenewOff() || s.Term.End.Format(time.DateOnly) != "2026-12-09" {
		t.Errorf("auto-renew off: %+v", s)
	}
}
