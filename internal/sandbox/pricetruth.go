package sandbox

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Impact truth kinds: a price up or down, an offer retired, and a customer whose
// market has no price list.
const (
	ImpactUp      = "up"
	ImpactDown    = "down"
	ImpactRetired = "retired"
	ImpactNoList  = "no-list"
)

// ImpactTruth is what a price change between two of the world's published months
// does to one subscription the partner sold, as a correct impact report must state it.
// Amounts are in the customer's currency, rounded once, half-up, to the cent.
type ImpactTruth struct {
	TenantID string `json:"tenantId"`
	Customer string `json:"customer"` // external reference
	Market   string `json:"market"`
	Currency string `json:"currency"`
	// SubscriptionID is Graph's subscription id; PartNumber its SKU.
	SubscriptionID string `json:"subscriptionId"`
	PartNumber     string `json:"skuPartNumber"`
	// ProductSKU is Partner Center's ProductId:SkuId of the offer.
	ProductSKU  string `json:"productSku"`
	Term        string `json:"term"`        // P1M, P1Y, P3Y
	BillingPlan string `json:"billingPlan"` // monthly, annual, triennial
	Seats       int    `json:"seats"`
	Kind        string `json:"kind"`
	// Effective is the first day of the month whose list changes the price (zero for
	// ImpactNoList); Reaches the first day the subscription pays the new price, or by
	// which it must move off a retired offer: its purchase when it was bought on or
	// after Effective, else its first renewal (past or coming) on or after Effective.
	Effective time.Time `json:"effective"`
	Reaches   time.Time `json:"reaches"`
	// OldPrice and NewPrice are the term prices of one seat (UnitPrice).
	OldPrice *decimal.Decimal `json:"oldPrice,omitempty"`
	NewPrice *decimal.Decimal `json:"newPrice,omitempty"`
	// CostChange is the change in the partner's cost a month for all the seats.
	CostChange *decimal.Decimal `json:"costChange,omitempty"`
	// CustomerChange is the change in the customer's price a month, for all the seats,
	// on a contract line priced at cost plus markup.
	CustomerChange *decimal.Decimal `json:"customerChange,omitempty"`
	// Margin is what one seat leaves the partner a month at the new price, on a
	// fixed-price line; MarginPercent its share of the contract price (two
	// decimals); BelowFloor is set when that share is under the floor or the margin
	// negative.
	Margin        *decimal.Decimal `json:"margin,omitempty"`
	MarginPercent *decimal.Decimal `json:"marginPercent,omitempty"`
	BelowFloor    bool             `json:"belowFloor,omitempty"`
}

// listedKey identifies a price in the world's lists.
type listedKey struct {
	productSKU, term, plan, market, currency, segment string
	tierMin                                           int
}

func keyOf(r sheetRow) listedKey {
	return listedKey{r.productSKU(), r.Term, strings.ToLower(r.Plan), r.Market, r.Currency, strings.ToLower(r.Segment), r.TierMin}
}

// listChange is one change between consecutive months of a market's list.
type listChange struct {
	key       listedKey
	kind      string
	old, new  *decimal.Decimal
	tierMax   int
	effective time.Time
}

// listChanges compares each market's consecutive published months.
func (w *World) listChanges() []listChange {
	months := w.PriceSheetMonths()
	var out []listChange
	for _, market := range PriceSheetMarkets {
		for k := 1; k < len(months); k++ {
			before := map[listedKey]sheetRow{}
			for _, r := range w.sheetRows(market, months[k-1]) {
				before[keyOf(r)] = r
			}
			after := map[listedKey]bool{}
			for _, r := range w.sheetRows(market, months[k]) {
				key := keyOf(r)
				after[key] = true
				o, ok := before[key]
				switch {
				case !ok:
					n := r.Unit
					out = append(out, listChange{key: key, kind: "added", new: &n, tierMax: r.TierMax, effective: months[k]})
				case !o.Unit.Equal(r.Unit):
					old, n := o.Unit, r.Unit
					kind := ImpactUp
					if n.LessThan(old) {
						kind = ImpactDown
					}
					out = append(out, listChange{key: key, kind: kind, old: &old, new: &n, tierMax: r.TierMax, effective: months[k]})
				}
			}
			for key, o := range before {
				if !after[key] {
					old := o.Unit
					out = append(out, listChange{key: key, kind: ImpactRetired, old: &old, tierMax: o.TierMax, effective: months[k]})
				}
			}
		}
	}
	return out
}

// soldSubscription is a subscription the partner bills: sold by it, paid, running.
type soldSubscription struct {
	tenant   *Tenant
	customer string
	market   string
	currency string
	sub      *Subscription
	line     *ContractLine
}

func (w *World) soldSubscriptions() []soldSubscription {
	custs := w.Customers()
	lines := w.Contracts()
	var out []soldSubscription
	for i, t := range w.Tenants {
		for _, s := range t.Subscriptions {
			if s.OwnerTenantID != PartnerTenantID || s.Trial || s.Status != "Enabled" {
				continue
			}
			ss := soldSubscription{tenant: t, customer: custs[i].ExternalRef, market: custs[i].Market, currency: custs[i].Currency, sub: s}
			for j := range lines {
				if l := &lines[j]; l.TenantID == t.ID && l.SKU == s.PartNumber && l.Term == s.Term {
					ss.line = l
				}
			}
			out = append(out, ss)
		}
	}
	return out
}

