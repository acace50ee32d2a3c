package pricing

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/seatledger/seatledger/internal/money"
	"github.com/seatledger/seatledger/internal/terms"
)

// Holding is one subscription of a customer that a price change may reach, with what
// the partner knows of its term and of the contract line that bills it.
type Holding struct {
	TenantID string `json:"tenantId"`
	Customer string `json:"customer"`
	// Market, Currency and Segment are the customer's (registry).
	Market   string `json:"market"`
	Currency string `json:"currency"`
	Segment  string `json:"segment"`
	// SubscriptionID and PartNumber name the subscription and its Graph SKU.
	SubscriptionID string `json:"subscriptionId"`
	PartNumber     string `json:"skuPartNumber"`
	// ProductSKU is the Partner Center ProductId:SkuId of the subscription's offer.
	ProductSKU string `json:"productSku"`
	// Term and BillingPlan are the subscription's (P1Y, annual...).
	Term        string `json:"term"`
	BillingPlan string `json:"billingPlan"`
	Seats       int    `json:"seats"`
	// TermStart is the first day of the current term; Renewal the first day of the
	// next (zero when unknown).
	TermStart time.Time `json:"termStart"`
	Renewal   time.Time `json:"renewal"`
	// Created is the day the subscription was bought (zero when unknown).
	Created time.Time `json:"created"`
	// FixedPrice is the contract's price per seat per month, or MarkupPercent the
	// line's markup over Microsoft's cost; both nil without a contract line.
	FixedPrice    *decimal.Decimal `json:"fixedPrice,omitempty"`
	MarkupPercent *decimal.Decimal `json:"markupPercent,omitempty"`
	// AutoRenewOff is set when the subscription will not renew: a price effective
	// after its term began never reaches it.
	AutoRenewOff bool `json:"autoRenewOff,omitempty"`
	// NoPriceList is set when no imported price list prices the offer in the
	// customer's market.
	NoPriceList bool `json:"noPriceList,omitempty"`
}

// Impact is what one price change does to one subscription: from which day, and by
// how much a month. Amounts are in the holding's currency, rounded once to the cent.
type Impact struct {
	Change  Change  `json:"change"`
	Holding Holding `json:"holding"`
	// Reaches is the first day the subscription pays the new price: the first renewal
	// on or after the change for a locked term (monthly terms renew monthly), the
	// term's start for a subscription bought after the change. Zero when the renewal
	// is unknown.
	Reaches time.Time `json:"reaches"`
	// CostChange is the change in the partner's monthly cost for all the seats.
	CostChange *money.Amount `json:"costChange,omitempty"`
	// CustomerChange is the change in the customer's monthly price, for a line priced
	// at cost plus markup.
	CustomerChange *money.Amount `json:"customerChange,omitempty"`
	// Margin is what a seat leaves the partner each month once the new price reaches
	// it, for a fixed-price line, and MarginPercent its share of the customer's price;
	// BelowFloor flags a margin under the floor (or negative).
	Margin        *money.Amount    `json:"margin,omitempty"`
	MarginPercent *decimal.Decimal `json:"marginPercent,omitempty"`
	BelowFloor    bool             `json:"belowFloor,omitempty"`
	// Note says what the numbers cannot: an offer retired, a renewal unknown, no
	// price in the customer's currency.
	Note string `json:"note,omitempty"`
}

// Impacts works out, for every change and every holding it reaches, the day it lands
// and what it costs, sorted by that day. A holding whose offer, term and market the
// changes name, but in other currencies only, gets one impact saying so: no rate is
// guessed; so does a holding whose market no list prices its offer in, when a change
// in another market names it. A holding that will not renew is reached only by
// changes effective on or before its term's start. floorPercent is the lowest
// acceptable margin of a fixed-price line.
func Impacts(changes []Change, holdings []Holding, floorPercent decimal.Decimal) []Impact {
	var out []Impact
	for _, h := range holdings {
		if h.NoPriceList {
			if slices.ContainsFunc(changes, func(c Change) bool { return sameOfferElsewhere(c.Key, h) }) {
				out = append(out, Impact{Holding: h, Note: "no price list imported prices this offer in market " + h.Market + ": nothing is guessed from other markets"})
			}
			continue
		}
		otherCurrency := false
		matched := false
		for _, c := range changes {
			switch sameOffer(c.Key, h) {
			case offerOther:
				continue
			case offerOtherCurrency:
				otherCurrency = true
				continue
			}
			matched = true
			if h.AutoRenewOff && (h.TermStart.IsZero() || h.TermStart.Before(c.Effective.UTC().Truncate(24*time.Hour))) {
				continue // the term ends before the price reaches it
			}
			out = append(out, impact(c, h, floorPercent))
		}
		if otherCurrency && !matched {
			out = append(out, Impact{Holding: h, Note: "the price list has no price in " + h.Currency + " for this offer: no conversion is guessed"})
		}
	}
	slices.SortStableFunc(out, func(x, y Impact) int {
		return cmp.Or(compareDay(x.Reaches, y.Reaches), cmp.Compare(x.Holding.Customer, y.Holding.Customer),
			cmp.Compare(x.Holding.PartNumber, y.Holding.PartNumber), cmp.Compare(x.Holding.SubscriptionID, y.Holding.SubscriptionID))
	})
	return out
}

