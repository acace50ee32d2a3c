package advice

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/seatledger/seatledger/internal/catalog"
	"github.com/seatledger/seatledger/internal/inventory"
)

func (a *adviser) users() {
	usage := make(map[string]inventory.Usage, len(a.t.Usage))
	for _, u := range a.t.Usage {
		usage[strings.ToLower(u.UPN)] = u
	}
	if !a.t.SignInData {
		a.note("no sign-in data (Entra ID P1/P2 or AuditLog.Read.All missing): inactive users not assessed")
		a.out.NotAssessed = append(a.out.NotAssessed, InactiveUser)
	}
	if len(a.t.Usage) == 0 {
		a.note("no per-user usage data (reports not read, or user names concealed): shared mailboxes and unused desktop apps not assessed")
		a.out.NotAssessed = append(a.out.NotAssessed, LicensedSharedMailbox, NoDesktopApps)
	}
	cutoff := a.t.Now.AddDate(0, 0, -a.th.InactiveDays)
	actBy := a.reductionDates()
	for _, u := range a.t.Users {
		a.assignmentErrors(u)
		held := a.paidLicences(u)
		if len(held) == 0 {
			continue
		}
		use, hasUsage := usage[strings.ToLower(u.UPN)]
		f := Finding{Subject: u.UPN, Seats: 1}
		switch {
		case hasUsage && use.RecipientType == "Shared":
			small := use.MailboxBytes != nil && *use.MailboxBytes < int64(a.th.SharedMailboxGB)<<30
			archive := use.HasArchive != nil && *use.HasArchive
			if !small || archive {
				continue // a shared mailbox over the limit or with an archive needs its licence
			}
			f.Kind = LicensedSharedMailbox
			f.Evidence = fmt.Sprintf("shared mailbox of %.1f GB without archive holds %s", float64(*use.MailboxBytes)/(1<<30), a.parts(held))
			f.Action = "remove the licences: a shared mailbox under the size limit without an archive needs none"
		case !u.Enabled:
			f.Kind = DisabledUser
			f.Evidence = "sign-in blocked, holds " + a.parts(held)
			f.Action = "remove the licences (convert the mailbox to a shared mailbox first if it must be kept)"
		case u.UserType == "Guest":
			f.Kind = LicensedGuest
			f.Evidence = "guest account holds " + a.parts(held)
			f.Action = "remove the licences: guests use their home tenant's licences"
		case a.t.SignInData && (u.Created == nil || u.Created.Before(cutoff)) && lastSignIn(u).Before(cutoff):
			f.Kind = InactiveUser
			f.Evidence = "no sign-in since " + describeSignIn(u) + ", holds " + a.parts(held)
			f.Action = fmt.Sprintf("confirm with the customer, then block sign-in and remove the licences (no sign-in for %d days)", a.th.InactiveDays)
		default:
			// A licence that should go is not also a licence to change.
			held = slices.DeleteFunc(held, a.redundant(u, held, actBy))
			a.premiumUnused(u, held, actBy)
			if hasUsage {
				a.noDesktopApps(u, use, held, actBy)
			}
			continue
		}
		costs := make([]seatCost, len(held))
		for i, id := range held {
			costs[i] = seatCost{id, 1}
		}
		f.SKUs = a.parts(held)
		f.MonthlySaving, f.SavingNote = a.saving(costs...)
		f.ActBy = earliest(actBy, held...)
		f.Action += thenReduce(f.ActBy)
		a.add(f, u.ID)
	}
}

// paidLicences lists the distinct paid SKUs a user holds that no exclusion covers.
func (a *adviser) paidLicences(u inventory.User) []string {
	var out []string
	for _, as := range u.Assignments {
		if !slices.Contains(out, as.SKUID) && a.paid(as.SKUID) && !a.excluded(as.SKUID, u.UPN) {
			out = append(out, as.SKUID)
		}
	}
	return out
}

func (a *adviser) parts(skuIDs []string) string {
	names := make([]string, len(skuIDs))
	for i, id := range skuIDs {
		names[i] = a.partNumber(id)
	}
	slices.Sort(names)
	return strings.Join(names, "+")
}

