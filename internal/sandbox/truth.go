package sandbox

import (
	"time"

	"github.com/seatledger/seatledger/internal/catalog"
)

// Truth is what the generator planted, for tests and the advice to be checked against.
type Truth struct {
	Seed    uint64        `json:"seed"`
	Day     int           `json:"day"`
	Now     time.Time     `json:"now"`
	Tenants []TenantTruth `json:"tenants"`
	Totals  Totals        `json:"totals"`
}

// Totals add up every tenant.
type Totals struct {
	Tenants     int `json:"tenants"`
	Users       int `json:"users"`
	Assignments int `json:"assignments"`
	Pools       int `json:"pools"`
	Seats       int `json:"seats"`
}

// TenantTruth is one tenant's planted facts.
type TenantTruth struct {
	ID               string      `json:"id"`
	Name             string      `json:"name"`
	Kind             string      `json:"kind"`
	HasSignInData    bool        `json:"hasSignInData"`
	ConcealedNames   bool        `json:"concealedNames"`
	Users            int         `json:"users"`
	Guests           int         `json:"guests"`
	Assignments      int         `json:"assignments"`
	Subscriptions    int         `json:"subscriptions"`
	Pools            []PoolTruth `json:"pools"`
	DisabledLicensed []string    `json:"disabledLicensed"`
	InactiveLicensed []string    `json:"inactiveLicensed"`
	NeverSignedIn    []string    `json:"neverSignedInLicensed"`
	LicensedGuests   []string    `json:"licensedGuests"`
	LicensedShared   []string    `json:"licensedSharedMailboxes"`
	AssignmentErrors []string    `json:"assignmentErrors"`
	NoDesktopApps    []string    `json:"noDesktopApps"`
	// Redundant lists "UPN: B in A" for users holding SKU B although SKU A, which they
	// also hold, includes every plan of it.
	Redundant        []string `json:"redundantLicences"`
	Trials           []string `json:"trials"`
	OtherPartnerSubs []string `json:"otherPartnerSubscriptions"`
	// Expected is what advice and reconciliation must report today with the
	// sandbox's contracts imported and partner.tenant_id set to PartnerTenantID.
	Expected Expected `json:"expected"`
	// Sprayed are enabled, licensed members whose recent sign-ins all failed: their
	// last successful sign-in is long past (they are in InactiveLicensed).
	Sprayed []string `json:"sprayed,omitempty"`
	// SharedNeedingLicence are licensed shared mailboxes over 50 GB or with an
	// archive: they need an Exchange licence.
	SharedNeedingLicence []string `json:"sharedMailboxesNeedingLicence,omitempty"`
	// WithoutUPN are the mail addresses of users whose /users entry omits
	// userPrincipalName.
	WithoutUPN             []string `json:"usersWithoutUPN,omitempty"`
	NestedReportSettings   bool     `json:"nestedReportSettings,omitempty"`
	ReportSettingsRefused  bool     `json:"reportSettingsRefused,omitempty"`
	MailboxSettingsRefused bool     `json:"mailboxSettingsRefused,omitempty"`
	// PartnerCenter is every subscription the partner sold the tenant, as Partner
	// Center describes it; EndedInPartnerCenter a customer it no longer lists.
	PartnerCenter        []PartnerTruth `json:"partnerCenter,omitempty"`
	EndedInPartnerCenter bool           `json:"endedInPartnerCenter,omitempty"`
}

// PoolTruth is one licence pool.
type PoolTruth struct {
	PartNumber string `json:"skuPartNumber"`
	SKUID      string `json:"skuId"`
	Enabled    int    `json:"enabled"`
	Consumed   int    `json:"consumed"`
	// Trial is the seats of running trials; Paid the running seats bought (none for a
	// free SKU). Idle is the paid seats nobody holds: trial seats, free SKUs and
	// capacity are never idle.
	Trial int `json:"trial"`
	Paid  int `json:"paid"`
	Idle  int `json:"idle"`
}

// InactiveDays is how long without a sign-in makes a user inactive in the truth.
const InactiveDays = 90

