package sandbox

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/seatledger/seatledger/internal/catalog"
)

// Expected lists, per tenant, what advice and reconciliation must report today with
// default thresholds and the sandbox contracts: "kind SKU subject" for findings,
// "kind SKU seats" for mismatches. It is worked out from the world's own records,
// independently of the code it checks.
type Expected struct {
	TenantID   string   `json:"tenantId"`
	Findings   []string `json:"findings"`
	Mismatches []string `json:"mismatches"`
	// Unassigned says, per SKU with idle seats, "SKU seats saving act-by": the saving
	// at the contract's price ("unknown" where the contract does not fix one) and the
	// last day the seats can be dealt with.
	Unassigned []string `json:"unassigned"`
}

// Expect works out what should be found in every tenant.
func (w *World) Expect() []Expected {
	now := w.Now()
	today := now.Truncate(24 * time.Hour)
	contracts := w.Contracts()
	var out []Expected
	for _, t := range w.Tenants {
		e := Expected{TenantID: t.ID, Findings: []string{}, Mismatches: []string{}, Unassigned: []string{}}
		find := func(kind, sku, subject string) { e.Findings = append(e.Findings, kind+" "+sku+" "+subject) }
		// A SKU the catalogue does not know is taken to cost money, as the advice does.
		paid := func(skuID string) bool { s, ok := w.gen.cat.ByID(skuID); return !ok || !s.Free }
		exchange := func(skuID string) bool { s, ok := w.gen.cat.ByID(skuID); return !ok || s.ExchangeMailbox() }
		paidRunning := func(skuID string) bool {
			return slices.ContainsFunc(t.Subscriptions, func(s *Subscription) bool { return s.SKUID == skuID && !s.Trial && s.Status == "Enabled" })
		}
		part := func(skuID string) string { s, _ := w.gen.cat.ByID(skuID); return s.PartNumber }

		for _, p := range t.Pools() {
			if !paid(p.SKUID) {
				continue
			}
			seats, partner, other, trial, running := 0, 0, 0, 0, 0
			for _, s := range t.Subscriptions {
				if s.SKUID != p.SKUID || s.Status != "Enabled" {
					continue
				}
				running += s.Seats
				if s.Trial {
					trial += s.Seats
					continue
				}
				seats += s.Seats
				if s.OwnerTenantID == PartnerTenantID {
					partner += s.Seats
				} else {
					other += s.Seats
				}
			}
			idle := seats - p.Consumed
			if p.AppliesTo == "Company" {
				idle = 0 // capacity is never seats
			}
			if idle > 0 {
				find("unassigned-seats", p.PartNumber, "")
				e.Unassigned = append(e.Unassigned, fmt.Sprintf("%s %d %s %s", p.PartNumber, idle, expectedSaving(t.ID, p.PartNumber, min(idle, partner), p.Consumed, contracts), w.expectedActBy(t, p.SKUID, idle)))
				left := idle
				for _, ours := range []bool{true, false} {
					for _, s := range t.Subscriptions {
						if s.SKUID != p.SKUID || s.Trial || s.Status != "Enabled" || (s.OwnerTenantID == PartnerTenantID) != ours || left <= 0 {
							continue
						}
						left -= s.Seats
						until := s.NextLifecycle.Sub(today)
						if s.Term != "P1M" && until >= 0 && until <= 30*24*time.Hour && now.Sub(s.NextLifecycle.AddDate(-1, 0, 0)) >= 7*24*time.Hour {
							find("renewal-idle-seats", p.PartNumber, s.ID)
						}
					}
				}
			}
			if held := min(p.Suspended+p.LockedOut, p.Consumed-running-p.Warning); p.AppliesTo != "Company" && held > 0 {
				e.Mismatches = append(e.Mismatches, fmt.Sprintf("lapsed %s %d", p.PartNumber, held))
			}
			if over := p.Consumed - running - p.Warning - p.Suspended - p.LockedOut; p.AppliesTo != "Company" && over > 0 {
				find("over-assigned", p.PartNumber, "")
				e.Mismatches = append(e.Mismatches, fmt.Sprintf("over-assigned %s %d", p.PartNumber, over))
			}
			for _, s := range t.Subscriptions {
				switch {
				case s.SKUID != p.SKUID:
				case s.Trial && s.Status == "Enabled" && s.NextLifecycle.Sub(now) <= 14*24*time.Hour:
					find("trial-ending", p.PartNumber, s.ID)
				case s.Status == "Warning":
					find("subscription-in-grace", p.PartNumber, s.ID)
				case s.Status == "Suspended" || s.Status == "LockedOut":
					find("subscription-lapsed", p.PartNumber, s.ID)
				}
			}
			sku, _ := w.gen.cat.ByID(p.SKUID)
			if _, capped := w.gen.cat.BusinessCap(sku); capped && seats > 300 {
				find("business-cap", p.PartNumber, "")
			}
			e.Mismatches = append(e.Mismatches, expectedMismatches(p.PartNumber, t.ID, p.Consumed, partner, other, contracts)...)
			if p.AppliesTo == "Company" {
				e.Mismatches = slices.DeleteFunc(e.Mismatches, func(m string) bool { return strings.HasPrefix(m, "unassigned "+p.PartNumber+" ") })
			}
		}
		for _, l := range contracts {
			if l.TenantID == t.ID && !slices.ContainsFunc(t.Subscriptions, func(s *Subscription) bool { return s.PartNumber == l.SKU }) {
				e.Mismatches = append(e.Mismatches, fmt.Sprintf("no-subscription %s %d", l.SKU, l.Quantity))
			}
		}

		cutoff := now.AddDate(0, 0, -InactiveDays)
		for _, u := range t.Users {
			var held []string
			for _, l := range u.Licenses {
				if l.Error != "" {
					find("assignment-error", part(l.SKUID), u.UPN)
				}
				if l.Error == "" && paid(l.SKUID) && !slices.Contains(held, l.SKUID) {
					held = append(held, l.SKUID)
				}
			}
			if len(held) == 0 {
				continue
			}
			switch {
			case u.SharedMailbox && !t.ConcealedNames:
				if u.MailboxBytes < 50<<30 && !u.HasArchive {
					find("licensed-shared-mailbox", "", u.UPN)
				}
			case u.SharedMailbox && !t.MailboxSettingsRefused && slices.ContainsFunc(held, exchange):
				// Graph's mailbox settings say it is shared; its size is unknown: for review.
				find("licensed-shared-mailbox", "", u.UPN)
			case !u.Enabled:
				find("disabled-user", "", u.UPN)
			case u.UserType == "Guest":
				find("licensed-guest", "", u.UPN)
			case t.HasSignInData && u.Created.Before(cutoff) && lastActivity(u).Before(cutoff):
				find("inactive-user", "", u.UPN)
			default:
				var kept []string
				for _, b := range held {
					redundant := false
					for _, a := range held {
						sa, _ := w.gen.cat.ByID(a)
						sb, _ := w.gen.cat.ByID(b)
						if catalog.Contains(forUser(sa, u.licence(a)), sb) && paidRunning(a) {
							find("redundant-licence", sb.PartNumber, u.UPN)
							redundant = true
							break
						}
					}
					if !redundant {
						kept = append(kept, b)
					}
				}
				held = kept
				if u.PremiumUnused {
					find("premium-unused", "SPE_E5", u.UPN)
				}
				for _, id := range held {
					sku, _ := w.gen.cat.ByID(id)
					if _, _, suite := w.gen.cat.DesktopSuite(sku); !t.ConcealedNames && !u.DesktopActivated && suite {
						find("no-desktop-apps", part(id), u.UPN)
					}
				}
			}
		}
		sort.Strings(e.Findings)
		sort.Strings(e.Mismatches)
		out = append(out, e)
	}
	return out
}

