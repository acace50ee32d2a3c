package advice

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/seatledger/seatledger/internal/catalog"
	"github.com/seatledger/seatledger/internal/inventory"
)

// usageStaleAfter is how old usage reports may be before findings built on them say so.
const usageStaleAfter = 72 * time.Hour

// usageStale tells whether the usage reports read are older than usageStaleAfter.
func (a *adviser) usageStale() bool {
	return a.t.UsageReportDate != nil && a.t.Now.Sub(*a.t.UsageReportDate) > usageStaleAfter
}

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
		if a.t.MailboxPurposeData {
			a.note("no per-user usage data (reports not read, or user names concealed): unused desktop apps not assessed, and shared mailboxes known from Graph's mailbox settings only, without their size")
			a.out.NotAssessed = append(a.out.NotAssessed, NoDesktopApps)
		} else {
			a.note("no per-user usage data (reports not read, or user names concealed): shared mailboxes and unused desktop apps not assessed")
			a.out.NotAssessed = append(a.out.NotAssessed, LicensedSharedMailbox, NoDesktopApps)
		}
	}
	cutoff := a.t.Now.AddDate(0, 0, -a.th.InactiveDays)
	actBy, renewals := a.reductionDates()
	for _, u := range a.t.Users {
		a.assignmentErrors(u)
		held := a.paidLicences(u)
		if len(held) == 0 {
			continue
		}
		use, hasUsage := usage[strings.ToLower(u.UPN)]
		f := Finding{Subject: u.Name(), UserID: u.ID, Seats: 1}
		keep := ""
		switch purpose := mailboxPurpose(u, use, hasUsage); {
		case purpose != "" && purpose != "user" && (!hasUsage || use.MailboxBytes == nil):
			// Graph says what the mailbox is, but no report says how big it is.
			f.Kind = LicensedSharedMailbox
			f.Evidence = fmt.Sprintf("%s mailbox (Graph's mailbox settings) holds %s; its size and archive are unknown (no usage report row for it)", purpose, a.parts(held))
			f.Action = fmt.Sprintf("check its size and archive in the Exchange admin centre: under %d GB without an archive it needs no licence, so remove the licences", a.th.SharedMailboxGB)
			f.need(gapMailboxSize)
		case purpose != "" && purpose != "user":
			small := *use.MailboxBytes < int64(a.th.SharedMailboxGB)<<30
			archive := use.HasArchive != nil && *use.HasArchive
			if !small || archive {
				continue // a shared mailbox over the limit or with an archive needs its licence
			}
			f.Kind = LicensedSharedMailbox
			f.Evidence = fmt.Sprintf("%s mailbox of %.1f GB without archive holds %s", purpose, float64(*use.MailboxBytes)/(1<<30), a.parts(held))
			f.Action = "remove the licences: a " + purpose + " mailbox under the size limit without an archive needs none"
			if a.usageStale() {
				f.need(gapUsageStale)
			}
		case !u.Enabled:
			f.Kind = DisabledUser
			f.Evidence = "sign-in blocked, holds " + a.parts(held)
			f.Action = "remove the licences (convert the mailbox to a shared mailbox first if it must be kept)"
			if exchange := a.exchangeLicence(held); exchange != "" && purpose == "" {
				if big := bigMailbox(use, hasUsage, a.th.SharedMailboxGB); big != "" {
					// It may be a shared mailbox that needs its Exchange licence: the
					// data cannot tell, so the Exchange licence stays until someone looks.
					keep = exchange
					f.Evidence += "; the mailbox " + big + " and may be a shared mailbox, which then needs its Exchange licence"
					f.Action = fmt.Sprintf("find out whether this is a shared mailbox before touching %s (it would need it); remove the other licences", a.partNumber(exchange))
					f.need(gapMailboxType)
				}
			}
		case u.UserType == "Guest":
			f.Kind = LicensedGuest
			f.Evidence = "guest account holds " + a.parts(held)
			f.Action = "remove the licences: guests use their home tenant's licences"
		case a.t.SignInData && (u.Created == nil || u.Created.Before(cutoff)) && lastActivity(u).Before(cutoff):
			f.Kind = InactiveUser
			f.Evidence = "no successful sign-in since " + describeSignIn(u) + ", holds " + a.parts(held)
			f.Action = fmt.Sprintf("confirm with the customer, then block sign-in and remove the licences (no sign-in for %d days)", a.th.InactiveDays)
			if !hasSuccessfulSignIn(u) {
				f.Evidence = "no sign-in since " + describeSignIn(u) + ", holds " + a.parts(held)
				f.need(gapSuccessfulSignIn)
			}
		default:
			// A licence that should go is not also a licence to change.
			held = slices.DeleteFunc(held, a.redundant(u, held, actBy))
			a.premiumUnused(u, held, renewals)
			if hasUsage {
				a.noDesktopApps(u, use, held, renewals)
			}
			continue
		}
		removed := slices.DeleteFunc(slices.Clone(held), func(id string) bool { return id == keep })
		costs := make([]seatCost, len(removed))
		for i, id := range removed {
			costs[i] = seatCost{id, 1}
			a.removals[id]++
		}
		f.SKUs = a.parts(removed)
		f.MonthlySaving, f.SavingNote, f.SavingFor = a.saving(costs...)
		if f.MonthlySaving == nil {
			f.need(gapPrice)
		}
		f.ActBy = earliest(actBy, removed...)
		f.Action += thenReduce(f.ActBy)
		a.add(f, u.ID)
	}
}

