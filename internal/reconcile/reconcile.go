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
)

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
	Capacity      bool       `json:"capacity,omitempty"`
	ContractSeats int        `json:"contractSeats"`
	AsAssigned    bool       `json:"asAssigned"`
	ContractLines int        `json:"contractLines"`
	Mismatches    []Mismatch `json:"mismatches"`

	idle, over, unlisted int
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
	}
	lines := map[string][]contracts.Line{}
	for _, l := range in.Contract {
		if !l.ActiveOn(in.Now) {
			continue
		}
		r := row(l.SKUID, l.PartNumber)
		r.ContractLines++
		r.AsAssigned = r.AsAssigned || l.AsAssigned()
		r.ContractSeats += l.BilledSeats(r.Assigned)
		lines[l.SKUID] = append(lines[l.SKUID], l)
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
			Reason: fmt.Sprintf("%d users hold it, %d more than the seats the tenant has", r.Assigned, r.over), MoneyNote: "none: seats to buy or take back"})
	}
	if r.UnknownSeats > 0 {
		r.Mismatches = append(r.Mismatches, Mismatch{Kind: UnknownSubscription, Seats: r.UnknownSeats,
			Reason:    fmt.Sprintf("%d seats in the pool belong to no subscription Graph listed: who sells them is unknown", r.UnknownSeats),
			MoneyNote: "unknown: the seller is unknown"})
	}
	if r.unlisted > 0 {
		r.Mismatches = append(r.Mismatches, Mismatch{Kind: NoPool, Seats: r.unlisted,
			Reason: fmt.Sprintf("%d users hold %s, which no licence pool of the tenant lists", r.unlisted, r.PartNumber), MoneyNote: "unknown: no seats on record"})
	}
	addPriced(OtherPartner, r.OtherPartnerSeats, 0, fmt.Sprintf("%d seats are bought through another partner", r.OtherPartnerSeats))
	addPriced(Direct, r.DirectSeats, 0, fmt.Sprintf("%d seats are bought from Microsoft directly", r.DirectSeats))
}
