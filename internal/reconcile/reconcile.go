// Package reconcile compares, per customer and SKU, three counts that should agree:
// the seats assigned in the tenant, the seats in its subscriptions (the partner's,
// another partner's, bought direct) and the seats the contract bills. Each
// disagreement is classified with its reason and, where the contract prices it, the
// money per month. Pure: values in, rows out.
package reconcile

import (
	"fmt"
	"sort"
	"time"

	"github.com/shopspring/decimal"

	"github.com/seatledger/seatledger/internal/catalog"
	"github.com/seatledger/seatledger/internal/contracts"
	"github.com/seatledger/seatledger/internal/i18n"
	"github.com/seatledger/seatledger/internal/inventory"
	"github.com/seatledger/seatledger/internal/money"
	"github.com/seatledger/seatledger/internal/pools"
	"github.com/seatledger/seatledger/internal/terms"
)

// Kinds of mismatch.
const (
	UnderBilled    = "under-billed"
	OverBilled     = "over-billed"
	Unassigned     = "unassigned"
	NoContractLine = "no-contract-line"
	NoSubscription = "no-subscription"
	OtherPartner   = "other-partner"
	Direct         = "direct"
	// UnknownSubscription: pool seats no subscription on record explains.
	UnknownSubscription = "unknown-subscription"
	// NoPool: users hold a SKU that no licence pool of the tenant lists.
	NoPool = "no-pool"
	// OverAssignedSeats: users hold more seats than the tenant has.
	OverAssignedSeats = "over-assigned"
	// PurchaseDiffers: Partner Center's quantity is not what Graph's subscriptions hold.
	PurchaseDiffers = "purchase-differs"
	// NotInTenant: Partner Center lists a subscription Graph's do not show.
	NotInTenant = "not-in-tenant"
	// TermDiffers: Microsoft's term or billing cycle is not the contract line's.
	TermDiffers = "term-differs"
	// IndirectReseller: the seats are sold through an indirect reseller.
	IndirectReseller = "indirect-reseller"
	// LapsedSeats: users hold seats of suspended or locked-out subscriptions.
	LapsedSeats = "lapsed"
)

// UnlinkedPartner is a Partner Center subscription that matched no Graph
// subscription, with the Graph SKU its offer provisions.
type UnlinkedPartner struct {
	SKUID        string
	PartNumber   string
	Subscription inventory.PartnerSubscription
}

// Mismatch is one disagreement on one SKU.
type Mismatch struct {
	Kind   string `json:"kind"`
	Seats  int    `json:"seats"`
	Reason string `json:"reason"`
	// Monthly is the money concerned per month, from the contract's unit price; nil
	// when the contract does not fix one (MoneyNote says why).
	Monthly   *money.Amount `json:"monthly,omitempty"`
	MoneyNote string        `json:"moneyNote,omitempty"`
}

// Row is one customer SKU.
type Row struct {
	TenantID          string `json:"tenantId"`
	Customer          string `json:"customer"`
	Currency          string `json:"currency"`
	SKUID             string `json:"skuId"`
	PartNumber        string `json:"skuPartNumber"`
	Assigned          int    `json:"assigned"`
	PartnerSeats      int    `json:"partnerSeats"`
	OtherPartnerSeats int    `json:"otherPartnerSeats"`
	DirectSeats       int    `json:"directSeats"`
	TrialSeats        int    `json:"trialSeats"`
	// GraceSeats are seats of expired subscriptions in their grace period: usable,
	// no longer billed.
	GraceSeats int `json:"graceSeats"`
	// UnknownSeats are pool seats that no subscription on record explains.
	UnknownSeats int `json:"unknownSeats"`
	// Capacity marks tenant-level capacity (storage), which is never seats.
	Capacity bool `json:"capacity,omitempty"`
	// PurchasedSeats is what Partner Center says the partner bought (active New
	// Commerce subscriptions); PartnerCenter is false when it said nothing.
	PurchasedSeats int        `json:"purchasedSeats"`
	PartnerCenter  bool       `json:"partnerCenter"`
	ContractSeats  int        `json:"contractSeats"`
	AsAssigned     bool       `json:"asAssigned"`
	ContractLines  int        `json:"contractLines"`
	Mismatches     []Mismatch `json:"mismatches"`

	idle, over, unlisted int
	linkedPurchased      int
	lapsedHeld           int
}

