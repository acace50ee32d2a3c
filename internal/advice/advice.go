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
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/seatledger/seatledger/internal/catalog"
	"github.com/seatledger/seatledger/internal/contracts"
	"github.com/seatledger/seatledger/internal/inventory"
	"github.com/seatledger/seatledger/internal/money"
	"github.com/seatledger/seatledger/internal/pools"
	"github.com/seatledger/seatledger/internal/terms"
	"github.com/shopspring/decimal"
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
	OverAssigned          = "over-assigned"
	SubscriptionInGrace   = "subscription-in-grace"
	SubscriptionLapsed    = "subscription-lapsed"
	SubscriptionExpiring  = "subscription-expiring"
)

// Kinds lists every kind, in the order reports show them.
var Kinds = []string{SubscriptionExpiring, SubscriptionInGrace, SubscriptionLapsed, OverAssigned, UnassignedSeats, RenewalIdleSeats, TrialEnding, BusinessCap,
	DisabledUser, InactiveUser, LicensedGuest, LicensedSharedMailbox, AssignmentError, RedundantLicence, PremiumUnused, NoDesktopApps}

// Finding is one thing to act on.
type Finding struct {
	Fingerprint string `json:"fingerprint"`
	TenantID    string `json:"tenantId"`
	Kind        string `json:"kind"`
	// SKUs names the part numbers concerned, "+"-joined when a user holds several.
	SKUs string `json:"skus"`
	// Subject is the user (UPN, else mail, else object id) or subscription the
	// finding is about; empty for a pool.
	Subject string `json:"subject,omitempty"`
	// UserID is the user's object id on findings about a user.
	UserID   string `json:"userId,omitempty"`
	Seats    int    `json:"seats"`
	Evidence string `json:"evidence"`
	Action   string `json:"action"`
	// ActBy is the last day the action can be taken; nil when any day will do.
	ActBy *time.Time `json:"actBy,omitempty"`
	// MonthlySaving is nil when no price is known; SavingNote then says why.
	MonthlySaving *money.Amount `json:"monthlySaving,omitempty"`
	Currency      string        `json:"currency,omitempty"`
	SavingNote    string        `json:"savingNote,omitempty"`
	// SavingFor says whose money the saving is: ForCustomer or ForPartner.
	SavingFor string `json:"savingFor,omitempty"`
	// Confidence is high, medium or low; Missing says what the finding lacks that
	// would make it certain. Low findings are for review only.
	Confidence string   `json:"confidence"`
	Missing    []string `json:"missing,omitempty"`
}

// Confidence grades.
const (
	High   = "high"
	Medium = "medium"
	Low    = "low"
)

// What a finding may lack, and how much that weakens it.
type gap struct {
	what string
	low  bool
}

var (
	gapSignIn           = gap{what: "no sign-in data"}
	gapSuccessfulSignIn = gap{what: "no successful-sign-in date: failed sign-in attempts may count as activity"}
	gapConcealed        = gap{what: "names concealed in usage reports", low: true}
	gapUsageStale       = gap{what: "usage report older than 72 h"}
	gapTermInferred     = gap{what: "term inferred from Graph's dates, not known"}
	gapTermContract     = gap{what: "term taken from the contract, not known from Microsoft"}
	gapTermUnknown      = gap{what: "term unknown", low: true}
	gapMailboxType      = gap{what: "mailbox type unknown", low: true}
	gapMailboxSize      = gap{what: "mailbox size and archive unknown", low: true}
	gapPrice            = gap{what: "no price"}
	gapSubscriptions    = gap{what: "subscriptions behind the pool unknown", low: true}
)

// need records what the finding lacks.
func (f *Finding) need(g gap) {
	if g.what == "" || slices.Contains(f.Missing, g.what) {
		return
	}
	f.Missing = append(f.Missing, g.what)
	switch {
	case g.low:
		f.Confidence = Low
	case f.Confidence != Low:
		f.Confidence = Medium
	}
}

// ReviewOnly tells whether the finding rests on too little to act on unreviewed.
func (f Finding) ReviewOnly() bool { return f.Confidence == Low }

func termGap(t terms.Term) gap {
	switch {
	case t.Length == "" || t.Renewal.IsZero():
		return gapTermUnknown
	case t.Source == terms.SourceContract:
		return gapTermContract
	case t.Source == terms.SourceGraph:
		return gapTermInferred
	}
	return gap{}
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
	// UsageReportDate is the refresh date of the usage reports read.
	UsageReportDate *time.Time
	// MailboxPurposeData is true where Graph answered mailboxSettings for the
	// disabled accounts holding an Exchange licence.
	MailboxPurposeData bool
	// UnlinkedPartner are the Partner Center subscriptions that match no Graph
	// subscription (reconciliation reports them).
	UnlinkedPartner []inventory.PartnerSubscription
	// Costs is, per Graph subscription id, the partner's cost of a seat per month at
	// Microsoft's price locked for the current term (price list), where one is known.
	Costs      map[string]decimal.Decimal
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
	a := &adviser{t: t, th: th, prices: pricesOf(t.Contract, t.Subscriptions, t.Now, t.Costs), removals: map[string]int{}}
	a.accounts = pools.Of(t.Pools, t.Subscriptions, HeldWithoutPool(t.Pools, t.Users))
	a.seats()
	a.users()
	a.businessCap()
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
	t        Tenant
	th       Thresholds
	prices   map[string]price
	accounts []pools.Account
	// removals counts, per SKU, the users whose licences whole-user findings advise
	// removing.
	removals map[string]int
	out      Result
	seen     map[string]bool
}

// account is the seat account of a SKU.
func (a *adviser) account(skuID string) (pools.Account, bool) {
	for _, acc := range a.accounts {
		if acc.SKUID == skuID {
			return acc, true
		}
	}
	return pools.Account{}, false
}

// trialOnly tells whether every seat of a SKU the tenant has is a trial's: a user's
// licence of it costs nothing.
func (a *adviser) trialOnly(skuID string) bool {
	acc, ok := a.account(skuID)
	return ok && acc.Trial > 0 && acc.Paid() == 0 && acc.Grace == 0
}

// HeldWithoutPool counts, per SKU, the users holding a licence of a SKU that no
// pool of the tenant lists.
func HeldWithoutPool(ps []inventory.Pool, us []inventory.User) map[string]int {
	listed := map[string]bool{}
	for _, p := range ps {
		listed[p.SKUID] = true
	}
	out := map[string]int{}
	for _, u := range us {
		for _, id := range u.HeldSKUs() {
			if !listed[id] {
				out[id]++
			}
		}
	}
	return out
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
	if f.Confidence == "" {
		f.Confidence = High
	}
	// A date to act by is never in the past: data older than the day judged can
	// carry one, and then the action says it has passed.
	if f.ActBy != nil && f.ActBy.Before(terms.Day(a.t.Now)) {
		f.Action += fmt.Sprintf(" (the last day to act, %s, has passed by the dates on record: check the subscription's state now)", f.ActBy.Format(time.DateOnly))
		f.ActBy = nil
	}
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
