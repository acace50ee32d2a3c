package advice

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/seatledger/seatledger/internal/contracts"
	"github.com/seatledger/seatledger/internal/inventory"
	"github.com/seatledger/seatledger/internal/terms"
)

// Shapes real tenants have, each with the answer a licensing specialist gives.

func findingsOf(r Result, kind string) []Finding {
	var out []Finding
	for _, f := range r.Findings {
		if f.Kind == kind {
			out = append(out, f)
		}
	}
	return out
}

func only(t *testing.T, r Result, kind string) Finding {
	t.Helper()
	fs := findingsOf(r, kind)
	if len(fs) != 1 {
		t.Fatalf("%d %s findings, want 1; all: %s", len(fs), kind, summary(r))
	}
	return fs[0]
}

func none(t *testing.T, r Result, kinds ...string) {
	t.Helper()
	for _, k := range kinds {
		if fs := findingsOf(r, k); len(fs) > 0 {
			t.Errorf("unexpected %s: %s", k, summary(r))
		}
	}
}

func contains3(t *testing.T, what, text string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(text, p) {
			t.Errorf("%s %q lacks %q", what, text, p)
		}
	}
}

// Case 1: a pool whose only subscription expired and is in grace: its seats are
// still usable (nothing idle), it will not renew, and its users lose service on the
// suspension date.
func TestSeatsInGrace(t *testing.T) {
	w := newWorld(t)
	w.subs = nil
	w.subscription("SPB", 1100, false, now.AddDate(-1, 0, -20), now.AddDate(0, 0, 12))
	w.subs[0].Status = "Warning"
	for i := range 1100 {
		w.user("u"+string(rune('a'+i%26))+strings.Repeat("x", i/26)+"@x", "SPB")
	}
	r := w.run(DefaultThresholds)
	none(t, r, UnassignedSeats, RenewalIdleSeats, OverAssigned)
	f := only(t, r, SubscriptionInGrace)
	if f.ActBy == nil || f.ActBy.Format(time.DateOnly) != "2026-12-05" {
		t.Errorf("act by %v, want the suspension day, 2026-12-05", f.ActBy)
	}
	contains3(t, "evidence", f.Evidence, "1100 users", "lose service", "suspends it on 2026-12-05")
	if strings.Contains(f.Action+f.Evidence, "renew") && !strings.Contains(f.Evidence, "expired") {
		t.Errorf("a subscription in grace is not renewing: %s", f.Action)
	}
	for _, s := range terms.Resolve(tenant, "partner", w.subs, w.lines, nil, now) {
		if !s.Term.Renewal.IsZero() || s.Paid() {
			t.Errorf("a subscription in grace neither renews nor is billed: %+v", s)
		}
	}

	// Suspended: users have lost service, nothing is billed, data goes on the date.
	w.subs[0].Status = "Suspended"
	r = w.run(DefaultThresholds)
	f = only(t, r, SubscriptionLapsed)
	contains3(t, "evidence", f.Evidence, "suspended", "no service", "deleted on 2026-12-05")
	none(t, r, UnassignedSeats, SubscriptionInGrace)
}

// Case 2: tenant-level capacity (storage) is never seats.
func TestCapacityIsNotSeats(t *testing.T) {
	w := newWorld(t)
	for i := range 10 {
		w.user(string(rune('a'+i))+"@x", "SPB")
	}
	storage := "99049c9c-6011-4908-bf17-15f496e6519d" // SHAREPOINTSTORAGE, not in the built-in catalogue
	w.extraPools = []inventory.Pool{{SKUID: storage, PartNumber: "SHAREPOINTSTORAGE", AppliesTo: "Company", Enabled: 500}}
	r := w.run(DefaultThresholds)
	if len(r.Findings) != 0 {
		t.Errorf("capacity advised on: %s", summary(r))
	}
}

