package terms

import (
	"strings"
	"time"

	"github.com/seatledger/seatledger/internal/inventory"
)

// SourcePartnerCenter: the term comes from Partner Center, which knows it for every
// subscription the partner sold. It is the most trusted source.
const SourcePartnerCenter = "partner-center"

// Rules by which a Partner Center subscription was matched to a Graph one.
const (
	// LinkCommerceID: Graph's commerceSubscriptionId equals the Partner Center id.
	// That the two are the same is not confirmed by Microsoft, hence the fallback.
	LinkCommerceID = "commerce-id"
	// LinkSKUQuantityDates: the only Graph subscription of the offer's SKU with the
	// same seats and the same dates (start, or end of term).
	LinkSKUQuantityDates = "sku-quantity-dates"
)

// PartnerLink is the Partner Center subscription matched to a Graph subscription.
type PartnerLink struct {
	Subscription inventory.PartnerSubscription `json:"subscription"`
	Rule         string                        `json:"rule"`
}

// Links is the result of matching a tenant's Partner Center subscriptions to its
// Graph subscriptions.
type Links struct {
	// ByGraphID holds the match of each linked Graph subscription.
	ByGraphID map[string]PartnerLink
	// Unlinked are the Partner Center subscriptions of New Commerce that match no
	// Graph subscription, and the others (legacy, Azure), which are never linked.
	Unlinked []inventory.PartnerSubscription
}

// Link matches Partner Center subscriptions to Graph subscriptions: by commerce id
// first, else by SKU (through skuOf, the offer matrix's ProductId:SkuId to Graph skuId),
// seats and dates when exactly one Graph subscription fits. Each Graph subscription is
// matched at most once.
func Link(graph []inventory.Subscription, partner []inventory.PartnerSubscription, skuOf func(productSKU string) (string, bool)) Links {
	out := Links{ByGraphID: map[string]PartnerLink{}}
	var rest []inventory.PartnerSubscription
	for _, p := range partner {
		if !p.NCE() {
			out.Unlinked = append(out.Unlinked, p)
			continue
		}
		matched := false
		for _, g := range graph {
			if _, taken := out.ByGraphID[g.ID]; !taken && g.CommerceID != "" && strings.EqualFold(g.CommerceID, p.ID) {
				out.ByGraphID[g.ID] = PartnerLink{Subscription: p, Rule: LinkCommerceID}
				matched = true
				break
			}
		}
		if !matched {
			rest = append(rest, p)
		}
	}
	for _, p := range rest {
		skuID, ok := "", false
		if skuOf != nil {
			skuID, ok = skuOf(p.ProductSKU)
		}
		var fits []string
		for _, g := range graph {
			if _, taken := out.ByGraphID[g.ID]; ok && !taken && strings.EqualFold(g.SKUID, skuID) && g.TotalLicenses == p.Quantity && sameDates(g, p) {
				fits = append(fits, g.ID)
			}
		}
		if len(fits) == 1 {
			out.ByGraphID[fits[0]] = PartnerLink{Subscription: p, Rule: LinkSKUQuantityDates}
			continue
		}
		out.Unlinked = append(out.Unlinked, p)
	}
	return out
}

// sameDates tells whether a Graph subscription's dates agree with Partner Center's:
// the renewal the day after the commitment ends, or the purchase on the start day,
// give or take two days.
func sameDates(g inventory.Subscription, p inventory.PartnerSubscription) bool {
	near := func(a, b time.Time) bool { d := Day(a).Sub(Day(b)); return d >= -2*24*time.Hour && d <= 2*24*time.Hour }
	if g.NextLifecycle != nil && p.CommitmentEnd != nil && near(*g.NextLifecycle, p.CommitmentEnd.AddDate(0, 0, 1)) {
		return true
	}
	return p.EffectiveStart != nil && near(g.Created, *p.EffectiveStart)
}

// partnerTerm is the term Partner Center states: its length, and its last day (the
// commitment end, inclusive). A term whose end has passed renews on a date Partner
// Center will only say at the next read, so its renewal is left unknown.
func partnerTerm(created time.Time, p inventory.PartnerSubscription, now time.Time) Term {
	t := Term{Length: p.TermDuration, Source: SourcePartnerCenter}
	if _, known := months[t.Length]; !known {
		t.Length = ""
	}
	if p.CommitmentEnd == nil {
		return t
	}
	end := Day(*p.CommitmentEnd)
	if end.Before(Day(now)) {
		return t
	}
	t.End, t.Renewal = end, end.AddDate(0, 0, 1)
	if n, known := months[t.Length]; known {
		t.Start = addMonthsOnDay(t.Renewal, -n, renewalDay(created, t.Renewal))
		if c := Day(created); t.Start.Before(c) {
			t.Start = c
		}
	}
	if p.EffectiveStart != nil && Day(*p.EffectiveStart).After(t.Start) && Day(*p.EffectiveStart).Before(t.Renewal) {
		t.Start = Day(*p.EffectiveStart)
	}
	return t
}

// partnerReduction is what Partner Center says can be returned: the refund window
// closes at the refund option's expiry, and only the refundable seats can go (after a
// seat addition, just those). Renewals are scheduled by the last day of the term.
func partnerReduction(t Term, p inventory.PartnerSubscription, now time.Time) Reduction {
	var r Reduction
	if refundable := p.RefundableNow(now); p.RefundUntil != nil && now.Before(*p.RefundUntil) && refundable > 0 {
		r.Open, r.Until, r.Reason = true, *p.RefundUntil, "refund"
		if refundable < p.Quantity {
			r.Seats = refundable
		}
		// Each lot of seats has its own deadline: the window lasts as long as the lot
		// that stays longest, and never past the refund option.
		var latest time.Time
		for _, lot := range p.Refundable {
			if lot.Until.After(now) && lot.Until.After(latest) {
				latest = lot.Until
			}
		}
		if latest.Before(r.Until) {
			r.Until = latest
		}
	}
	if !t.Renewal.IsZero() {
		r.Next, r.ScheduleBy = t.Renewal, t.End
	}
	return r
}
