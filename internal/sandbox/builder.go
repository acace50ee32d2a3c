package sandbox

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/seatledger/seatledger/internal/catalog"
)

type tenantBuilder struct {
	g       *generator
	r       *rand.Rand
	t       *Tenant
	now     time.Time
	country string
	// assigned counts users per SKU part number, to size subscriptions.
	assigned map[string]int
	parts    []string
	// clean tenants carry none of the planted problems.
	clean bool
	// index is the tenant's place in the world.
	index int
}

func (b *tenantBuilder) skuID(part string) string {
	s, err := b.g.cat.Lookup(part)
	if err != nil {
		panic(fmt.Sprintf("sandbox: built-in catalogue lacks %s: %v", part, err))
	}
	return s.ID
}

func (b *tenantBuilder) newUser(n int) *User {
	r := b.r
	first, last := firsts[r.IntN(len(firsts))], lasts[r.IntN(len(lasts))]
	u := &User{
		ID:            guid(r),
		UPN:           fmt.Sprintf("%s.%s%d@%s", first, last, n, b.t.Domain),
		Mail:          fmt.Sprintf("%s.%s%d@%s", first, last, n, b.t.Domain),
		DisplayName:   fmt.Sprintf("%s %s", capitalise(first), capitalise(last)),
		Enabled:       true,
		UserType:      "Member",
		Created:       b.now.AddDate(0, 0, -(30 + r.IntN(1000))),
		UsageLocation: b.country,
	}
	if r.IntN(25) == 0 {
		u.Created = b.now.AddDate(0, 0, -r.IntN(60)) // a recent hire
	}
	if r.IntN(30) == 0 {
		u.Enabled = false // a leaver whose licences nobody removed
	}
	switch x := r.IntN(100); {
	case x < 3:
		// never signed in
	case x < 11:
		at := b.now.AddDate(0, 0, -(100 + r.IntN(300)))
		u.LastSignIn, u.LastNonInteractive = &at, &at
	default:
		at := b.now.Add(-time.Duration(r.IntN(20*24)) * time.Hour).Truncate(time.Second)
		ni := at.Add(time.Duration(r.IntN(48)) * time.Hour)
		u.LastSignIn, u.LastNonInteractive = &at, &ni
	}
	if u.LastSignIn != nil && u.LastSignIn.Before(u.Created) {
		u.Created = u.LastSignIn.AddDate(0, 0, -30)
	}
	u.DesktopActivated = r.IntN(100) >= 15
	u.MailboxBytes = int64(r.IntN(30_000)) << 20
	return u
}

func capitalise(s string) string { return string(s[0]-32) + s[1:] }

func (b *tenantBuilder) users(n int, licences func(u *User, n int)) {
	for i := range n {
		u := b.newUser(i + 1)
		licences(u, i)
		b.t.Users = append(b.t.Users, u)
	}
}

func (b *tenantBuilder) assign(u *User, part string) {
	for _, l := range u.Licenses {
		if l.SKUID == b.skuID(part) {
			return
		}
	}
	l := License{SKUID: b.skuID(part), State: "Active"}
	if b.r.IntN(4) == 0 {
		l.ViaGroup = "0f1e2d3c-4b5a-4968-8776-655443322110" // "All staff" licensing group
	}
	u.Licenses = append(u.Licenses, l)
	if b.assigned == nil {
		b.assigned = map[string]int{}
	}
	if b.assigned[part] == 0 {
		b.parts = append(b.parts, part)
	}
	b.assigned[part]++
}

// redundant gives a few holders of suite an extra SKU that suite already includes.
func (b *tenantBuilder) redundant(suite, whenSuite, extra string) {
	if suite != whenSuite {
		return
	}
	count := 1 + b.r.IntN(3)
	for _, u := range b.t.Users {
		if count == 0 {
			return
		}
		if u.Enabled && u.hasSKU(b.skuID(suite)) && !u.hasSKU(b.skuID(extra)) {
			b.assign(u, extra)
			count--
		}
	}
}

func (u *User) hasSKU(id string) bool {
	for _, l := range u.Licenses {
		if l.SKUID == id {
			return true
		}
	}
	return false
}

