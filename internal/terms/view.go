package terms

import (
	"time"

	"github.com/seatledger/seatledger/internal/contracts"
	"github.com/seatledger/seatledger/internal/inventory"
)

// Subscription states as Graph reports them (directory/subscriptions.status).
const (
	StatusEnabled   = "Enabled"
	StatusWarning   = "Warning"   // expired or cancelled, in its grace period: users keep service until NextLifecycle
	StatusSuspended = "Suspended" // past grace: users have lost service, data is kept until NextLifecycle
	StatusLockedOut = "LockedOut" // disabled by Microsoft (payment, policy): users have lost service
	StatusDeleted   = "Deleted"
)

// Subscription is a directory subscription with what the partner knows of it: who
// owns it, the contract line that covers it, its term and its reduction windows.
type Subscription struct {
	inventory.Subscription
	Owner     string          `json:"owner"`
	Line      *contracts.Line `json:"contractLine,omitempty"`
	Term      Term            `json:"term"`
	Reduction Reduction       `json:"reduction"`
	// Partner is the Partner Center subscription linked to this one, when there is
	// one: its term, auto-renew and refund window are the truth.
	Partner *PartnerLink `json:"partnerCenter,omitempty"`
}

// AutoRenewOff tells whether Partner Center says the subscription will not renew.
func (s Subscription) AutoRenewOff() bool {
	return s.Partner != nil && !s.Partner.Subscription.AutoRenew && !s.Partner.Subscription.IsTrial
}

// Paid tells whether the subscription's seats are running and billed: a trial costs
// nothing, and a subscription in grace, suspended or locked out is no longer
// charged (it expired or was cancelled) and will not renew.
func (s Subscription) Paid() bool { return !s.IsTrial && s.Status == StatusEnabled }

// RunningTrial tells whether the subscription is a trial still running.
func (s Subscription) RunningTrial() bool { return s.IsTrial && s.Status == StatusEnabled }

// InGrace tells whether the subscription has expired and its users keep service
// only until NextLifecycle, when it is suspended.
func (s Subscription) InGrace() bool { return s.Status == StatusWarning }

// Lapsed tells whether the subscription's users have lost service (suspended or
// locked out) while its data is still kept.
func (s Subscription) Lapsed() bool {
	return s.Status == StatusSuspended || s.Status == StatusLockedOut
}

// Resolve builds the view of a tenant's subscriptions on day now. seatAdditions holds,
// per subscription id, when and by how much its seat count went up.
//
// The commitment term (from Graph's dates) decides reduction windows and renewals;
// the contract line decides billing, and lends its term only when the dates cannot
// tell. A subscription that is not running has no renewal: its next lifecycle date
// is when it is suspended or deleted.
func Resolve(tenantID, partnerTenantID string, subs []inventory.Subscription, lines []contracts.Line,
	seatAdditions map[string][]SeatAddition, now time.Time) []Subscription {
	return ResolveLinked(tenantID, partnerTenantID, subs, lines, seatAdditions, nil, now)
}

// ResolveLinked is Resolve with the Partner Center subscriptions linked to Graph's
// (by Graph subscription id): where one is linked, its term, renewal, auto-renew and
// refund window replace what Graph's dates and the contract suggest.
func ResolveLinked(tenantID, partnerTenantID string, subs []inventory.Subscription, lines []contracts.Line,
	seatAdditions map[string][]SeatAddition, partner map[string]PartnerLink, now time.Time) []Subscription {
	out := make([]Subscription, len(subs))
	for i, s := range subs {
		v := Subscription{Subscription: s, Owner: OwnerOf(s.OwnerTenantID, tenantID, partnerTenantID)}
		inferred := Infer(s.Created, s.NextLifecycle, now)
		if v.Owner == OwnerPartner {
			if l, ok := contracts.For(lines, s.SKUID, inferred, now); ok {
				v.Line = &l
			}
		}
		if link, ok := partner[s.ID]; ok {
			v.Partner = &link
			if v.Owner == OwnerPartner {
				if l, ok := contracts.For(lines, s.SKUID, link.Subscription.TermDuration, now); ok {
					v.Line = &l
				}
			}
			if s.Status == StatusEnabled {
				v.Term = partnerTerm(s.Created, link.Subscription, now)
				v.Reduction = partnerReduction(v.Term, link.Subscription, now)
			} else {
				v.Term = Term{Length: link.Subscription.TermDuration, Source: SourcePartnerCenter}
			}
			out[i] = v
			continue
		}
		length, source := inferred, SourceGraph
		if length == "" && v.Line != nil && !s.IsTrial {
			length, source = v.Line.Term, SourceContract
		}
		if s.IsTrial {
			out[i] = v // a trial has no term: its next lifecycle date is when it ends
			continue
		}
		if s.Status != StatusEnabled {
			v.Term = Term{Length: length, Source: source}
			if length == "" {
				v.Term.Source = ""
			}
			out[i] = v
			continue
		}
		v.Term = Of(s.Created, s.NextLifecycle, length, source, now)
		v.Reduction = ReductionAt(v.Term, s.Created, seatAdditions[s.ID], now)
		out[i] = v
	}
	return out
}