// compareDay orders days ascending, unknown ones last.
func compareDay(x, y time.Time) int {
	switch {
	case x.IsZero() && y.IsZero():
		return 0
	case x.IsZero():
		return 1
	case y.IsZero():
		return -1
	}
	return x.Compare(y)
}

type offerMatch int

const (
	offerOther offerMatch = iota
	offerOtherCurrency
	offerSame
)

// sameOffer tells whether a price key is the holding's offer, term, billing plan,
// market and segment, and whether its currency is the holding's too.
func sameOffer(k Key, h Holding) offerMatch {
	segment := h.Segment
	if segment == "" {
		segment = "commercial"
	}
	// Product and SKU are compared apart, not joined: Locked runs this over every price
	// row of a market for every subscription, and the joined string was most of its time.
	product, sku, _ := strings.Cut(h.ProductSKU, ":")
	if k.TermDuration != h.Term || !strings.EqualFold(k.ProductID, product) || !strings.EqualFold(k.SKUID, sku) ||
		!strings.EqualFold(k.BillingPlan, h.BillingPlan) || !strings.EqualFold(k.Market, h.Market) ||
		!strings.EqualFold(cmp.Or(k.Segment, "commercial"), segment) {
		return offerOther
	}
	if !strings.EqualFold(k.Currency, h.Currency) {
		return offerOtherCurrency
	}
	return offerSame
}

// sameOfferElsewhere tells whether a price key is the holding's offer, term, billing
// plan and segment, in whatever market and currency.
func sameOfferElsewhere(k Key, h Holding) bool {
	o := h
	o.Market, o.Currency = k.Market, k.Currency
	return sameOffer(k, o) == offerSame
}

func impact(c Change, h Holding, floorPercent decimal.Decimal) Impact {
	im := Impact{Change: c, Holding: h, Reaches: reaches(c.Effective, h)}
	if c.Kind == ChangeRetired {
		im.Note = "the offer is retired: the customer must move to another before the renewal"
		if im.Reaches.IsZero() {
			im.Note = "the offer is retired: the customer must move to another before the renewal (its date is unknown)"
		}
		return im
	}
	if im.Reaches.IsZero() {
		im.Note = "the renewal date is unknown, so is the day the new price reaches the subscription"
	}
	if c.New == nil {
		return im
	}
	months := decimal.NewFromInt(int64(max(Months(c.TermDuration), 1)))
	seats := decimal.NewFromInt(int64(h.Seats))
	newMonthly := c.New.Div(months)
	oldMonthly := newMonthly
	if c.Old != nil {
		oldMonthly = c.Old.Div(months)
	}
	delta := newMonthly.Sub(oldMonthly)
	im.CostChange = money.Of(delta.Mul(seats))
	switch {
	case h.MarkupPercent != nil:
		factor := decimal.NewFromInt(1).Add(h.MarkupPercent.Div(decimal.NewFromInt(100)))
		im.CustomerChange = money.Of(delta.Mul(factor).Mul(seats))
	case h.FixedPrice != nil:
		margin := h.FixedPrice.Sub(newMonthly)
		im.Margin = money.Of(margin)
		if !h.FixedPrice.IsZero() {
			pct := margin.Div(*h.FixedPrice).Mul(decimal.NewFromInt(100)).Round(2)
			im.MarginPercent = &pct
			im.BelowFloor = pct.LessThan(floorPercent)
		}
		im.BelowFloor = im.BelowFloor || margin.IsNegative()
	}
	return im
}

// reaches is the first day a holding pays a price effective from a day: a term is
// locked, so the first renewal on or after it; a subscription bought on or after it
// pays it from its purchase; a term that began on or after it pays it, and so did
// the earlier terms that began on or after it, back to the first.
func reaches(effective time.Time, h Holding) time.Time {
	day := effective.UTC().Truncate(24 * time.Hour)
	n := max(Months(h.Term), 1)
	if created := h.Created.UTC().Truncate(24 * time.Hour); !h.Created.IsZero() && !created.Before(day) {
		return created
	}
	// Terms step on the purchase's day of the month: bought on the 31st, renewing
	// February 28, then March 31.
	onDay := func(t time.Time) int {
		if h.Created.IsZero() {
			return t.Day()
		}
		return terms.RenewalDay(h.Created, t)
	}
	if !h.TermStart.IsZero() && !h.TermStart.Before(day) {
		first, d := h.TermStart, onDay(h.TermStart)
		for k := 1; !h.Created.IsZero(); k++ {
			prev := terms.AddMonthsOnDay(h.TermStart, -k*n, d)
			if prev.Before(day) {
				break
			}
			first = prev
		}
		return first
	}
	if h.Renewal.IsZero() {
		return time.Time{}
	}
	r, d := h.Renewal, onDay(h.Renewal)
	for k := 1; r.Before(day); k++ {
		r = terms.AddMonthsOnDay(h.Renewal, k*n, d)
	}
	return r
}

// Locked is the price a holding pays under New Commerce's price lock: the row of its
// offer, term, billing plan, market, currency and segment, for its number of seats,
// in force on the first day of its current term (at when that is unknown).
func Locked(prices []Price, h Holding, at time.Time) (Price, bool) {
	if !h.TermStart.IsZero() {
		at = h.TermStart
	}
	for _, p := range prices {
		if sameOffer(p.Key, h) == offerSame && p.InForce(at) &&
			(p.TierMin == 0 || h.Seats >= p.TierMin) && (p.TierMax == 0 || h.Seats <= p.TierMax) {
			return p, true
		}
	}
	return Price{}, false
}
