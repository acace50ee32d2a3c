package sandbox

import (
	"hash/fnv"
	"sort"
	"time"

	"github.com/seatledger/seatledger/internal/catalog"
)

// Shapes seen in real tenants that the advice must get right, planted in the first
// tenants after everything else is generated, so that the rest of the world stays as
// it was.

// StorageSKUID is Office 365 Extra File Storage (SHAREPOINTSTORAGE): tenant-level
// capacity, sold in units that no user holds.
const StorageSKUID = "99049c9c-6011-4908-bf17-15f496e6519d"

// GraceGroupID and BothRoutesGroupID are the licensing groups of the planted cases.
const (
	ErrorGroupID      = "6e000000-0000-4000-8000-0000000000aa"
	BothRoutesGroupID = "6e000000-0000-4000-8000-0000000000e3"
)

func (b *tenantBuilder) fieldCases(i int) {
	switch i {
	case 6:
		// Seats in grace: an expired subscription whose users keep service until it
		// is suspended in 12 days; and a suspended one whose users have none.
		grace := b.plantSubscription("PROJECTPROFESSIONAL", 4, "Warning", b.now.AddDate(-1, 0, -20), b.day().AddDate(0, 0, 12))
		b.holders(grace.SKUID, 4)
		lapsed := b.plantSubscription("MCOEV", 2, "Suspended", b.now.AddDate(-1, -2, 0), b.day().AddDate(0, 0, 60))
		b.holders(lapsed.SKUID, 2)
	case 7:
		// Capacity, not seats: 500 units of storage; and three users holding a SKU
		// with two seats.
		storage := &Subscription{ID: guid(b.g.rng(uint64(i), 7, 1)), CommerceID: guid(b.g.rng(uint64(i), 7, 2)), SKUID: StorageSKUID, PartNumber: "SHAREPOINTSTORAGE",
			Status: "Enabled", Seats: 500, OwnerTenantID: PartnerTenantID, Term: "P1M", AppliesTo: "Company",
			Created: b.day().AddDate(0, -5, 0), NextLifecycle: b.day().AddDate(0, 0, 9)}
		storage.Created = storage.NextLifecycle.AddDate(0, -5, 0)
		b.t.Subscriptions = append(b.t.Subscriptions, storage)
		over := b.plantSubscription("PROJECTPROFESSIONAL", 2, "Enabled", b.now.AddDate(0, 0, -100), b.now.AddDate(0, 0, 265))
		b.holders(over.SKUID, 3)
	case 8:
		// A blocked leaver whose only licence comes through a group in error: it
		// holds no seat.
		leaver := b.plantUser(9500, "SPE_E3")
		leaver.Enabled = false
		leaver.Licenses[0].ViaGroup, leaver.Licenses[0].State, leaver.Licenses[0].Error = ErrorGroupID, "Error", "CountViolation"
		b.grow("SPE_E3", -1) // the licence in error takes no seat
		// One seat of E3 held directly and through a group, beside E5.
		both := b.plantUser(9501, "SPE_E3", "SPE_E5")
		both.Licenses = append(both.Licenses, License{SKUID: b.skuID("SPE_E3"), ViaGroup: BothRoutesGroupID, State: "Active"})
		// Exchange switched off in E3 beside an Exchange licence: not redundant.
		exo := b.plantUser(9502, "SPE_E3", "EXCHANGEENTERPRISE")
		exo.Licenses[0].DisabledPlans = b.planIDs("SPE_E3", "EXCHANGE_S_ENTERPRISE")
	case 9:
		// The "(no Teams)" suite Microsoft sells to new customers: its users who do
		// not use the desktop apps are assessed like those of Microsoft 365 E3.
		b.plantSubscription("Microsoft_365_E3_(no_Teams)", 1, "Enabled", b.now.AddDate(0, 0, -90), b.now.AddDate(0, 0, 275))
		for n := range 3 {
			u := b.plantUser(9510+n, "Microsoft_365_E3_(no_Teams)")
			u.DesktopActivated = n == 0
		}
	case 10:
		// E3 beside an E5 that is only a trial: not redundant, the trial ends.
		b.plantSubscription("SPE_E3", 0, "Enabled", b.now.AddDate(0, 0, -150), b.now.AddDate(0, 0, 215))
		trial := b.plantSubscription("SPE_E5", 5, "Enabled", b.now.AddDate(0, 0, -3), b.now.AddDate(0, 0, 27))
		trial.Trial, trial.Term = true, ""
		b.plantUser(9503, "SPE_E3", "SPE_E5")
	}
}