// paidLicences lists the distinct paid SKUs a user holds a seat of that no exclusion
// covers. A licence in error holds no seat, so it is nothing to remove or price.
func (a *adviser) paidLicences(u inventory.User) []string {
	var out []string
	for _, id := range u.HeldSKUs() {
		if a.paid(id) && !a.excluded(id, u.UPN) {
			out = append(out, id)
		}
	}
	return out
}

// exchangeLicence is the first of the SKUs that carries an Exchange Online mailbox.
func (a *adviser) exchangeLicence(held []string) string {
	for _, id := range held {
		if s, ok := a.t.Catalog.ByID(id); ok && s.ExchangeMailbox() {
			return id
		}
	}
	return ""
}

// bigMailbox says why a mailbox may need a licence even when shared: over the size
// limit, or with an archive. Empty when the usage data shows neither.
func bigMailbox(use inventory.Usage, hasUsage bool, limitGB int) string {
	if !hasUsage {
		return ""
	}
	var why []string
	if use.MailboxBytes != nil && *use.MailboxBytes >= int64(limitGB)<<30 {
		why = append(why, fmt.Sprintf("holds %.1f GB, over %d GB", float64(*use.MailboxBytes)/(1<<30), limitGB))
	}
	if use.HasArchive != nil && *use.HasArchive {
		why = append(why, "has an archive")
	}
	return strings.Join(why, " and ")
}

func (a *adviser) parts(skuIDs []string) string {
	names := make([]string, len(skuIDs))
	for i, id := range skuIDs {
		names[i] = a.partNumber(id)
	}
	slices.Sort(names)
	return strings.Join(names, "+")
}

// reductionDates is, per SKU, the earliest date its paid seats can be reduced —
// removing a user's licence saves money only once the subscription shrinks — and the
// earliest last day of a term, by which a change to another SKU is scheduled for the
// renewal (New Commerce allows no downgrade mid-term).
func (a *adviser) reductionDates() (reduce, renew map[string]time.Time) {
	reduce, renew = map[string]time.Time{}, map[string]time.Time{}
	keep := func(m map[string]time.Time, id string, at time.Time) {
		if cur, ok := m[id]; !at.IsZero() && (!ok || at.Before(cur)) {
			m[id] = at
		}
	}
	for _, s := range a.t.Subscriptions {
		if s.Paid() {
			keep(reduce, s.SKUID, s.Reduction.ActBy())
			keep(renew, s.SKUID, s.Reduction.ScheduleBy)
		}
	}
	return reduce, renew
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

func describeSignIn(u inventory.User) string {
	last := lastActivity(u)
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
		if !u.Enabled {
			// A blocked or departing account needs no seat: end the assignment, never buy for it.
			action = "the account is blocked: remove its " + part + " assignment rather than fix it"
			if as.Group != "" {
				action = fmt.Sprintf("the account is blocked: take it out of group %s rather than buy a seat of %s", as.Group, part)
			}
		}
		a.add(Finding{Kind: AssignmentError, SKUs: part, Subject: u.Name(), UserID: u.ID, Seats: 1,
			Evidence:   fmt.Sprintf("%s assignment is in state %s (%s)", part, as.State, as.Error),
			Action:     action,
			SavingNote: "none: the user may be without the service"}, groupKey(u.ID, as)...)
	}
}