// reductionDates is, per SKU, the earliest date its paid seats can be reduced: removing
// a user's licence saves money only once the subscription shrinks.
func (a *adviser) reductionDates() map[string]time.Time {
	out := map[string]time.Time{}
	for _, s := range a.t.Subscriptions {
		at := s.Reduction.ActBy()
		if !s.Paid() || at.IsZero() {
			continue
		}
		if cur, ok := out[s.SKUID]; !ok || at.Before(cur) {
			out[s.SKUID] = at
		}
	}
	return out
}

func earliest(dates map[string]time.Time, skuIDs ...string) *time.Time {
	var best time.Time
	for _, id := range skuIDs {
		if d, ok := dates[id]; ok && (best.IsZero() || d.Before(best)) {
			best = d
		}
	}
	return date(best)
}

func lastSignIn(u inventory.User) time.Time {
	var t time.Time
	if u.LastSignIn != nil {
		t = *u.LastSignIn
	}
	if u.LastNonInteractive != nil && u.LastNonInteractive.After(t) {
		t = *u.LastNonInteractive
	}
	return t
}

func describeSignIn(u inventory.User) string {
	last := lastSignIn(u)
	if last.IsZero() {
		return "account creation (never signed in)"
	}
	return last.UTC().Format(time.DateOnly)
}

func (a *adviser) assignmentErrors(u inventory.User) {
	for _, as := range u.Assignments {
		if as.State != "Error" && as.State != "ActiveWithError" || a.excluded(as.SKUID, u.UPN) {
			continue
		}
		part := a.partNumber(as.SKUID)
		action := "fix the assignment in the Microsoft 365 admin centre"
		switch as.Error {
		case "ProhibitedInUsageLocationViolation":
			action = "set the user's usage location to a country where " + part + " may be used"
		case "CountViolation":
			action = "buy a seat of " + part + " or free one: there are more assignments than seats"
		case "MutuallyExclusiveViolation":
			action = "remove the licence that conflicts with " + part
		case "DependencyViolation":
			action = "assign the licence " + part + " depends on, or remove it"
		}
		a.add(Finding{Kind: AssignmentError, SKUs: part, Subject: u.UPN, Seats: 1,
			Evidence:   fmt.Sprintf("%s assignment is in state %s (%s)", part, as.State, as.Error),
			Action:     action,
			SavingNote: "none: the user may be without the service"}, groupKey(u.ID, as)...)
	}
}

// redundant reports each paid SKU whose plans another SKU the user holds already
// includes, and tells which SKUs it reported.
func (a *adviser) redundant(u inventory.User, held []string, actBy map[string]time.Time) func(string) bool {
	found := map[string]bool{}
	for _, b := range held {
		skuB, okB := a.t.Catalog.ByID(b)
		if !okB {
			continue
		}
		for _, x := range held {
			skuA, okA := a.t.Catalog.ByID(x)
			// Two SKUs with the same plans each contain the other: keep the first. A
			// licence in error gives the user nothing, so it covers nothing.
			if !okA || !catalog.Contains(skuA, skuB) || catalog.Contains(skuB, skuA) && b < x || !working(u, x) {
				continue
			}
			f := Finding{Kind: RedundantLicence, SKUs: skuB.PartNumber, Subject: u.UPN, Seats: 1,
				Evidence: fmt.Sprintf("every service plan of %s is included in %s, which the user also holds", skuB.PartNumber, skuA.PartNumber),
				ActBy:    earliest(actBy, b)}
			f.Action = fmt.Sprintf("remove %s%s", skuB.PartNumber, viaGroup(u, b)) + thenReduce(f.ActBy)
			f.MonthlySaving, f.SavingNote = a.saving(seatCost{b, 1})
			a.add(f, u.ID, b)
			found[b] = true
			break
		}
	}
	return func(id string) bool { return found[id] }
}