// Case 3: more users than seats, no trial: a finding naming who holds them.
func TestOverAssigned(t *testing.T) {
	w := newWorld(t)
	w.subs = nil
	w.subscription("SPB", 5, false, now.AddDate(0, 0, -200), now.AddDate(0, 0, 165))
	for i := range 7 {
		w.user(string(rune('a'+i))+"@x", "SPB")
	}
	f := only(t, w.run(DefaultThresholds), OverAssigned)
	if f.Seats != 2 {
		t.Errorf("seats %d, want 2", f.Seats)
	}
	contains3(t, "action", f.Action, "buy 2 seats", "take SPB from 2 users")
}

// Case 4: trials that convert. Never advise buying seats the conversion adds.
func TestTrialsThatConvert(t *testing.T) {
	t.Run("nobody uses it", func(t *testing.T) {
		w := newWorld(t)
		for i := range 10 {
			w.user(string(rune('a'+i))+"@x", "SPB")
		}
		w.subscription("POWER_BI_PRO", 25, true, now.AddDate(0, 0, -24), now.AddDate(0, 0, 6))
		f := only(t, w.run(DefaultThresholds), TrialEnding)
		contains3(t, "action", f.Action, "turn the trial's conversion off", "25 seats paid that nobody needs")
		if strings.Contains(f.Action, "buy") {
			t.Errorf("advises buying: %s", f.Action)
		}
	})
	t.Run("three users beside five paid seats", func(t *testing.T) {
		w := newWorld(t)
		for i := range 10 {
			w.user(string(rune('a'+i))+"@x", "SPB")
		}
		w.subscription("POWER_BI_PRO", 5, false, now.AddDate(0, 0, -200), now.AddDate(0, 0, 165))
		w.subscription("POWER_BI_PRO", 25, true, now.AddDate(0, 0, -24), now.AddDate(0, 0, 6))
		w.subs[2].ID = "pbi-trial"
		for i := range 3 {
			w.users[i].Assignments = append(w.users[i].Assignments, inventory.Assignment{SKUID: sku(t, "POWER_BI_PRO"), State: "Active"})
		}
		r := w.run(DefaultThresholds)
		f := only(t, r, TrialEnding)
		contains3(t, "evidence", f.Evidence, "nobody relies on the trial")
		contains3(t, "action", f.Action, "turn the trial's conversion off")
		u := only(t, r, UnassignedSeats)
		if u.SKUs != "POWER_BI_PRO" || u.Seats != 2 {
			t.Errorf("idle paid seats: %+v", u)
		}
	})
	t.Run("users beyond the paid seats", func(t *testing.T) {
		w := newWorld(t)
		for i := range 10 {
			w.user(string(rune('a'+i))+"@x", "SPB")
		}
		w.subscription("POWER_BI_PRO", 25, true, now.AddDate(0, 0, -24), now.AddDate(0, 0, 6))
		for i := range 3 {
			w.users[i].Assignments = append(w.users[i].Assignments, inventory.Assignment{SKUID: sku(t, "POWER_BI_PRO"), State: "Active"})
		}
		f := only(t, w.run(DefaultThresholds), TrialEnding)
		contains3(t, "action", f.Action, "let it convert to 25 seats paid and reduce by 22", "or turn its conversion off and buy 3 seats — not both")
	})
}

// Case 5: a blocked leaver whose only licence is in error through a group holds no
// seat: no disabled-user finding, no saving, and the fix is the group, not a seat.
func TestLicenceInErrorHoldsNoSeat(t *testing.T) {
	w := newWorld(t)
	w.subs = nil
	w.subscription("SPE_E3", 10, false, now.AddDate(0, 0, -200), now.AddDate(0, 0, 165))
	for i := range 10 {
		w.user(string(rune('a'+i))+"@x", "SPE_E3")
	}
	u := w.user("leaver@x", "SPE_E3")
	u.Enabled = false
	u.Assignments[0].Group, u.Assignments[0].State, u.Assignments[0].Error = "6e000000-0000-4000-8000-0000000000aa", "Error", "CountViolation"
	r := w.run(DefaultThresholds)
	none(t, r, DisabledUser, InactiveUser, UnassignedSeats)
	f := only(t, r, AssignmentError)
	contains3(t, "action", f.Action, "take it out of group 6e000000-0000-4000-8000-0000000000aa")
	if strings.Contains(f.Action, "buy") && !strings.Contains(f.Action, "rather than buy") || f.MonthlySaving != nil {
		t.Errorf("a blocked leaver's error: %+v", f)
	}
}