// Input is one customer tenant.
type Input struct {
	TenantID      string
	Customer      string
	Currency      string
	Now           time.Time
	Pools         []inventory.Pool
	Subscriptions []terms.Subscription
	Contract      []contracts.Line
	Catalog       *catalog.Catalog
	// HeldWithoutPool counts, per SKU, users holding a SKU no pool lists.
	HeldWithoutPool map[string]int
	// UnlinkedPartner are Partner Center subscriptions no Graph subscription matched.
	UnlinkedPartner []UnlinkedPartner
}

// Reconcile builds one row per SKU found in the tenant's paid pools, its
// subscriptions or its contract, in part-number order.
func Reconcile(in Input) []Row {
	rows := map[string]*Row{}
	row := func(skuID, part string) *Row {
		r := rows[skuID]
		if r == nil {
			r = &Row{TenantID: in.TenantID, Customer: in.Customer, Currency: in.Currency, SKUID: skuID, PartNumber: part, Mismatches: []Mismatch{}}
			rows[skuID] = r
		}
		return r
	}
	free := func(skuID string) bool {
		s, ok := in.Catalog.ByID(skuID)
		return ok && s.Free
	}
	// The same seat account the advice reads, so that both say the same of a pool.
	for _, acc := range pools.Of(in.Pools, in.Subscriptions, in.HeldWithoutPool) {
		if free(acc.SKUID) {
			continue
		}
		part := acc.PartNumber
		if s, ok := in.Catalog.ByID(acc.SKUID); part == "" && ok {
			part = s.PartNumber
		}
		r := row(acc.SKUID, part)
		r.Capacity = acc.Capacity
		if !acc.Capacity {
			r.Assigned = acc.Assigned
		}
		r.PartnerSeats, r.OtherPartnerSeats, r.DirectSeats = acc.Partner, acc.OtherPartner, acc.Direct
		r.TrialSeats, r.GraceSeats, r.UnknownSeats = acc.Trial, acc.Grace, acc.Unknown
		r.idle, r.over, r.unlisted = acc.Idle(), acc.OverAssigned(), in.HeldWithoutPool[acc.SKUID]
		r.lapsedHeld = min(acc.Lapsed, max(0, acc.Assigned-acc.Usable()))
	}
	var notes []partnerNote
	for _, s := range in.Subscriptions {
		if s.Partner == nil || free(s.SKUID) {
			continue
		}
		notes = append(notes, partnerNote{row(s.SKUID, s.PartNumber), s.Partner.Subscription, s.Line, true})
	}
	for _, u := range in.UnlinkedPartner {
		if !u.Subscription.NCE() || free(u.SKUID) {
			continue
		}
		r := row(u.SKUID, u.PartNumber)
		notes = append(notes, partnerNote{r, u.Subscription, nil, false})
		if u.Subscription.Status == "active" && !u.Subscription.IsTrial {
			r.Mismatches = append(r.Mismatches, Mismatch{Kind: NotInTenant, Seats: u.Subscription.Quantity,
				Reason:    fmt.Sprintf("Partner Center lists subscription %s of %s, which no subscription of the tenant in Graph matches", shortID(u.Subscription.ID), i18n.N(u.Subscription.Quantity, "seat")),
				MoneyNote: "unknown: not priced until price lists are imported"})
		}
	}
	for _, n := range notes {
		n.row.PartnerCenter = true
		// Trials are bought by nobody: Graph's paid seats leave them out too.
		if n.sub.Status == "active" && !n.sub.IsTrial {
			n.row.PurchasedSeats += n.sub.Quantity
			if n.linked {
				n.row.linkedPurchased += n.sub.Quantity
			}
		}
	}
	lines := map[string][]contracts.Line{}
	for _, l := range in.Contract {
		if !l.ActiveOn(in.Now) {
			continue
		}
		r := row(l.SKUID, l.PartNumber)
		r.ContractLines++
		r.AsAssigned = r.AsAssigned || l.AsAssigned()
		// Purchased as the contract's as-purchased quantity reads it: Partner Center's
		// quantity, else Graph's paid seats of the partner.
		purchased := r.PartnerSeats
		if r.PartnerCenter {
			purchased = r.PurchasedSeats
		}
		r.ContractSeats += l.BilledSeats(r.Assigned, purchased)
		lines[l.SKUID] = append(lines[l.SKUID], l)
	}
	for _, n := range notes {
		n.check()
	}
	out := make([]Row, 0, len(rows))
	for _, r := range rows {
		unit, note := priceOf(r.PartNumber, lines[r.SKUID])
		classify(r, unit, note)
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].PartNumber < out[j].PartNumber })
	return out
}