// groupKey identifies an assignment: the group joins the key only when there is one,
// so that a direct assignment keeps the key it always had.
func groupKey(userID string, as inventory.Assignment) []string {
	if as.Group == "" {
		return []string{userID, as.SKUID}
	}
	return []string{userID, as.SKUID, as.Group}
}

// working tells whether one of the user's assignments of a SKU is in force.
func working(u inventory.User, skuID string) bool {
	for _, as := range u.Assignments {
		if as.SKUID == skuID && (as.State == "" || as.State == "Active" || as.State == "ActiveWithError") {
			return true
		}
	}
	return false
}

// thenReduce says how a removed licence turns into money: the subscription must shrink.
func thenReduce(actBy *time.Time) string {
	if actBy == nil {
		return ""
	}
	return "; the saving comes once the subscription is reduced by the freed seat, by " + actBy.Format(time.DateOnly)
}

func viaGroup(u inventory.User, skuID string) string {
	for _, as := range u.Assignments {
		if as.SKUID == skuID && as.Group != "" {
			return " (assigned through group " + as.Group + ": take the user out of the group or the SKU off it)"
		}
	}
	return ""
}

// premiumUnused reports premium suites whose every premium plan is switched off for the user.
func (a *adviser) premiumUnused(u inventory.User, held []string, actBy map[string]time.Time) {
	for _, id := range held {
		// A user of a premium suite for whom every plan it adds is switched off uses
		// nothing premium.
		sku, ok := a.t.Catalog.ByID(id)
		base, premium := a.t.Catalog.PremiumBase(sku)
		if !ok || !premium {
			continue
		}
		extra := catalog.Uncovered(sku, base)
		if len(extra) == 0 || !allDisabled(u, id, extra) {
			continue
		}
		f := Finding{Kind: PremiumUnused, SKUs: sku.PartNumber, Subject: u.UPN, Seats: 1,
			Evidence: fmt.Sprintf("all %d plans %s adds over %s are switched off for the user", len(extra), sku.PartNumber, base.PartNumber),
			Action:   fmt.Sprintf("move the user from %s to %s", sku.PartNumber, base.PartNumber),
			ActBy:    earliest(actBy, id)}
		f.MonthlySaving, f.SavingNote = a.difference(id, base.ID, 1)
		a.add(f, u.ID, id)
	}
}

// allDisabled tells whether every assignment of the SKU switches off every given plan:
// one assignment that leaves a plan on gives the user that plan.
func allDisabled(u inventory.User, skuID string, plans []catalog.ServicePlan) bool {
	found := false
	for _, as := range u.Assignments {
		if as.SKUID != skuID {
			continue
		}
		found = true
		off := strings.Split(as.DisabledPlans, ",")
		for _, p := range plans {
			if !slices.Contains(off, p.ID) {
				return false
			}
		}
	}
	return found
}

// noDesktopApps reports desktop-app suites held by users who never activated the apps.
func (a *adviser) noDesktopApps(u inventory.User, use inventory.Usage, held []string, actBy map[string]time.Time) {
	if use.DesktopActivated == nil || *use.DesktopActivated {
		return
	}
	for _, id := range held {
		sku, ok := a.t.Catalog.ByID(id)
		to, hasTarget, suite := a.t.Catalog.DesktopSuite(sku)
		if !ok || !suite {
			continue
		}
		f := Finding{Kind: NoDesktopApps, SKUs: sku.PartNumber, Subject: u.UPN, Seats: 1,
			Evidence: fmt.Sprintf("holds %s but never activated the desktop Office apps (usage report)", sku.PartNumber),
			ActBy:    earliest(actBy, id)}
		if hasTarget {
			f.Action = fmt.Sprintf("move the user to %s (web and mobile apps only)", to.PartNumber)
			f.MonthlySaving, f.SavingNote = a.difference(id, to.ID, 1)
		} else {
			f.Action = "move the user to a plan without desktop apps (Office 365 E1 with EMS E3, or Microsoft 365 F3 for frontline work)"
			f.SavingNote = "unknown: depends on the plan chosen"
		}
		a.add(f, u.ID, id)
	}
}