// Case 6: one seat of a SKU held directly and through a group; the redundancy
// action names both routes.
func TestDirectAndGroup(t *testing.T) {
	w := newWorld(t)
	w.subs = nil
	w.subscription("SPE_E3", 1, false, now.AddDate(0, 0, -200), now.AddDate(0, 0, 165))
	w.subscription("SPE_E5", 1, false, now.AddDate(0, 0, -200), now.AddDate(0, 0, 165))
	w.subs[1].ID = "e5-sub"
	u := w.user("both@x", "SPE_E3", "SPE_E5")
	u.Assignments = append(u.Assignments, inventory.Assignment{SKUID: sku(t, "SPE_E3"), Group: "6e000000-0000-4000-8000-0000000000e3", State: "Active"})
	r := w.run(DefaultThresholds)
	none(t, r, UnassignedSeats, OverAssigned)
	f := only(t, r, RedundantLicence)
	if f.SKUs != "SPE_E3" || f.Seats != 1 || f.UserID != "id-both@x" {
		t.Errorf("%+v", f)
	}
	contains3(t, "action", f.Action, "the direct assignment", "group 6e000000-0000-4000-8000-0000000000e3", "removing one alone frees no seat")
}

// Case 7: redundancy must be real — not against a trial, not against a SKU whose
// covering plan is switched off for the user.
func TestRedundancyMustBeReal(t *testing.T) {
	t.Run("the covering SKU is a trial", func(t *testing.T) {
		w := newWorld(t)
		w.subs = nil
		w.subscription("SPE_E3", 1, false, now.AddDate(0, 0, -200), now.AddDate(0, 0, 165))
		w.subscription("SPE_E5", 5, true, now.AddDate(0, 0, -10), now.AddDate(0, 0, 20))
		w.subs[1].ID = "e5-trial"
		w.user("t@x", "SPE_E3", "SPE_E5")
		none(t, w.run(DefaultThresholds), RedundantLicence)
	})
	t.Run("Exchange switched off in the suite", func(t *testing.T) {
		c := cat(t)
		e3, _ := c.Lookup("SPE_E3")
		var exchange string
		for _, p := range e3.Plans {
			if p.Name == "EXCHANGE_S_ENTERPRISE" {
				exchange = p.ID
			}
		}
		w := newWorld(t)
		w.subs = nil
		w.subscription("SPE_E3", 1, false, now.AddDate(0, 0, -200), now.AddDate(0, 0, 165))
		w.subscription("EXCHANGEENTERPRISE", 1, false, now.AddDate(0, 0, -200), now.AddDate(0, 0, 165))
		w.subs[1].ID = "exo-sub"
		u := w.user("x@x", "SPE_E3", "EXCHANGEENTERPRISE")
		u.Assignments[0].DisabledPlans = exchange
		none(t, w.run(DefaultThresholds), RedundantLicence)
		u.Assignments[0].DisabledPlans = ""
		only(t, w.run(DefaultThresholds), RedundantLicence)
	})
}

// Case 9: activation is not this month's use, and a downgrade waits for the renewal.
func TestActivationIsNotUse(t *testing.T) {
	w := newWorld(t)
	w.subs = nil
	w.subscription("O365_BUSINESS_PREMIUM", 1, false, now.AddDate(0, 0, -200), now.AddDate(0, 0, 165))
	no, activated := false, time.Date(2025, 9, 14, 0, 0, 0, 0, time.UTC)
	w.user("d@x", "O365_BUSINESS_PREMIUM")
	w.usage = []inventory.Usage{{UPN: "d@x", DesktopActivated: &no, LastActivation: &activated}}
	f := only(t, w.run(DefaultThresholds), NoDesktopApps)
	contains3(t, "evidence", f.Evidence, "last activated on 2025-09-14", "shared-computer activations are not in it")
	if strings.Contains(f.Evidence, "never activated") {
		t.Errorf("says never activated: %s", f.Evidence)
	}
	contains3(t, "action", f.Action, "at the renewal", "no downgrade mid-term")
}

