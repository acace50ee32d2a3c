// Package sandbox is the simulated Microsoft cloud: a deterministic generator of
// realistic customer tenants (with the licensing problems partners meet, recorded as
// "truth"), and an HTTPS server speaking the token and Graph endpoints seatledger uses,
// with paging, throttling, latency and faults. The demo, the tests and the benchmarks
// run the real Graph client against it.
package sandbox

import (
	"sort"
	"time"
)

// World is every simulated tenant on one simulated day.
type World struct {
	Seed    uint64    `json:"seed"`
	Start   time.Time `json:"start"`
	Day     int       `json:"day"`
	Tenants []*Tenant `json:"tenants"`

	byID map[string]*Tenant
	gen  *generator
	// contracts are the partner's contracts, agreed on day 0.
	contracts []ContractLine
}

// Now is the simulated time: noon UTC of the current day.
func (w *World) Now() time.Time { return w.Start.AddDate(0, 0, w.Day).Add(12 * time.Hour) }

// Tenant looks a tenant up by id.
func (w *World) Tenant(id string) *Tenant { return w.byID[id] }

// User looks a user up by principal name.
func (t *Tenant) User(upn string) *User {
	for _, u := range t.Users {
		if u.UPN == upn {
			return u
		}
	}
	return nil
}

// Tenant is one customer tenant.
type Tenant struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Domain string `json:"domain"`
	Kind   string `json:"kind"` // small, enterprise, giant
	// HasSignInData is false for tenants without Entra ID P1/P2: Graph refuses
	// signInActivity there.
	HasSignInData  bool `json:"hasSignInData"`
	ConcealedNames bool `json:"concealedNames"`
	// Shapes of Graph's answers that differ from tenant to tenant: admin/reportSettings
	// nested under "value" as documented (live Graph answers it flat) or refused
	// (no ReportSettings.Read.All), mailboxSettings refused (no MailboxSettings.Read),
	// and "never" in sign-in fields as 0001-01-01T00:00:00Z instead of null.
	NestedReportSettings   bool `json:"nestedReportSettings,omitempty"`
	ReportSettingsRefused  bool `json:"reportSettingsRefused,omitempty"`
	MailboxSettingsRefused bool `json:"mailboxSettingsRefused,omitempty"`
	ZeroDateNever          bool `json:"zeroDateNever,omitempty"`
	// EndedInPartnerCenter is a customer whose relationship with the partner ended:
	// Partner Center no longer lists it, though its tenant still answers Graph.
	EndedInPartnerCenter bool            `json:"endedInPartnerCenter,omitempty"`
	Subscriptions        []*Subscription `json:"subscriptions"`
	Users                []*User         `json:"users"`
}

// Subscription is a directory subscription: seats of one SKU bought for a term.
type Subscription struct {
	ID            string    `json:"id"`
	CommerceID    string    `json:"commerceSubscriptionId"`
	SKUID         string    `json:"skuId"`
	PartNumber    string    `json:"skuPartNumber"`
	Status        string    `json:"status"`
	Seats         int       `json:"totalLicenses"`
	Trial         bool      `json:"isTrial"`
	Created       time.Time `json:"createdDateTime"`
	NextLifecycle time.Time `json:"nextLifecycleDateTime"`
	Term          string    `json:"term"` // P1M, P1Y
	OwnerTenantID string    `json:"ownerTenantId"`
	// AppliesTo is "Company" for tenant-level capacity (storage), else empty (User).
	AppliesTo string `json:"appliesTo,omitempty"`
	// What only Partner Center knows (partnerapi.go): the billing cycle when it is
	// not the term's own, auto-renew turned off, an id in Partner Center other than
	// commerceSubscriptionId, the indirect reseller, seats added during the term,
	// and which planted case the subscription is (partnercases.go).
	BillingCycle    string     `json:"billingCycle,omitempty"`
	AutoRenewOff    bool       `json:"autoRenewOff,omitempty"`
	PartnerCenterID string     `json:"partnerCenterId,omitempty"`
	ResellerID      string     `json:"resellerId,omitempty"`
	Additions       []Addition `json:"additions,omitempty"`
	Case            string     `json:"case,omitempty"`
}