// priceOf is the one unit price a SKU's contract lines agree on, or why there is none.
func priceOf(part string, lines []contracts.Line) (*decimal.Decimal, string) {
	if len(lines) == 0 {
		return nil, "unknown: no contract line prices " + part
	}
	var unit *decimal.Decimal
	for _, l := range lines {
		switch {
		case l.UnitPrice == nil:
			return nil, "unknown: " + l.MarkupNote()
		case unit != nil && !unit.Equal(*l.UnitPrice):
			return nil, "unknown: the contract lines of " + part + " differ in price"
		}
		unit = l.UnitPrice
	}
	return unit, ""
}

// units names what a row counts: seats, or units of tenant-level capacity.
func (r *Row) units() string {
	if r.Capacity {
		return "units of capacity"
	}
	return "seats"
}

func classify(r *Row, unit *decimal.Decimal, note string) {
	// priced is how many of the seats the contract's price applies to: the partner's.
	addPriced := func(kind string, seats, priced int, reason string) {
		if seats <= 0 {
			return
		}
		m := Mismatch{Kind: kind, Seats: seats, Reason: reason}
		switch {
		case priced == 0:
			if kind != OtherPartner && kind != Direct {
				m.MoneyNote = "unknown: the seats are held with another partner or bought direct"
			}
		case unit != nil:
			m.Monthly = money.Of(unit.Mul(decimal.NewFromInt(int64(priced))))
			if priced < seats {
				m.MoneyNote = fmt.Sprintf("at least: %d of the seats are held with another partner or bought direct, at a price not known", seats-priced)
			}
		default:
			m.MoneyNote = note
		}
		r.Mismatches = append(r.Mismatches, m)
	}
	add := func(kind string, seats int, reason string) { addPriced(kind, seats, seats, reason) }
	switch {
	case r.PartnerSeats > 0 && r.ContractLines == 0:
		add(NoContractLine, r.PartnerSeats, fmt.Sprintf("the partner buys %d %s that no contract line bills", r.PartnerSeats, r.units()))
	case r.ContractLines > 0 && r.PartnerSeats == 0:
		add(NoSubscription, r.ContractSeats, fmt.Sprintf("the contract bills %d %s the partner does not buy", r.ContractSeats, r.units()))
	case r.PartnerSeats > r.ContractSeats:
		add(UnderBilled, r.PartnerSeats-r.ContractSeats, fmt.Sprintf("the partner pays Microsoft for %d %s, the contract bills %d", r.PartnerSeats, r.units(), r.ContractSeats))
	case r.ContractSeats > r.PartnerSeats:
		add(OverBilled, r.ContractSeats-r.PartnerSeats, fmt.Sprintf("the contract bills %d %s, the partner's subscriptions hold %d", r.ContractSeats, r.units(), r.PartnerSeats))
	}
	if r.idle > 0 {
		paid := r.PartnerSeats + r.OtherPartnerSeats + r.DirectSeats + r.UnknownSeats
		addPriced(Unassigned, r.idle, min(r.idle, r.PartnerSeats), fmt.Sprintf("%d paid seats, %d assigned", paid, r.Assigned))
	}
	if r.over > 0 {
		r.Mismatches = append(r.Mismatches, Mismatch{Kind: OverAssignedSeats, Seats: r.over,
			Reason: fmt.Sprintf("%s hold it, %d more than the seats the tenant has", i18n.N(r.Assigned, "user"), r.over), MoneyNote: "none: seats to buy or take back"})
	}
	if r.lapsedHeld > 0 {
		r.Mismatches = append(r.Mismatches, Mismatch{Kind: LapsedSeats, Seats: r.lapsedHeld,
			Reason:    fmt.Sprintf("%s hold seats of a suspended or locked-out subscription, without service", i18n.N(r.lapsedHeld, "user")),
			MoneyNote: "none: a suspended subscription is not billed"})
	}
	if r.UnknownSeats > 0 {
		r.Mismatches = append(r.Mismatches, Mismatch{Kind: UnknownSubscription, Seats: r.UnknownSeats,
			Reason:    fmt.Sprintf("%s in the pool belong to no subscription Graph listed: who sells them is unknown", i18n.N(r.UnknownSeats, "seat")),
			MoneyNote: "unknown: the seller is unknown"})
	}
	if r.unlisted > 0 {
		r.Mismatches = append(r.Mismatches, Mismatch{Kind: NoPool, Seats: r.unlisted,
			Reason: fmt.Sprintf("%s hold %s, which no licence pool of the tenant lists", i18n.N(r.unlisted, "user"), r.PartNumber), MoneyNote: "unknown: no seats on record"})
	}
	if r.PartnerCenter && r.linkedPurchased != r.PartnerSeats {
		r.Mismatches = append(r.Mismatches, Mismatch{Kind: PurchaseDiffers, Seats: r.linkedPurchased - r.PartnerSeats,
			Reason:    fmt.Sprintf("Partner Center says the partner bought %d seats of the subscriptions Graph shows, which hold %d there", r.linkedPurchased, r.PartnerSeats),
			MoneyNote: "unknown: which count is billed is for Microsoft's invoice to tell"})
	}
	addPriced(OtherPartner, r.OtherPartnerSeats, 0, fmt.Sprintf("%s bought through another partner", i18n.N(r.OtherPartnerSeats, "seat")))
	addPriced(Direct, r.DirectSeats, 0, fmt.Sprintf("%s bought from Microsoft directly", i18n.N(r.DirectSeats, "seat")))
}