// Case 10: a disabled account with a large mailbox may be a shared mailbox that needs
// its Exchange licence: not "remove the licences", and it says what is unknown.
func TestBigMailboxOfUnknownType(t *testing.T) {
	w := newWorld(t)
	big := int64(60) << 30
	w.user("big@x", "SPB").Enabled = false
	w.usage = []inventory.Usage{{UPN: "big@x", MailboxBytes: &big}}
	f := only(t, w.run(DefaultThresholds), DisabledUser)
	if strings.HasPrefix(f.Action, "remove the licences") || f.Confidence != Low || !slices.Contains(f.Missing, gapMailboxType.what) {
		t.Errorf("%+v", f)
	}
	contains3(t, "action", f.Action, "find out whether this is a shared mailbox")

	// Graph says it is a shared mailbox over the limit: it needs its licence.
	w.users[0].MailboxPurpose = "shared"
	none(t, w.run(DefaultThresholds), DisabledUser, LicensedSharedMailbox)
}

// Case 8: failed sign-ins are not activity.
func TestFailedSignInsAreNotActivity(t *testing.T) {
	w := newWorld(t)
	u := w.user("sprayed@x", "SPB")
	u.LastSignIn, u.LastNonInteractive = ago(1), ago(1)
	u.LastSuccessfulSignIn = ptr(time.Date(2026, 5, 2, 0, 0, 0, 0, time.UTC))
	f := only(t, w.run(DefaultThresholds), InactiveUser)
	contains3(t, "evidence", f.Evidence, "no successful sign-in since 2026-05-02")
	if f.Confidence != High {
		t.Errorf("confidence %s: %v", f.Confidence, f.Missing)
	}
}

// Case 16: idle seats under a contract billing as assigned cost the partner, at
// Microsoft's price; under a committed quantity they are the customer's saving once
// the contract changes.
func TestWhoseMoney(t *testing.T) {
	w := newWorld(t)
	w.user("a@x", "SPB")
	f := only(t, w.run(DefaultThresholds), UnassignedSeats)
	if f.SavingFor != ForCustomer || !strings.Contains(f.SavingNote, "committed quantity is lowered (30 days' notice)") {
		t.Errorf("committed: %+v", f)
	}
	w.lines[0].Quantity = nil
	f = only(t, w.run(DefaultThresholds), UnassignedSeats)
	if f.SavingFor != ForPartner || f.MonthlySaving != nil || !strings.Contains(f.SavingNote, "cost the partner Microsoft's price") {
		t.Errorf("as assigned: %+v", f)
	}
}

// A trial SKU among a user's licences costs nothing: the known part is the saving.
func TestTrialInAUserFinding(t *testing.T) {
	w := newWorld(t)
	w.subscription("POWER_BI_PRO", 25, true, now.AddDate(0, 0, -5), now.AddDate(0, 0, 25))
	u := w.user("gone@x", "SPB", "POWER_BI_PRO")
	u.Enabled = false
	f := only(t, w.run(DefaultThresholds), DisabledUser)
	if f.MonthlySaving == nil || !f.MonthlySaving.Equal(decimal.RequireFromString("20.60")) {
		t.Errorf("saving %v (%s)", f.MonthlySaving, f.SavingNote)
	}
}

// Idle seats spread over subscriptions renewing soon count once.
func TestRenewalIdleSeatsCountOnce(t *testing.T) {
	w := newWorld(t)
	w.subs = nil
	w.subscription("SPB", 10, false, now.AddDate(0, 0, -345), now.AddDate(0, 0, 20))
	w.subscription("SPB", 10, false, now.AddDate(0, 0, -340), now.AddDate(0, 0, 25))
	w.subs[1].ID = "SPB-second"
	for i := range 17 {
		w.user(string(rune('a'+i))+"@x", "SPB")
	}
	total := 0
	for _, f := range findingsOf(w.run(DefaultThresholds), RenewalIdleSeats) {
		total += f.Seats
	}
	if total != 3 {
		t.Errorf("renewal findings carry %d idle seats, want the tenant's 3", total)
	}
}

