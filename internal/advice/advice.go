// Package advice finds the licences a customer wastes and says what to do about them:
// idle seats, licences held by disabled, inactive or guest accounts, redundant and
// wrong SKUs, licensed shared mailboxes, trials about to convert and renewals about
// to lock idle seats in for another term. Each finding carries its evidence, the
// monthly saving (from the contract's price, or unknown — never guessed), the action
// and the date by which it can be taken. The rules are pure: values in, findings out.
package advice

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/seatledger/seatledger/internal/catalog"
	"github.com/seatledger/seatledger/internal/contracts"
	"github.com/seatledger/seatledger/internal/inventory"
	"github.com/seatledger/seatledger/internal/terms"
)

// Kinds of finding.
const (
	UnassignedSeats       = "unassigned-seats"
	RenewalIdleSeats      = "renewal-idle-seats"
	TrialEnding           = "trial-ending"
	BusinessCap           = "business-cap"
	DisabledUser          = "disabled-user"
	InactiveUser          = "inactive-user"
	LicensedGuest         = "licensed-guest"
	LicensedSharedMailbox = "licensed-shared-mailbox"
	AssignmentError       = "assignment-error"
	RedundantLicence      = "redundant-licence"
	PremiumUnused         = "premium-unused"
	NoDesktopApps         = "no-desktop-apps"
)

// Kinds lists every kind, in the order reports show them.
var Kinds = []string{UnassignedSeats, RenewalIdleSeats, TrialEnding, BusinessCap, DisabledUser, InactiveUser,
	LicensedGuest, LicensedSharedMailbox, AssignmentError, RedundantLicence, PremiumUnused, NoDesktopApps}

// Finding is one thing to act on.
type Finding struct {
	Fingerprint string `json:"fingerprint"`
	TenantID    string `json:"tenantId"`
	Kind        string `json:"kind"`
	// SKUs names the part numbers concerned, "+"-joined when a user holds several.
	SKUs string `json:"skus"`
	// Subject is the user (UPN) or subscription the finding is about; empty for a pool.
	Subject  string `json:"subject,omitempty"`
	Seats    int    `json:"seats"`
	Evidence string `json:"evidence"`
	Action   string `json:"action"`
	// ActBy is the last day the action can be taken; nil when any day will do.
	ActBy *time.Time `json:"actBy,omitempty"`
	// MonthlySaving is nil when no price is known; SavingNote then says why.
	MonthlySaving *decimal.Decimal `json:"monthlySaving,omitempty"`
	Currency      string           `json:"currency,omitempty"`
	SavingNote    string           `json:"savingNote,omitempty"`
}

// Thresholds tune the rules (config section advice).
type Thresholds struct {
	InactiveDays    int
	TrialEndingDays int
	RenewalDays     int
	SharedMailboxGB int
	BusinessSeatCap int
}

// DefaultThresholds are the configuration's defaults.
var DefaultThresholds = Thresholds{InactiveDays: 90, TrialEndingDays: 14, RenewalDays: 30, SharedMailboxGB: 50, BusinessSeatCap: 300}

// Exclusion keeps findings away: of a tenant, a SKU, a user, or any combination
// (an empty field matches everything). Non-profit grants and service accounts.
type Exclusion struct {
	ID       int64  `json:"id,omitempty"`
	TenantID string `json:"tenantId,omitempty"`
	SKUID    string `json:"skuId,omitempty"`
	UPN      string `json:"upn,omitempty"`
	Reason   string `json:"reason"`
}

func (e Exclusion) matches(tenantID, skuID, upn string) bool {
	return (e.TenantID == "" || e.TenantID == tenantID) && (e.SKUID == "" || e.SKUID == skuID) &&
		(e.UPN == "" || strings.EqualFold(e.UPN, upn))
}

// Tenant is everything the rules look at for one customer tenant.
type Tenant struct {
	TenantID      string
	Currency      string
	Now           time.Time
	Pools         []inventory.Pool
	Subscriptions []terms.Subscription
	Users         []inventory.User
	Usage         []inventory.Usage
	// SignInData is false where Graph gave no sign-in activity: no inactivity findings.
	SignInData bool
	Contract   []contracts.Line
	Catalog    *catalog.Catalog
	Exclusions []Exclusion
}

// Result is the findings for one tenant and what could not be assessed.
type Result struct {
	Findings []Finding `json:"findings"`
	Notes    []string  `json:"notes,omitempty"`
	// NotAssessed lists the kinds the data did not allow to judge: their earlier
	// findings are neither confirmed nor resolved.
	NotAssessed []string `json:"notAssessed,omitempty"`
}

// Advise runs every rule over one tenant.
func Advise(t Tenant, th Thresholds) Result {
	a := &adviser{t: t, th: th, prices: pricesOf(t.Contract, t.Subscriptions, t.Now)}
	a.seats()
	a.users()
	sort.SliceStable(a.out.Findings, func(i, j int) bool {
		x, y := a.out.Findings[i], a.out.Findings[j]
		if x.Kind != y.Kind {
			return kindOrder(x.Kind) < kindOrder(y.Kind)
		}
		if x.SKUs != y.SKUs {
			return x.SKUs < y.SKUs
		}
		return x.Subject < y.Subject
	})
	return a.out
}

func kindOrder(k string) int {
	for i, x := range Kinds {
		if x == k {
			return i
		}
	}
	return len(Kinds)
}

type adviser struct {
	t      Tenant
	th     Thresholds
	prices map[string]price
	out    Result
	seen   map[string]bool
}

func (a *adviser) note(s string) { a.out.Notes = append(a.out.Notes, s) }

// Fingerprint identifies a finding across runs: what kind, in which tenant, about
// what. It leaves out what changes from day to day (counts, dates, money).
func Fingerprint(tenantID, kind string, key ...string) string {
	h := sha256.Sum256([]byte(tenantID + "|" + kind + "|" + strings.Join(key, "|")))
	return hex.EncodeToString(h[:10])
}

func (a *adviser) add(f Finding, key ...string) {
	f.TenantID = a.t.TenantID
	f.Fingerprint = Fingerprint(a.t.TenantID, f.Kind, key...)
	if a.seen[f.Fingerprint] {
		return // the same condition reached twice (an assignment listed twice by Graph)
	}
	if a.seen == nil {
		a.seen = map[string]bool{}
	}
	a.seen[f.Fingerprint] = true
	if f.MonthlySaving != nil {
		f.Currency = a.t.Currency
	}
	a.out.Findings = append(a.out.Findings, f)
}

func (a *adviser) excluded(skuID, upn string) bool {
	for _, e := range a.t.Exclusions {
		if e.matches(a.t.TenantID, skuID, upn) {
			return true
		}
	}
	return false
}

// paid tells whether a SKU costs money; a SKU missing from the catalogue is taken to,
// since treating it as free could hide waste.
func (a *adviser) paid(skuID string) bool {
	s, ok := a.t.Catalog.ByID(skuID)
	return !ok || !s.Free
}

func (a *adviser) partNumber(skuID string) string {
	if s, ok := a.t.Catalog.ByID(skuID); ok {
		return s.PartNumber
	}
	for _, p := range a.t.Pools {
		if p.SKUID == skuID && p.PartNumber != "" {
			return p.PartNumber
		}
	}
	return skuID
}

func date(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	d := terms.Day(t)
	return &d
}