// guests invites a few external users, some of whom were given a licence.
func (b *tenantBuilder) guests() {
	for i := range 1 + b.r.IntN(4) {
		u := b.newUser(9000 + i)
		u.UserType = "Guest"
		u.UPN = fmt.Sprintf("guest%d_partner.example#EXT#@%s", i+1, b.t.Domain)
		u.Mail = fmt.Sprintf("guest%d@partner.example", i+1)
		if i == 0 && b.r.IntN(2) == 0 && !b.clean {
			b.assign(u, b.parts[0])
		}
		b.t.Users = append(b.t.Users, u)
	}
}

// sharedMailboxes adds shared mailboxes (disabled sign-in); one in two tenants licensed
// one. Every fifth tenant also has two that need their licence: one over 50 GB and
// one with an archive.
func (b *tenantBuilder) sharedMailboxes() {
	for i, name := range []string{"info", "sales"} {
		u := b.newUser(8000 + i)
		u.UPN = fmt.Sprintf("%s@%s", name, b.t.Domain)
		u.Mail, u.DisplayName = u.UPN, name
		u.SharedMailbox, u.Enabled = true, false
		u.LastSignIn, u.LastNonInteractive = nil, nil
		u.MailboxBytes = int64(2+b.r.IntN(20)) << 30
		if i == 0 && b.r.IntN(2) == 0 && !b.clean {
			b.assign(u, b.parts[0])
		}
		b.t.Users = append(b.t.Users, u)
	}
	if b.index%5 != 4 || b.clean {
		return
	}
	// A stream of their own, so that the tenant's other draws stay as they were.
	r := b.g.rng(uint64(b.index), 2)
	for i, name := range []string{"records", "archive"} {
		u := &User{ID: guid(r), UPN: fmt.Sprintf("%s@%s", name, b.t.Domain), DisplayName: name, UserType: "Member",
			Created: b.now.AddDate(0, 0, -(400 + r.IntN(400))), UsageLocation: b.country, SharedMailbox: true}
		u.Mail = u.UPN
		if i == 0 {
			u.MailboxBytes = int64(55+r.IntN(40)) << 30
		} else {
			u.MailboxBytes, u.HasArchive = int64(5+r.IntN(20))<<30, true
		}
		u.Licenses = []License{{SKUID: b.skuID(b.parts[0]), State: "Active"}}
		b.assigned[b.parts[0]]++
		b.t.Users = append(b.t.Users, u)
	}
}

// sprayed makes the first enabled, licensed member an account under a password-spray
// attack: its last successful sign-in is 200 days old, while the interactive and
// non-interactive sign-ins, failed attempts, are from the last hours.
func (b *tenantBuilder) sprayed() {
	for _, u := range b.t.Users {
		if u.UserType != "Member" || !u.Enabled || u.SharedMailbox || len(u.Licenses) == 0 {
			continue
		}
		ok := b.now.AddDate(0, 0, -200).Truncate(time.Second)
		failed, failedNI := b.now.Add(-3*time.Hour).Truncate(time.Second), b.now.Add(-time.Hour).Truncate(time.Second)
		u.LastSuccessfulSignIn, u.LastSignIn, u.LastNonInteractive = &ok, &failed, &failedNI
		if created := ok.AddDate(0, 0, -30); u.Created.After(created) {
			u.Created = created
		}
		return
	}
}

// withoutUPN leaves userPrincipalName out of the /users entries of n members with
// nothing for the advice to find (active, one licence, desktop apps in use), so
// that only the sync and the lookups are put to the test.
func (b *tenantBuilder) withoutUPN(n int) {
	cutoff := b.now.AddDate(0, 0, -30)
	for _, u := range b.t.Users {
		if n == 0 {
			return
		}
		last := lastActivity(u)
		if u.UserType != "Member" || !u.Enabled || u.SharedMailbox || len(u.Licenses) != 1 || u.Licenses[0].Error != "" ||
			!u.DesktopActivated || last.Before(cutoff) {
			continue
		}
		u.OmitUPN = true
		n--
	}
}

// assignmentErrors leaves a licence in error for one member in three tenants.
func (b *tenantBuilder) assignmentErrors() {
	if b.r.IntN(3) != 0 || b.clean {
		return
	}
	for _, u := range b.t.Users {
		if u.UserType == "Member" && u.Enabled && len(u.Licenses) > 0 {
			u.Licenses[0].State = "Error"
			u.Licenses[0].Error = "ProhibitedInUsageLocationViolation"
			u.UsageLocation = ""
			return
		}
	}
}