// The Business cap counts paid seats and says how many remain over it after the
// other findings.
func TestBusinessCapAfterOtherFindings(t *testing.T) {
	w := newWorld(t)
	w.subs = nil
	w.subscription("SPB", 359, false, now.AddDate(0, 0, -200), now.AddDate(0, 0, 165))
	for i := range 330 {
		u := w.user("u"+string(rune('a'+i%26))+strings.Repeat("x", i/26)+"@x", "SPB")
		if i < 35 {
			u.Enabled = false
		}
	}
	f := only(t, w.run(DefaultThresholds), BusinessCap)
	// 359 paid, 29 idle, 35 disabled users advised for removal: 295, under the cap.
	if f.Seats != 0 || !strings.Contains(f.Action, "the other findings bring it under the cap") {
		t.Errorf("%+v", f)
	}
}

// A pool whose subscriptions Graph did not list: its idle seats are reported, with
// an unknown price and low confidence.
func TestPoolWithoutSubscriptions(t *testing.T) {
	w := newWorld(t)
	w.subs = nil
	id := sku(t, "SPB")
	w.extraPools = []inventory.Pool{{SKUID: id, PartNumber: "SPB", AppliesTo: "User", Enabled: 12, Consumed: 1}}
	w.user("a@x", "SPB")
	f := only(t, w.run(DefaultThresholds), UnassignedSeats)
	if f.Seats != 11 || f.MonthlySaving != nil || f.Confidence != Low {
		t.Errorf("%+v", f)
	}
}

// A P1M contract line on a subscription whose dates show an annual commitment: the
// commitment times the renewal warning.
func TestContractTermIsNotMicrosoftsTerm(t *testing.T) {
	w := newWorld(t)
	w.subs = nil
	w.subscription("SPB", 12, false, now.AddDate(-1, 0, 27), now.AddDate(0, 0, 27))
	monthly := decimal.RequireFromString("24.72")
	w.lines = []contracts.Line{{TenantID: tenant, SKUID: sku(t, "SPB"), PartNumber: "SPB", Term: "P1M", Quantity: ptr(12), NoticeDays: 30, UnitPrice: &monthly, Start: now.AddDate(-2, 0, 0)}}
	for i := range 10 {
		w.user(string(rune('a'+i))+"@x", "SPB")
	}
	r := w.run(DefaultThresholds)
	only(t, r, RenewalIdleSeats)
	f := only(t, r, UnassignedSeats)
	contains3(t, "action", f.Action, "schedule a reduction of 2 seats for the renewal on 2026-12-20", "P1Y term, inferred")
}

// A usage report older than 72 hours weakens the findings built on it.
func TestStaleUsageReport(t *testing.T) {
	w := newWorld(t)
	w.subs = nil
	w.subscription("O365_BUSINESS_PREMIUM", 1, false, now.AddDate(0, 0, -200), now.AddDate(0, 0, 165))
	no := false
	w.user("d@x", "O365_BUSINESS_PREMIUM")
	w.usage = []inventory.Usage{{UPN: "d@x", DesktopActivated: &no}}
	w.usageDate = ptr(now.AddDate(0, 0, -5))
	f := only(t, w.run(DefaultThresholds), NoDesktopApps)
	if !slices.Contains(f.Missing, gapUsageStale.what) || f.Confidence == High {
		t.Errorf("%+v", f)
	}
}

// A mailbox Graph says is shared, with no usage report to tell its size: a
// shared-mailbox finding for review, never "disabled user, remove the licences".
func TestSharedMailboxOfUnknownSize(t *testing.T) {
	w := newWorld(t)
	u := w.user("info@x", "SPB")
	u.Enabled, u.MailboxPurpose = false, "shared"
	r := w.run(DefaultThresholds)
	none(t, r, DisabledUser)
	f := only(t, r, LicensedSharedMailbox)
	if f.Confidence != Low || !slices.Contains(f.Missing, gapMailboxSize.what) {
		t.Errorf("%+v", f)
	}
	contains3(t, "action", f.Action, "check its size and archive")
}

