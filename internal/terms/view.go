package terms

import (
	"time"

	"github.com/seatledger/seatledger/internal/contracts"
	"github.com/seatledger/seatledger/internal/inventory"
)

// Subscription is a directory subscription with what the partner knows of it: who
// owns it, the contract line that covers it, its term and its reduction windows.
type Subscription struct {
	inventory.Subscription
	Owner     string          `json:"owner"`
	Line      *contracts.Line `json:"contractLine,omitempty"`
	Term      Term            `json:"term"`
	Reduction Reduction       `json:"reduction"`
}

// Paid tells whether the partner or the customer pays for the subscription's seats:
// trials and subscriptions that no longer run cost nothing.
func (s Subscription) Paid() bool {
	return !s.IsTrial && (s.Status == "Enabled" || s.Status == "Warning")
}

// Resolve builds the view of a tenant's subscriptions on day now. seatAdditions holds,
// per subscription id, when and by how much its seat count went up.
func Resolve(tenantID, partnerTenantID string, subs []inventory.Subscription, lines []contracts.Line,
	seatAdditions map[string][]SeatAddition, now time.Time) []Subscription {
	out := make([]Subscription, len(subs))
	for i, s := range subs {
		v := Subscription{Subscription: s, Owner: OwnerOf(s.OwnerTenantID, tenantID, partnerTenantID)}
		inferred := Infer(s.Created, s.NextLifecycle)
		if v.Owner == OwnerPartner {
			// A month between purchase and renewal is a monthly term whatever the
			// contract says; longer spans can be a monthly term renewed many times.
			if l, ok := contracts.For(lines, s.SKUID, inferred, now); ok && (inferred != Monthly || l.Term == Monthly) {
				v.Line = &l
			}
		}
		length := ""
		if v.Line != nil && !s.IsTrial {
			length = v.Line.Term
		}
		v.Term = Of(s.Created, s.NextLifecycle, length, now)
		v.Reduction = ReductionAt(v.Term, s.Created, seatAdditions[s.ID], now)
		out[i] = v
	}
	return out
}