// redundant reports each paid SKU whose plans another SKU the user holds already
// includes, and tells which SKUs it reported. Containment is judged for this user:
// the covering SKU counts only with the plans not switched off for the user, only
// while its assignment is in force, and only when the tenant pays for it — a trial
// ends, and then it covers nothing.
func (a *adviser) redundant(u inventory.User, held []string, actBy map[string]time.Time) func(string) bool {
	found := map[string]bool{}
	for _, b := range held {
		skuB, okB := a.t.Catalog.ByID(b)
		if !okB {
			continue
		}
		for _, x := range held {
			skuA, okA := a.t.Catalog.ByID(x)
			if !okA || !a.paidRunning(x) {
				continue
			}
			effA := forUser(u, skuA)
			// Two SKUs with the same plans each contain the other: keep the first.
			if !catalog.Contains(effA, skuB) || catalog.Contains(forUser(u, skuB), skuA) && b < x {
				continue
			}
			f := Finding{Kind: RedundantLicence, SKUs: skuB.PartNumber, Subject: u.Name(), UserID: u.ID, Seats: 1,
				Evidence: fmt.Sprintf("every service plan of %s is included in %s, which the user also holds with those plans on", skuB.PartNumber, skuA.PartNumber),
				ActBy:    earliest(actBy, b)}
			f.Action = "remove " + skuB.PartNumber + routes(u, b) + thenReduce(f.ActBy)
			f.MonthlySaving, f.SavingNote, f.SavingFor = a.saving(seatCost{b, 1})
			if f.MonthlySaving == nil {
				f.need(gapPrice)
			}
			a.add(f, u.ID, b)
			found[b] = true
			break
		}
	}
	return func(id string) bool { return found[id] }
}

// paidRunning tells whether the tenant pays for running seats of a SKU.
func (a *adviser) paidRunning(skuID string) bool {
	acc, ok := a.account(skuID)
	return !ok || acc.Paid() > 0
}

// forUser is a SKU with only the plans the user has switched on: a plan switched
// off in every assignment of the SKU is not the user's.
func forUser(u inventory.User, s catalog.SKU) catalog.SKU {
	var off []string
	first := true
	for _, as := range u.Assignments {
		if as.SKUID != s.ID || !as.Holds() {
			continue
		}
		mine := strings.Split(as.DisabledPlans, ",")
		if first {
			off, first = mine, false
			continue
		}
		off = slices.DeleteFunc(off, func(p string) bool { return !slices.Contains(mine, p) })
	}
	if len(off) == 0 || off[0] == "" && len(off) == 1 {
		return s
	}
	out := s
	out.Plans = slices.DeleteFunc(slices.Clone(s.Plans), func(p catalog.ServicePlan) bool { return slices.Contains(off, p.ID) })
	return out
}

// groupKey identifies an assignment: the group joins the key only when there is one,
// so that a direct assignment keeps the key it always had.
func groupKey(userID string, as inventory.Assignment) []string {
	if as.Group == "" {
		return []string{userID, as.SKUID}
	}
	return []string{userID, as.SKUID, as.Group}
}

// thenReduce says how a removed licence turns into money: the subscription must shrink.
func thenReduce(actBy *time.Time) string {
	if actBy == nil {
		return ""
	}
	return "; the saving comes once the subscription is reduced by the freed seat, by " + actBy.Format(time.DateOnly)
}

// routes names every way the user holds a SKU when one is a group: a seat is freed
// only when the direct assignment and every group are gone.
func routes(u inventory.User, skuID string) string {
	direct, groups := false, []string{}
	for _, as := range u.Assignments {
		switch {
		case as.SKUID != skuID:
		case as.Group == "":
			direct = true
		case !slices.Contains(groups, as.Group):
			groups = append(groups, as.Group)
		}
	}
	if len(groups) == 0 {
		return ""
	}
	var ways []string
	if direct {
		ways = append(ways, "the direct assignment")
	}
	for _, g := range groups {
		ways = append(ways, "group "+g+" (take the user out of it, or the SKU off it)")
	}
	if len(ways) == 1 {
		return " (assigned through " + ways[0] + ")"
	}
	return " — it is assigned " + strings.Join(ways, " and through ") + ": remove every one, as removing one alone frees no seat"
}