// Partner Center's view: auto-renew off on a subscription ending soon is a finding
// of its own and carries no renewal warning; a monthly roll-over with auto-renew on is
// never expiring; a refund window after a seat addition frees only the seats added.
func TestPartnerCenterTerms(t *testing.T) {
	pc := func(id, term, cycle string, end time.Time, autoRenew bool) inventory.PartnerSubscription {
		return inventory.PartnerSubscription{ID: id, ProductType: "OnlineServicesNCE", Quantity: 12, TermDuration: term, BillingCycle: cycle, CommitmentEnd: &end, AutoRenew: autoRenew}
	}
	t.Run("auto-renew off, ending in 10 days", func(t *testing.T) {
		w := newWorld(t)
		w.subs = nil
		w.subscription("SPB", 12, false, now.AddDate(-1, 0, 10), now.AddDate(0, 0, 10))
		w.subs[0].CommerceID = "pc-1"
		w.partner = []inventory.PartnerSubscription{pc("pc-1", "P1Y", "monthly", terms.Day(now).AddDate(0, 0, 9), false)}
		for i := range 10 {
			w.user(string(rune('a'+i))+"@x", "SPB")
		}
		r := w.run(DefaultThresholds)
		none(t, r, RenewalIdleSeats)
		f := only(t, r, SubscriptionExpiring)
		if f.ActBy == nil || f.ActBy.Format(time.DateOnly) != "2026-12-02" || f.Confidence != High {
			t.Errorf("%+v", f)
		}
		contains3(t, "evidence", f.Evidence, "auto-renew is off", "10 users hold seats only it covers")
		u := only(t, r, UnassignedSeats)
		contains3(t, "action", u.Action, "auto-renew is off")
	})
	t.Run("a monthly roll-over with auto-renew on", func(t *testing.T) {
		w := newWorld(t)
		w.subs = nil
		w.subscription("SPB", 12, false, now.AddDate(-1, 0, 10), now.AddDate(0, 0, 10))
		w.subs[0].CommerceID = "pc-1"
		w.partner = []inventory.PartnerSubscription{pc("pc-1", "P1M", "monthly", terms.Day(now).AddDate(0, 0, 9), true)}
		for i := range 12 {
			w.user(string(rune('a'+i))+"@x", "SPB")
		}
		if r := w.run(DefaultThresholds); len(r.Findings) != 0 {
			t.Errorf("a monthly roll-over: %s", summary(r))
		}
	})
	t.Run("only the seats added can be refunded", func(t *testing.T) {
		w := newWorld(t)
		w.subs[0].CommerceID = "pc-1"
		p := pc("pc-1", "P1Y", "annual", terms.Day(now).AddDate(0, 0, 164), true)
		until := now.Add(4 * 24 * time.Hour)
		p.Quantity, p.RefundUntil, p.Refundable = 10, &until, []inventory.RefundableSeats{{Seats: 2, Until: until}}
		w.partner = []inventory.PartnerSubscription{p}
		for i := range 5 {
			w.user(string(rune('a'+i))+"@x", "SPB")
		}
		f := only(t, w.run(DefaultThresholds), UnassignedSeats)
		contains3(t, "action", f.Action, "reduce by 2 seats (the ones added) before 2026-11-27 12:00 UTC", "the other 3 for the renewal on 2027-05-07")
		if f.Confidence != High {
			t.Errorf("confidence %s, missing %v", f.Confidence, f.Missing)
		}
	})
}