// day is the simulated day at midnight.
func (b *tenantBuilder) day() time.Time { return b.now.Truncate(24 * time.Hour) }

// plantSubscription adds a partner subscription with the given status and dates. Its
// ids are drawn from a stream of the tenant's own: subscription ids are unique
// across Microsoft's cloud, and the invoice and Partner Center key on them.
func (b *tenantBuilder) plantSubscription(part string, seats int, status string, created, next time.Time) *Subscription {
	h := fnv.New64a()
	h.Write([]byte(b.t.ID))
	r := b.g.rng(uint64(len(b.t.Subscriptions)), 0xF1E1D, h.Sum64())
	s := &Subscription{ID: guid(r), CommerceID: guid(r), SKUID: b.skuID(part), PartNumber: part, Status: status, Seats: seats,
		OwnerTenantID: PartnerTenantID, Term: "P1Y", Created: created.Truncate(24 * time.Hour), NextLifecycle: next.Truncate(24 * time.Hour)}
	b.t.Subscriptions = append(b.t.Subscriptions, s)
	return s
}

// holders gives a SKU to the first n active members who lack it.
func (b *tenantBuilder) holders(skuID string, n int) {
	for _, u := range b.t.Users {
		if n == 0 {
			return
		}
		if u.Enabled && u.UserType == "Member" && !u.SharedMailbox && !u.hasSKU(skuID) {
			u.Licenses = append(u.Licenses, License{SKUID: skuID, State: "Active"})
			n--
		}
	}
}

// plantUser adds an active member holding the SKUs directly, each with a seat of its
// own: the partner's paid subscription of each grows by one.
func (b *tenantBuilder) plantUser(n int, parts ...string) *User {
	r := b.g.rng(uint64(n), 0xF1E1D)
	u := &User{ID: guid(r), UPN: "fieldcase" + itoa(n) + "@" + b.t.Domain, DisplayName: "Field Case " + itoa(n), Enabled: true, UserType: "Member",
		Created: b.now.AddDate(0, 0, -400), UsageLocation: b.country, DesktopActivated: true, MailboxBytes: 1 << 30}
	at := b.now.Add(-30 * time.Hour).Truncate(time.Second)
	u.LastSignIn, u.LastNonInteractive = &at, &at
	for _, p := range parts {
		u.Licenses = append(u.Licenses, License{SKUID: b.skuID(p), State: "Active"})
		b.grow(p, 1)
	}
	b.t.Users = append(b.t.Users, u)
	return u
}

// grow changes the seats of the partner's first paid subscription of a SKU, if any.
func (b *tenantBuilder) grow(part string, by int) {
	for _, s := range b.t.Subscriptions {
		if s.PartNumber == part && !s.Trial && s.Status == "Enabled" && s.OwnerTenantID == PartnerTenantID {
			s.Seats += by
			return
		}
	}
}

// planIDs lists the ids of the named plans of a SKU, sorted.
func (b *tenantBuilder) planIDs(part string, names ...string) []string {
	s, _ := b.g.cat.Lookup(part)
	var out []string
	for _, p := range s.Plans {
		for _, n := range names {
			if p.Name == n {
				out = append(out, p.ID)
			}
		}
	}
	sort.Strings(out)
	return out
}

func itoa(n int) string {
	const digits = "0123456789"
	if n < 10 {
		return digits[n : n+1]
	}
	return itoa(n/10) + digits[n%10:n%10+1]
}

// forUser is a SKU with only the plans a licence leaves switched on.
func forUser(s catalog.SKU, l License) catalog.SKU {
	if len(l.DisabledPlans) == 0 {
		return s
	}
	off := map[string]bool{}
	for _, id := range l.DisabledPlans {
		off[id] = true
	}
	out := s
	out.Plans = nil
	for _, p := range s.Plans {
		if !off[p.ID] {
			out.Plans = append(out.Plans, p)
		}
	}
	return out
}