// premiumUnused reports premium suites whose every premium plan is switched off for
// the user. New Commerce allows no downgrade mid-term: the cheaper suite replaces the
// premium one at the renewal.
func (a *adviser) premiumUnused(u inventory.User, held []string, renewals map[string]time.Time) {
	for _, id := range held {
		// A user of a premium suite (any variant) for whom every plan it adds is
		// switched off uses nothing premium.
		sku, ok := a.t.Catalog.ByID(id)
		base, premium := a.t.Catalog.PremiumBase(sku)
		if !ok || !premium {
			continue
		}
		extra := catalog.Uncovered(sku, base)
		if len(extra) == 0 || !allDisabled(u, id, extra) {
			continue
		}
		f := Finding{Kind: PremiumUnused, SKUs: sku.PartNumber, Subject: u.Name(), UserID: u.ID, Seats: 1,
			Evidence: fmt.Sprintf("all %d plans %s adds over %s are switched off for the user", len(extra), sku.PartNumber, base.PartNumber),
			ActBy:    earliest(renewals, id)}
		f.Action = fmt.Sprintf("move the user from %s to %s", sku.PartNumber, base.PartNumber) + atRenewal(f.ActBy)
		f.MonthlySaving, f.SavingNote, f.SavingFor = a.difference(id, base.ID, 1)
		if f.MonthlySaving == nil {
			f.need(gapPrice)
		}
		a.add(f, u.ID, id)
	}
}

// atRenewal says when a change to a cheaper SKU takes effect.
func atRenewal(by *time.Time) string {
	if by == nil {
		return " at the subscription's renewal (New Commerce allows no downgrade mid-term)"
	}
	return fmt.Sprintf(" at the renewal: schedule it by %s (New Commerce allows no downgrade mid-term)", by.Format(time.DateOnly))
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

// noDesktopApps reports desktop-app suites held by users who did not use the desktop
// apps in the report's period. The apps report tells use in the period (Windows, Mac)
// apart from activation (Last Activation Date), and leaves out shared-computer
// activations, so the evidence says exactly what it saw.
func (a *adviser) noDesktopApps(u inventory.User, use inventory.Usage, held []string, renewals map[string]time.Time) {
	if use.DesktopActivated == nil || *use.DesktopActivated {
		return
	}
	for _, id := range held {
		sku, ok := a.t.Catalog.ByID(id)
		to, hasTarget, suite := a.t.Catalog.DesktopSuite(sku)
		if !ok || !suite {
			continue
		}
		seen := "no desktop (Windows or Mac) use of the Office apps in the report's period and no activation on record"
		if use.LastActivation != nil {
			seen = fmt.Sprintf("no desktop (Windows or Mac) use of the Office apps in the report's period; last activated on %s", use.LastActivation.Format(time.DateOnly))
		}
		f := Finding{Kind: NoDesktopApps, SKUs: sku.PartNumber, Subject: u.Name(), UserID: u.ID, Seats: 1,
			Evidence: fmt.Sprintf("holds %s; %s (Microsoft 365 Apps usage report; shared-computer activations are not in it)", sku.PartNumber, seen),
			ActBy:    earliest(renewals, id)}
		if a.usageStale() {
			f.need(gapUsageStale)
		}
		if hasTarget {
			f.Action = fmt.Sprintf("if the user needs no desktop apps, move them to %s (web and mobile apps only)", to.PartNumber) + atRenewal(f.ActBy)
			f.MonthlySaving, f.SavingNote, f.SavingFor = a.difference(id, to.ID, 1)
			if f.MonthlySaving == nil {
				f.need(gapPrice)
			}
		} else {
			f.Action = "if the user needs no desktop apps, move them to a plan without them (Office 365 E1 with EMS E3, or Microsoft 365 F3 for frontline work)" + atRenewal(f.ActBy)
			f.SavingNote = "unknown: depends on the plan chosen"
			f.need(gapPrice)
		}
		a.add(f, u.ID, id)
	}
}