// Truth describes the world as it is today.
func (w *World) Truth() Truth {
	now := w.Now()
	out := Truth{Seed: w.Seed, Day: w.Day, Now: now}
	expected := w.Expect()
	for i, t := range w.Tenants {
		tt := TenantTruth{ID: t.ID, Name: t.Name, Kind: t.Kind, HasSignInData: t.HasSignInData, ConcealedNames: t.ConcealedNames,
			Users: len(t.Users), Subscriptions: len(t.Subscriptions), NestedReportSettings: t.NestedReportSettings,
			ReportSettingsRefused: t.ReportSettingsRefused, MailboxSettingsRefused: t.MailboxSettingsRefused, Expected: expected[i],
			PartnerCenter: w.partnerTruth(t), EndedInPartnerCenter: t.EndedInPartnerCenter}
		for _, s := range t.Subscriptions {
			if s.Trial {
				tt.Trials = append(tt.Trials, s.PartNumber)
			}
			if s.OwnerTenantID != PartnerTenantID {
				tt.OtherPartnerSubs = append(tt.OtherPartnerSubs, s.PartNumber)
			}
		}
		for _, p := range t.Pools() {
			pt := PoolTruth{PartNumber: p.PartNumber, SKUID: p.SKUID, Enabled: p.Enabled, Consumed: p.Consumed}
			for _, s := range t.Subscriptions {
				if s.SKUID == p.SKUID && s.Status == "Enabled" {
					if s.Trial {
						pt.Trial += s.Seats
					} else {
						pt.Paid += s.Seats
					}
				}
			}
			if sku, ok := w.gen.cat.ByID(p.SKUID); ok && sku.Free {
				pt.Paid = 0 // free SKUs are never seats paid for, nor idle
			}
			if p.AppliesTo == "" {
				pt.Idle = max(0, pt.Paid-p.Consumed)
			}
			tt.Pools = append(tt.Pools, pt)
			out.Totals.Pools++
			out.Totals.Seats += p.Enabled
		}
		cutoff := now.AddDate(0, 0, -InactiveDays)
		for _, u := range t.Users {
			if u.UserType == "Guest" {
				tt.Guests++
			}
			if u.OmitUPN {
				tt.WithoutUPN = append(tt.WithoutUPN, u.Mail)
			}
			if u.LastSuccessfulSignIn != nil {
				tt.Sprayed = append(tt.Sprayed, u.UPN)
			}
			tt.Assignments += len(u.Licenses)
			if len(u.Licenses) == 0 {
				continue
			}
			switch {
			case u.SharedMailbox:
				tt.LicensedShared = append(tt.LicensedShared, u.UPN)
				if u.MailboxBytes >= 50<<30 || u.HasArchive {
					tt.SharedNeedingLicence = append(tt.SharedNeedingLicence, u.UPN)
				}
			case !u.Enabled:
				tt.DisabledLicensed = append(tt.DisabledLicensed, u.UPN)
			case u.UserType == "Guest":
				tt.LicensedGuests = append(tt.LicensedGuests, u.UPN)
			case u.Created.Before(cutoff) && u.LastSignIn == nil:
				tt.NeverSignedIn = append(tt.NeverSignedIn, u.UPN)
			case u.Created.Before(cutoff) && lastActivity(u).Before(cutoff):
				tt.InactiveLicensed = append(tt.InactiveLicensed, u.UPN)
			}
			for _, l := range u.Licenses {
				if l.Error != "" {
					tt.AssignmentErrors = append(tt.AssignmentErrors, u.UPN)
				}
			}
			tt.Redundant = append(tt.Redundant, w.redundantOf(u)...)
			if u.Enabled && u.UserType == "Member" && !u.DesktopActivated {
				tt.NoDesktopApps = append(tt.NoDesktopApps, u.UPN)
			}
		}
		out.Totals.Tenants++
		out.Totals.Users += tt.Users
		out.Totals.Assignments += tt.Assignments
		out.Tenants = append(out.Tenants, tt)
	}
	return out
}

// lastActivity is the user's last successful sign-in: what Graph serves as
// lastSuccessfulSignInDateTime (zero = never).
func lastActivity(u *User) time.Time {
	if t := u.successfulSignIn(); t != nil {
		return *t
	}
	return time.Time{}
}

// successfulSignIn is the last successful sign-in: the recorded one of a sprayed
// account, otherwise the later of the interactive and non-interactive ones.
func (u *User) successfulSignIn() *time.Time {
	if u.LastSuccessfulSignIn != nil {
		return u.LastSuccessfulSignIn
	}
	t := u.LastSignIn
	if u.LastNonInteractive != nil && (t == nil || u.LastNonInteractive.After(*t)) {
		t = u.LastNonInteractive
	}
	return t
}

// redundantOf names the licences of u that another of its licences already includes.
func (w *World) redundantOf(u *User) []string {
	var out []string
	for _, la := range u.Licenses {
		for _, lb := range u.Licenses {
			a, okA := w.gen.cat.ByID(la.SKUID)
			b, okB := w.gen.cat.ByID(lb.SKUID)
			if la.SKUID != lb.SKUID && okA && okB && !b.Free && catalog.Contains(a, b) {
				out = append(out, u.UPN+": "+b.PartNumber+" in "+a.PartNumber)
			}
		}
	}
	return out
}