// subscriptions buys, per SKU, the assigned seats plus some idle ones, on a monthly
// or annual term.
func (b *tenantBuilder) subscriptions(i int) {
	r := b.r
	for _, part := range b.parts {
		sku, _ := b.g.cat.Lookup(part)
		seats := b.assigned[part]
		if sku.Free {
			seats = 10000
		} else if r.IntN(3) > 0 && !b.clean {
			seats += 1 + r.IntN(max(2, seats/10))
		}
		// Tenant 1 has no contract line for its suite, so its term is inferred from
		// Graph's dates; an annual one keeps that inference unambiguous.
		monthly := r.IntN(10) < 3 && i != 1
		b.t.Subscriptions = append(b.t.Subscriptions, b.subscription(part, seats, monthly))
	}
	if i == 4 {
		trial := b.subscription("POWER_BI_PRO", 25, true)
		trial.Trial = true
		trial.Created = b.now.AddDate(0, 0, -20)
		trial.NextLifecycle = trial.Created.AddDate(0, 0, 30)
		b.t.Subscriptions = append(b.t.Subscriptions, trial)
		elsewhere := b.subscription("VISIOCLIENT", 5, false)
		elsewhere.OwnerTenantID = OtherPartnerTenantID
		b.t.Subscriptions = append(b.t.Subscriptions, elsewhere)
	}
}

func (b *tenantBuilder) subscription(part string, seats int, monthly bool) *Subscription {
	r := b.r
	s := &Subscription{
		ID: guid(r), CommerceID: guid(r), SKUID: b.skuID(part), PartNumber: part,
		Status: "Enabled", Seats: seats, OwnerTenantID: PartnerTenantID, Term: "P1Y",
	}
	if monthly {
		// Bought up to 400 days ago and renewed every month since; Graph keeps the
		// original purchase as createdDateTime. Days past the 28th are avoided so
		// that every month has the renewal day.
		s.Term = "P1M"
		s.Created = b.now.AddDate(0, 0, -r.IntN(400)).Truncate(24 * time.Hour)
		if d := s.Created.Day(); d > 28 {
			s.Created = s.Created.AddDate(0, 0, 28-d)
		}
		s.NextLifecycle = s.Created.AddDate(0, 1, 0)
		for !s.NextLifecycle.After(b.now) {
			s.NextLifecycle = s.NextLifecycle.AddDate(0, 1, 0)
		}
		// Twelve (or 24) months from purchase to renewal looks like an annual term in
		// Graph's dates; a month more keeps the world's terms knowable from them.
		if months := (s.NextLifecycle.Year()-s.Created.Year())*12 + int(s.NextLifecycle.Month()-s.Created.Month()); months%12 == 0 {
			s.Created = s.Created.AddDate(0, -1, 0)
		}
	} else {
		s.Created = b.now.AddDate(0, 0, -r.IntN(360)).Truncate(24 * time.Hour)
		s.NextLifecycle = s.Created.AddDate(1, 0, 0)
	}
	return s
}

// premiumUnused switches off, for one active E5 user, every plan E5 adds over E3.
func (b *tenantBuilder) premiumUnused() {
	e5, _ := b.g.cat.Lookup("SPE_E5")
	e3, _ := b.g.cat.Lookup("SPE_E3")
	var off []string
	for _, p := range catalog.Uncovered(e5, e3) {
		off = append(off, p.ID)
	}
	sort.Strings(off)
	for _, u := range b.t.Users {
		if u.Enabled && u.UserType == "Member" && u.LastSignIn != nil && u.hasSKU(e5.ID) && len(u.Licenses) == 1 {
			u.Licenses[0].DisabledPlans = off
			u.PremiumUnused = true
			return
		}
	}
}

// trialInUse gives three active members a SKU held only on a trial ending in 12 days.
func (b *tenantBuilder) trialInUse() {
	trial := b.subscription("PROJECTPROFESSIONAL", 10, false)
	trial.Trial, trial.Term = true, ""
	trial.Created = b.now.AddDate(0, 0, -18).Truncate(24 * time.Hour)
	trial.NextLifecycle = trial.Created.AddDate(0, 0, 30)
	b.t.Subscriptions = append(b.t.Subscriptions, trial)
	given := 0
	for _, u := range b.t.Users {
		if given < 3 && u.Enabled && u.UserType == "Member" && !u.SharedMailbox && len(u.Licenses) > 0 {
			u.Licenses = append(u.Licenses, License{SKUID: trial.SKUID, State: "Active"})
			given++
		}
	}
}