// Addition is seats added to a subscription during its term: New Commerce lets them
// be returned for 7 days.
type Addition struct {
	Seats int       `json:"seats"`
	At    time.Time `json:"at"`
}

// addSeats adds seats now, refundable for the next 7 days.
func (s *Subscription) addSeats(n int, at time.Time) {
	s.Seats += n
	s.Additions = append(s.Additions, Addition{Seats: n, At: at})
}

// User is one directory user.
type User struct {
	ID          string `json:"id"`
	UPN         string `json:"userPrincipalName"`
	Mail        string `json:"mail,omitempty"`
	DisplayName string `json:"displayName"`
	Enabled     bool   `json:"accountEnabled"`
	UserType    string `json:"userType"`
	// OmitUPN leaves userPrincipalName out of the user's entry in /users pages,
	// selected or not.
	OmitUPN            bool       `json:"omitUPN,omitempty"`
	Created            time.Time  `json:"createdDateTime"`
	UsageLocation      string     `json:"usageLocation"`
	LastSignIn         *time.Time `json:"lastSignIn,omitempty"`
	LastNonInteractive *time.Time `json:"lastNonInteractiveSignIn,omitempty"`
	// LastSuccessfulSignIn is set where it differs from the later of the other two:
	// a sprayed account, whose recent sign-ins all failed.
	LastSuccessfulSignIn *time.Time `json:"lastSuccessfulSignIn,omitempty"`
	Licenses             []License  `json:"licenses"`
	SharedMailbox        bool       `json:"sharedMailbox,omitempty"`
	DesktopActivated     bool       `json:"desktopActivated"`
	MailboxBytes         int64      `json:"mailboxBytes"`
	HasArchive           bool       `json:"hasArchive,omitempty"`
	// PremiumUnused marks the E5 user whose every E5-only plan is switched off.
	PremiumUnused bool `json:"premiumUnused,omitempty"`
}

// License is one SKU assigned to a user, directly or through a group.
type License struct {
	SKUID    string `json:"skuId"`
	ViaGroup string `json:"viaGroup,omitempty"`
	State    string `json:"state"`
	Error    string `json:"error,omitempty"`
	// DisabledPlans are service plan ids switched off for the user, sorted.
	DisabledPlans []string `json:"disabledPlans,omitempty"`
}

// Pool is what /subscribedSkus reports for one SKU of a tenant.
type Pool struct {
	SKUID           string
	PartNumber      string
	AppliesTo       string
	Enabled         int
	Warning         int
	Suspended       int
	LockedOut       int
	Consumed        int
	SubscriptionIDs []string
}

// Pools derives the licence pools from the subscriptions and the assignments, the way
// Graph does: enabled units are the seats of enabled subscriptions, consumed units are
// the users holding a seat of the SKU (an assignment in error holds none).
func (t *Tenant) Pools() []Pool {
	bySKU := map[string]*Pool{}
	pool := func(skuID, part string) *Pool {
		p := bySKU[skuID]
		if p == nil {
			p = &Pool{SKUID: skuID, PartNumber: part}
			bySKU[skuID] = p
		}
		return p
	}
	for _, s := range t.Subscriptions {
		p := pool(s.SKUID, s.PartNumber)
		if s.AppliesTo != "" {
			p.AppliesTo = s.AppliesTo
		}
		switch s.Status {
		case "Enabled":
			p.Enabled += s.Seats
		case "Warning":
			p.Warning += s.Seats
		case "Suspended":
			p.Suspended += s.Seats
		case "LockedOut":
			p.LockedOut += s.Seats
		}
		p.SubscriptionIDs = append(p.SubscriptionIDs, s.ID)
	}
	for _, u := range t.Users {
		seen := map[string]bool{}
		for _, l := range u.Licenses {
			if seen[l.SKUID] || l.State == "Error" || l.State == "Disabled" {
				continue
			}
			seen[l.SKUID] = true
			if p := bySKU[l.SKUID]; p != nil {
				p.Consumed++
			}
		}
	}
	out := make([]Pool, 0, len(bySKU))
	for _, p := range bySKU {
		out = append(out, *p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].PartNumber < out[j].PartNumber })
	return out
}