func expectedMismatches(part, tenantID string, assigned, partner, other int, contracts []ContractLine) []string {
	var out []string
	billed, lines := 0, 0
	for _, l := range contracts {
		if l.TenantID == tenantID && l.SKU == part {
			billed += l.Quantity
			lines++
		}
	}
	switch {
	case partner > 0 && lines == 0:
		out = append(out, fmt.Sprintf("no-contract-line %s %d", part, partner))
	case lines > 0 && partner == 0:
		out = append(out, fmt.Sprintf("no-subscription %s %d", part, billed))
	case partner > billed:
		out = append(out, fmt.Sprintf("under-billed %s %d", part, partner-billed))
	case billed > partner:
		out = append(out, fmt.Sprintf("over-billed %s %d", part, billed-partner))
	}
	if idle := partner + other - assigned; idle > 0 {
		out = append(out, fmt.Sprintf("unassigned %s %d", part, idle))
	}
	if other > 0 {
		out = append(out, fmt.Sprintf("other-partner %s %d", part, other))
	}
	return out
}

// expectedSaving is the customer's part of the partner's idle seats at the contract's
// unit price for the SKU: the seats the contract bills above those assigned.
func expectedSaving(tenantID, part string, idle, assigned int, contracts []ContractLine) string {
	for _, l := range contracts {
		if l.TenantID == tenantID && l.SKU == part {
			billed := min(idle, max(0, l.Quantity-assigned))
			if l.UnitPrice == "" || billed == 0 {
				return "unknown"
			}
			return decimal.RequireFromString(l.UnitPrice).Mul(decimal.NewFromInt(int64(billed))).Round(2).StringFixed(2)
		}
	}
	return "unknown"
}

// expectedActBy is the last day idle seats of a SKU can start to go: the seats are
// taken from the partner's own subscriptions first, then from others', and each
// subscription's day is the close of the 7-day window after its purchase or renewal
// while that is open, else the last day of its term.
func (w *World) expectedActBy(t *Tenant, skuID string, idle int) string {
	best := ""
	for _, ours := range []bool{true, false} {
		for _, s := range t.Subscriptions {
			if s.SKUID != skuID || s.Trial || s.Status != "Enabled" || (s.OwnerTenantID == PartnerTenantID) != ours || idle <= 0 {
				continue
			}
			idle -= s.Seats
			if d := w.actBy(s); best == "" || d < best {
				best = d
			}
		}
	}
	return best
}

func (w *World) actBy(s *Subscription) string {
	start := s.NextLifecycle.AddDate(-1, 0, 0)
	if s.Term == "P1M" {
		start = s.NextLifecycle.AddDate(0, -1, 0)
	}
	if start.Before(s.Created) {
		start = s.Created
	}
	by := s.NextLifecycle.AddDate(0, 0, -1)
	if closes := start.Add(7 * 24 * time.Hour); w.Now().Before(closes) {
		by = closes.Add(-time.Nanosecond).Truncate(24 * time.Hour)
	}
	return by.Format(time.DateOnly)
}

// licence is the user's first licence of a SKU.
func (u *User) licence(skuID string) License {
	for _, l := range u.Licenses {
		if l.SKUID == skuID {
			return l
		}
	}
	return License{}
}