// PriceImpactTruth is every subscription a change between consecutive months of the
// world's price lists reaches, computed from the world's own subscriptions, contracts
// and lists: per price up or down, the partner's monthly cost change for all seats
// (term prices over the term's months), the customer's under a cost-plus line, the
// margin of a fixed-price line against floorPercent; per retired offer, the date the
// customer must move by; and one line per subscription of a customer whose market
// the world publishes no list for, when a change in another market touches its
// offer, term and billing plan (nothing is guessed for it).
//
// A subscription whose term ends before a change and that does not renew (auto-renew
// off) is not reached. An added offer reaches no one: nobody holds it yet. Sorted by
// the day it lands (no-list lines last), then customer, SKU and subscription.
func (w *World) PriceImpactTruth(floorPercent decimal.Decimal) []ImpactTruth {
	changes := w.listChanges()
	hundred := decimal.NewFromInt(100)
	var out []ImpactTruth
	for _, ss := range w.soldSubscriptions() {
		s := ss.sub
		base := ImpactTruth{TenantID: ss.tenant.ID, Customer: ss.customer, Market: ss.market, Currency: ss.currency, SubscriptionID: s.ID,
			PartNumber: s.PartNumber, ProductSKU: ProductSKU(s.SKUID), Term: s.Term, BillingPlan: s.billingCycle(), Seats: s.Seats}
		if !slices.Contains(PriceSheetMarkets, ss.market) {
			if slices.ContainsFunc(changes, func(c listChange) bool {
				return c.kind != "added" && c.key.productSKU == base.ProductSKU && c.key.term == s.Term && c.key.plan == base.BillingPlan && c.key.segment == "commercial"
			}) {
				base.Kind = ImpactNoList
				out = append(out, base)
			}
			continue
		}
		for _, c := range changes {
			k := c.key
			if c.kind == "added" || k.productSKU != base.ProductSKU || k.term != s.Term || k.plan != base.BillingPlan || k.market != ss.market ||
				k.currency != ss.currency || k.segment != "commercial" || s.Seats < k.tierMin || c.tierMax > 0 && s.Seats > c.tierMax {
				continue
			}
			reaches, ok := reachDay(s, c.effective)
			if !ok {
				continue
			}
			im := base
			im.Kind, im.Effective, im.Reaches, im.OldPrice, im.NewPrice = c.kind, c.effective, reaches, c.old, c.new
			if c.kind != ImpactRetired {
				months := decimal.NewFromInt(int64(termMonths(s.Term)))
				delta := c.new.Div(months).Sub(c.old.Div(months))
				seats := decimal.NewFromInt(int64(s.Seats))
				im.CostChange = cents(delta.Mul(seats))
				if l := ss.line; l != nil && l.Markup != "" {
					factor := decimal.NewFromInt(1).Add(decimal.RequireFromString(l.Markup).Div(hundred))
					im.CustomerChange = cents(delta.Mul(factor).Mul(seats))
				}
				if l := ss.line; l != nil && l.UnitPrice != "" {
					fixed := decimal.RequireFromString(l.UnitPrice)
					margin := fixed.Sub(c.new.Div(months))
					pct := margin.Div(fixed).Mul(hundred).Round(2)
					im.Margin, im.MarginPercent = cents(margin), &pct
					im.BelowFloor = pct.LessThan(floorPercent) || margin.IsNegative()
				}
			}
			out = append(out, im)
		}
	}
	slices.SortStableFunc(out, func(a, b ImpactTruth) int {
		az, bz := a.Reaches.IsZero(), b.Reaches.IsZero()
		if az != bz {
			if az {
				return 1
			}
			return -1
		}
		return cmp.Or(a.Reaches.Compare(b.Reaches), cmp.Compare(a.Customer, b.Customer), cmp.Compare(a.PartNumber, b.PartNumber),
			cmp.Compare(a.SubscriptionID, b.SubscriptionID), a.Effective.Compare(b.Effective))
	})
	return out
}

func cents(d decimal.Decimal) *decimal.Decimal {
	r := d.Round(2)
	return &r
}

func termMonths(term string) int {
	switch term {
	case "P1M":
		return 1
	case "P3Y":
		return 36
	}
	return 12
}

// reachDay is the first day a subscription pays a price effective from a day: its
// purchase when it was bought on or after the day; else its first renewal on or
// after the day, renewals falling every term from the current one on the purchase's
// day of the month (the month's last day when it has fewer), past ones included. ok
// is false when that renewal is still to come and the subscription does not renew.
func reachDay(s *Subscription, effective time.Time) (time.Time, bool) {
	created := dayOf(s.Created)
	if !created.Before(effective) {
		return created, true
	}
	n, day := termMonths(s.Term), s.Created.Day()
	renewal := dayOf(s.NextLifecycle)
	k := 0
	for addMonthsOnDay(renewal, k*n, day).Before(effective) {
		k++
	}
	for k > -1000 && !addMonthsOnDay(renewal, (k-1)*n, day).Before(effective) {
		k--
	}
	r := addMonthsOnDay(renewal, k*n, day)
	if s.AutoRenewOff && r.After(dayOf(s.termStart())) {
		return time.Time{}, false
	}
	return r, true
}

func dayOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// addMonthsOnDay moves a day n months on, to the given day of that month or the
// month's last day when it has fewer.
func addMonthsOnDay(t time.Time, n, day int) time.Time {
	first := time.Date(t.Year(), t.Month()+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return first.AddDate(0, 0, min(day, last)-1)
}