// partnerNote is a Partner Center subscription of a row, with the contract line
// that covers it.
type partnerNote struct {
	row    *Row
	sub    inventory.PartnerSubscription
	line   *contracts.Line
	linked bool
}

// check adds what Partner Center tells beyond the seat counts: a term or billing
// cycle other than the contract's, and seats sold through an indirect reseller.
func (n partnerNote) check() {
	r, s := n.row, n.sub
	if s.Status != "active" || s.IsTrial {
		return
	}
	if l := n.line; l != nil && (s.TermDuration != "" && s.TermDuration != l.Term || cycles[s.BillingCycle] && s.BillingCycle != l.BillingPlan) {
		r.Mismatches = append(r.Mismatches, Mismatch{Kind: TermDiffers, Seats: s.Quantity,
			Reason:    fmt.Sprintf("Microsoft's subscription %s is %s billed %s, the contract line %s billed %s", shortID(s.ID), s.TermDuration, s.BillingCycle, l.Term, l.BillingPlan),
			MoneyNote: "unknown: the price of the other term is not known until price lists are imported"})
	}
	if s.ResellerID != "" {
		r.Mismatches = append(r.Mismatches, Mismatch{Kind: IndirectReseller, Seats: s.Quantity,
			Reason: fmt.Sprintf("subscription %s is sold through the indirect reseller %s", shortID(s.ID), s.ResellerID)})
	}
}

// cycles are the billing cycles a contract line's billing plan can name.
var cycles = map[string]bool{"monthly": true, "annual": true, "triennial": true}

func shortID(id string) string { return id[:min(8, len(id))] }