// The customer saves only the idle seats its contract bills: 17 bought, 15 billed,
// 11 assigned — 4 seats are the customer's saving, 2 the partner's cost.
func TestIdleSeatsTheContractDoesNotBill(t *testing.T) {
	w := newWorld(t)
	w.subs = nil
	w.subscription("SPB", 17, false, now.AddDate(0, 0, -200), now.AddDate(0, 0, 165))
	w.lines[0].Quantity = ptr(15)
	for i := range 11 {
		w.user(string(rune('a'+i))+"@x", "SPB")
	}
	f := only(t, w.run(DefaultThresholds), UnassignedSeats)
	if f.Seats != 6 || f.MonthlySaving == nil || f.MonthlySaving.String() != "82.40" || f.SavingFor != ForCustomer {
		t.Errorf("%+v", f)
	}
	contains3(t, "saving note", f.SavingNote, "at least: 2 seats of the idle seats the contract does not bill")
}

// Judged after the dates on record have passed (an old sync, a replay), a finding
// never carries an act-by date in the past, and a trial past its end stays reported
// until a sync says whether it converted.
func TestActByNeverInThePast(t *testing.T) {
	w := newWorld(t)
	w.subs = nil
	w.subscription("SPB", 10, false, now.AddDate(-1, 0, -20), now.AddDate(0, 0, 2))
	w.subs[0].Status = "Warning"
	w.subscription("POWER_BI_PRO", 25, true, now.AddDate(0, 0, -28), now.AddDate(0, 0, 2))
	w.subs[1].ID = "trial"
	for i := range 10 {
		w.user(string(rune('a'+i))+"@x", "SPB")
	}
	w.at = now.AddDate(0, 0, 10)
	r := w.run(DefaultThresholds)
	for _, f := range r.Findings {
		if f.ActBy != nil && f.ActBy.Before(terms.Day(w.at)) {
			t.Errorf("%s act by %s, before %s", f.Kind, f.ActBy.Format(time.DateOnly), w.at.Format(time.DateOnly))
		}
	}
	g := only(t, r, SubscriptionInGrace)
	contains3(t, "action", g.Action, "has passed")
	only(t, r, TrialEnding)
}

// With a price list imported, savings that were unknown are priced: the partner's
// cost at Microsoft's price for idle seats no contract bills, and Microsoft's price
// plus the markup for a cost-plus line.
func TestSavingsFromThePriceList(t *testing.T) {
	setup := func(t *testing.T, seats, billed, assigned int) *world {
		w := newWorld(t)
		w.subs = nil
		w.subscription("SPB", seats, false, now.AddDate(0, 0, -200), now.AddDate(0, 0, 165))
		w.lines[0].Quantity = ptr(billed)
		w.costs = map[string]decimal.Decimal{"SPB-sub": decimal.RequireFromString("18")}
		for i := range assigned {
			w.user(string(rune('a'+i))+"@x", "SPB")
		}
		return w
	}
	t.Run("as assigned: the partner's cost", func(t *testing.T) {
		w := setup(t, 12, 12, 10)
		w.lines[0].Quantity = nil
		f := only(t, w.run(DefaultThresholds), UnassignedSeats)
		if f.MonthlySaving == nil || f.MonthlySaving.String() != "36.00" || f.SavingFor != ForPartner {
			t.Errorf("%+v", f)
		}
		contains3(t, "note", f.SavingNote, "the partner's cost at Microsoft's price")
	})
	t.Run("cost plus 15 %", func(t *testing.T) {
		w := setup(t, 12, 12, 10)
		w.lines[0].UnitPrice = nil
		m := decimal.NewFromInt(15)
		w.lines[0].MarkupPercent = &m
		f := only(t, w.run(DefaultThresholds), UnassignedSeats)
		if f.MonthlySaving == nil || f.MonthlySaving.String() != "41.40" || f.SavingFor != ForCustomer {
			t.Errorf("%+v", f)
		}
		contains3(t, "note", f.SavingNote, "plus the contract's markup")
	})
	t.Run("17 bought, 15 billed, 11 assigned", func(t *testing.T) {
		f := only(t, setup(t, 17, 15, 11).run(DefaultThresholds), UnassignedSeats)
		// 4 × 20.60 the customer's, 2 × 18 the partner's.
		if f.MonthlySaving == nil || f.MonthlySaving.String() != "118.40" || strings.Contains(f.SavingNote, "at least") {
			t.Errorf("%+v", f)
		}
	})
}
