package advice

import (
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/seatledger/seatledger/internal/catalog"
	"github.com/seatledger/seatledger/internal/contracts"
	"github.com/seatledger/seatledger/internal/inventory"
	"github.com/seatledger/seatledger/internal/terms"
)

const tenant = "11111111-1111-4111-8111-111111111111"

var now = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func cat(t *testing.T) *catalog.Catalog {
	t.Helper()
	c, err := catalog.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func sku(t *testing.T, part string) string {
	s, err := cat(t).Lookup(part)
	if err != nil {
		t.Fatal(err)
	}
	return s.ID
}

func ago(days int) *time.Time { x := now.AddDate(0, 0, -days); return &x }

// world is a small tenant: an annual Business Premium subscription of 10 seats
// bought 200 days ago, priced in the contract at 20.60 a month.
type world struct {
	t         *testing.T
	pools     []inventory.Pool
	subs      []inventory.Subscription
	users     []inventory.User
	usage     []inventory.Usage
	lines     []contracts.Line
	signIn    bool
	exclude   []Exclusion
	additions []terms.SeatAddition
	// extraPools are pools no subscription of the world explains (capacity, unknown).
	extraPools []inventory.Pool
	// at overrides the day the rules judge by.
	at time.Time
	// usageDate is the usage reports' refresh date.
	usageDate *time.Time
	// partner holds Partner Center's subscriptions, linked by commerce id.
	partner []inventory.PartnerSubscription
	// costs are the partner's costs per seat per month, by subscription id.
	costs map[string]decimal.Decimal
}

func ptr[T any](v T) *T { return &v }

func newWorld(t *testing.T) *world {
	price := decimal.RequireFromString("20.60")
	w := &world{t: t, signIn: true}
	w.subscription("SPB", 10, false, now.AddDate(0, 0, -200), now.AddDate(0, 0, 165))
	w.lines = []contracts.Line{{TenantID: tenant, SKUID: sku(t, "SPB"), PartNumber: "SPB", Term: "P1Y", Quantity: ptr(10), NoticeDays: 30, UnitPrice: &price, Start: now.AddDate(-1, 0, 0)}}
	return w
}

func (w *world) subscription(part string, seats int, trial bool, created, next time.Time) {
	w.subs = append(w.subs, inventory.Subscription{ID: part + "-sub", SKUID: sku(w.t, part), PartNumber: part, Status: "Enabled",
		TotalLicenses: seats, IsTrial: trial, Created: created, NextLifecycle: &next, OwnerTenantID: "partner"})
}

func (w *world) user(upn string, parts ...string) *inventory.User {
	u := inventory.User{ID: "id-" + upn, UPN: upn, Enabled: true, UserType: "Member", Created: ago(400), LastSignIn: ago(2)}
	for _, p := range parts {
		u.Assignments = append(u.Assignments, inventory.Assignment{SKUID: sku(w.t, p), State: "Active"})
	}
	w.users = append(w.users, u)
	return &w.users[len(w.users)-1]
}

func (w *world) run(th Thresholds) Result {
	consumed := map[string]int{}
	for _, u := range w.users {
		for _, id := range u.HeldSKUs() {
			consumed[id]++
		}
	}
	pools := map[string]*inventory.Pool{}
	var order []string
	for _, s := range w.subs {
		if pools[s.SKUID] == nil {
			pools[s.SKUID] = &inventory.Pool{SKUID: s.SKUID, PartNumber: s.PartNumber, AppliesTo: "User", Consumed: consumed[s.SKUID]}
			order = append(order, s.SKUID)
		}
		switch s.Status {
		case "Warning":
			pools[s.SKUID].Warning += s.TotalLicenses
		case "Suspended":
			pools[s.SKUID].Suspended += s.TotalLicenses
		default:
			pools[s.SKUID].Enabled += s.TotalLicenses
		}
	}
	w.pools = w.pools[:0:0]
	for _, id := range order {
		w.pools = append(w.pools, *pools[id])
	}
	w.pools = append(w.pools, w.extraPools...)
	return Advise(Tenant{TenantID: tenant, Currency: "EUR", Now: w.now(), Pools: w.pools,
		Subscriptions: terms.ResolveLinked(tenant, "partner", w.subs, w.lines, map[string][]terms.SeatAddition{"SPB-sub": w.additions},
			terms.Link(w.subs, w.partner, nil).ByGraphID, w.now()),
		Users: w.users, Usage: w.usage, UsageReportDate: w.usageDate, Costs: w.costs, SignInData: w.signIn, Contract: w.lines, Catalog: cat(w.t), Exclusions: w.exclude}, th)
}

func (w *world) now() time.Time {
	if w.at.IsZero() {
		return now
	}
	return w.at
}

func summary(r Result) string {
	var parts []string
	for _, f := range r.Findings {
		s := f.Kind + " " + f.SKUs
		if f.Subject != "" && !strings.HasSuffix(f.Subject, "-sub") {
			s += " " + f.Subject
		}
		if f.MonthlySaving != nil {
			s += " " + f.MonthlySaving.StringFixed(2)
		}
		if f.ActBy != nil {
			s += " by " + f.ActBy.Format(time.DateOnly)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

func TestRules(t *testing.T) {
	cases := []struct {
		name  string
		setup func(w *world)
		want  string
	}{
		{"clean tenant", func(w *world) {
			for i := range 10 {
				w.user(string(rune('a'+i))+"@x", "SPB")
			}
		}, ""},
		{"idle annual seats wait for the renewal", func(w *world) {
			w.user("a@x", "SPB")
		}, "unassigned-seats SPB 185.40 by 2027-05-06"},
		{"idle monthly seats go next month", func(w *world) {
			w.subs = nil
			w.subscription("SPB", 3, false, now.AddDate(0, 0, -12), now.AddDate(0, 0, 18))
			w.user("a@x", "SPB")
		}, "unassigned-seats SPB 41.20 by 2026-12-10"}, // the contract prices the seats; Microsoft's monthly term times them
		{"free SKUs are never waste", func(w *world) {
			w.subscription("FLOW_FREE", 10000, false, now.AddDate(0, 0, -100), now.AddDate(0, 0, 265))
			for i := range 10 {
				w.user(string(rune('a'+i))+"@x", "SPB", "FLOW_FREE")
			}
		}, ""},
		{"disabled, guest, inactive, never signed in, new hire", func(w *world) {
			w.user("a@x", "SPB").Enabled = false
			w.user("g@x", "SPB").UserType = "Guest"
			w.user("i@x", "SPB").LastSignIn = ago(120)
			w.user("n@x", "SPB").LastSignIn = nil
			u := w.user("h@x", "SPB")
			u.LastSignIn, u.Created = nil, ago(10)
			u = w.user("ni@x", "SPB")
			u.LastSignIn, u.LastNonInteractive = ago(120), ago(3)
			for i := range 4 {
				w.user(string(rune('p'+i))+"@x", "SPB")
			}
		}, "disabled-user SPB a@x 20.60 by 2027-05-06; inactive-user SPB i@x 20.60 by 2027-05-06; inactive-user SPB n@x 20.60 by 2027-05-06; licensed-guest SPB g@x 20.60 by 2027-05-06"},
		{"no sign-in data, no inactivity", func(w *world) {
			w.signIn = false
			w.user("i@x", "SPB").LastSignIn = ago(300)
			for i := range 9 {
				w.user(string(rune('a'+i))+"@x", "SPB")
			}
		}, ""},
		{"redundant licence, priced from the contract or unknown", func(w *world) {
			w.subscription("O365_BUSINESS_PREMIUM", 1, false, now.AddDate(0, 0, -200), now.AddDate(0, 0, 165))
			w.user("r@x", "SPB", "O365_BUSINESS_PREMIUM")
			for i := range 9 {
				w.user(string(rune('a'+i))+"@x", "SPB")
			}
		}, "redundant-licence O365_BUSINESS_PREMIUM r@x by 2027-05-06"},
		{"premium suite with every premium plan off", func(w *world) {
			w.subs = nil
			w.subscription("SPE_E5", 1, false, now.AddDate(0, 0, -200), now.AddDate(0, 0, 165))
			c := cat(t)
			e5, _ := c.Lookup("SPE_E5")
			e3, _ := c.Lookup("SPE_E3")
			var off []string
			for _, p := range catalog.Uncovered(e5, e3) {
				off = append(off, p.ID)
			}
			u := w.user("p@x", "SPE_E5")
			u.Assignments[0].DisabledPlans = strings.Join(off, ",")
			e5p, e3p := decimal.RequireFromString("57"), decimal.RequireFromString("36")
			w.lines = []contracts.Line{{SKUID: e5.ID, PartNumber: "SPE_E5", UnitPrice: &e5p, Start: now.AddDate(-1, 0, 0)},
				{SKUID: e3.ID, PartNumber: "SPE_E3", UnitPrice: &e3p, Start: now.AddDate(-1, 0, 0)}}
		}, "premium-unused SPE_E5 p@x 21.00 by 2027-05-06"},
		{"shared mailbox small needs no licence, large does", func(w *world) {
			small, big, no := int64(3)<<30, int64(60)<<30, false
			w.user("info@x", "SPB").Enabled = false
			w.user("archive@x", "SPB").Enabled = false
			w.usage = []inventory.Usage{{UPN: "info@x", RecipientType: "Shared", MailboxBytes: &small, HasArchive: &no},
				{UPN: "ARCHIVE@x", RecipientType: "Shared", MailboxBytes: &big, HasArchive: &no}}
			for i := range 8 {
				w.user(string(rune('a'+i))+"@x", "SPB")
			}
		}, "licensed-shared-mailbox SPB info@x 20.60 by 2027-05-06"},
		{"no desktop apps", func(w *world) {
			w.subs = nil
			w.subscription("O365_BUSINESS_PREMIUM", 1, false, now.AddDate(0, 0, -200), now.AddDate(0, 0, 165))
			no := false
			w.user("d@x", "O365_BUSINESS_PREMIUM")
			w.usage = []inventory.Usage{{UPN: "d@x", DesktopActivated: &no}}
		}, "no-desktop-apps O365_BUSINESS_PREMIUM d@x by 2027-05-06"},
		{"assignment error", func(w *world) {
			u := w.user("e@x", "SPB")
			u.Assignments[0].State, u.Assignments[0].Error = "Error", "ProhibitedInUsageLocationViolation"
			for i := range 9 {
				w.user(string(rune('a'+i))+"@x", "SPB")
			}
		}, "unassigned-seats SPB 20.60 by 2027-05-06; assignment-error SPB e@x"}, // a licence in error takes no seat
		{"trial ending with users on it", func(w *world) {
			w.subscription("PROJECTPROFESSIONAL", 25, true, now.AddDate(0, 0, -20), now.AddDate(0, 0, 10))
			for i := range 10 {
				w.user(string(rune('a'+i))+"@x", "SPB")
			}
			w.users[0].Assignments = append(w.users[0].Assignments, inventory.Assignment{SKUID: sku(t, "PROJECTPROFESSIONAL"), State: "Active"})
		}, "trial-ending PROJECTPROFESSIONAL by 2026-12-03"},
		{"annual renewal within 30 days with idle seats", func(w *world) {
			w.subs = nil
			w.subscription("SPB", 12, false, now.AddDate(0, 0, -345), now.AddDate(0, 0, 20))
			w.lines[0].Quantity = ptr(12)
			for i := range 10 {
				w.user(string(rune('a'+i))+"@x", "SPB")
			}
		}, "unassigned-seats SPB 41.20 by 2026-12-12; renewal-idle-seats SPB by 2026-12-12"},
		{"monthly terms never expire", func(w *world) {
			w.subs = nil
			w.subscription("SPB", 10, false, now.AddDate(0, 0, -25), now.AddDate(0, 0, 5))
			for i := range 10 {
				w.user(string(rune('a'+i))+"@x", "SPB")
			}
		}, ""},
		{"business plan over the cap", func(w *world) {
			w.subs = nil
			w.subscription("SPB", 302, false, now.AddDate(0, 0, -200), now.AddDate(0, 0, 165))
			for i := range 302 {
				w.user(strings.Repeat("u", 1+i/26)+string(rune('a'+i%26))+"@x", "SPB")
			}
		}, "business-cap SPB"},
		{"a licence in error covers nothing", func(w *world) {
			w.subscription("O365_BUSINESS_PREMIUM", 1, false, now.AddDate(0, 0, -200), now.AddDate(0, 0, 165))
			u := w.user("r@x", "SPB", "O365_BUSINESS_PREMIUM")
			u.Assignments[0].State, u.Assignments[0].Error = "Error", "ProhibitedInUsageLocationViolation"
			for i := range 9 {
				w.user(string(rune('a'+i))+"@x", "SPB")
			}
		}, "unassigned-seats SPB 20.60 by 2027-05-06; assignment-error SPB r@x"},
		{"a redundant licence is not also a licence to change", func(w *world) {
			w.subscription("O365_BUSINESS_PREMIUM", 1, false, now.AddDate(0, 0, -200), now.AddDate(0, 0, 165))
			no := false
			w.user("r@x", "SPB", "O365_BUSINESS_PREMIUM")
			w.usage = []inventory.Usage{{UPN: "r@x", DesktopActivated: &no}}
			for i := range 9 {
				w.user(string(rune('a'+i))+"@x", "SPB")
			}
		}, "redundant-licence O365_BUSINESS_PREMIUM r@x by 2027-05-06"},
		{"an assignment in error listed twice, directly and through a group", func(w *world) {
			u := w.user("e@x", "SPB")
			u.Assignments[0].State, u.Assignments[0].Error = "Error", "ProhibitedInUsageLocationViolation"
			u.Assignments = append(u.Assignments, u.Assignments[0])
			u.Assignments[1].Group = "group-1"
			for i := range 9 {
				w.user(string(rune('a'+i))+"@x", "SPB")
			}
		}, "unassigned-seats SPB 20.60 by 2027-05-06; assignment-error SPB e@x; assignment-error SPB e@x"},
		{"a monthly term renewed for months is not taken for annual", func(w *world) {
			w.subs = nil
			w.lines = nil
			w.subscription("SPB", 12, false, now.AddDate(0, 0, -101).Truncate(24*time.Hour), now.AddDate(0, 0, 21).Truncate(24*time.Hour))
			w.subs[0].NextLifecycle = ptr(time.Date(2026, 12, 14, 0, 0, 0, 0, time.UTC))
			w.subs[0].Created = time.Date(2026, 8, 14, 0, 0, 0, 0, time.UTC)
			for i := range 10 {
				w.user(string(rune('a'+i))+"@x", "SPB")
			}
		}, "unassigned-seats SPB by 2026-12-13"},
		{"after a seat addition only the added seats can go now", func(w *world) {
			w.additions = []terms.SeatAddition{{At: now.AddDate(0, 0, -2), Seats: 2}}
			for i := range 5 {
				w.user(string(rune('a'+i))+"@x", "SPB")
			}
		}, "unassigned-seats SPB 103.00 by 2026-11-28"},
		{"idle seats spread over an annual and a monthly subscription", func(w *world) {
			w.subscription("SPB", 2, false, now.AddDate(0, 0, -80).Truncate(24*time.Hour), time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC))
			w.subs[1].ID = "SPB-monthly"
			monthly := decimal.RequireFromString("24.72")
			w.lines = append(w.lines, contracts.Line{TenantID: tenant, SKUID: sku(t, "SPB"), PartNumber: "SPB", Term: "P1M", Quantity: ptr(3), NoticeDays: 30, UnitPrice: &monthly, Start: now.AddDate(-1, 0, 0)})
			for i := range 5 {
				w.user(string(rune('a'+i))+"@x", "SPB")
			}
		}, "unassigned-seats SPB 152.44 by 2026-12-02"},
		{"exclusions by user and by SKU", func(w *world) {
			w.user("svc@x", "SPB").Enabled = false
			w.user("g@x", "SPB").UserType = "Guest"
			w.exclude = []Exclusion{{UPN: "SVC@x", Reason: "service account"}, {SKUID: sku(t, "SPB"), Reason: "non-profit grant"}}
		}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t)
			c.setup(w)
			if got := summary(w.run(DefaultThresholds)); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

func TestThresholdsAndNotes(t *testing.T) {
	w := newWorld(t)
	w.user("i@x", "SPB").LastSignIn = ago(40)
	for i := range 9 {
		w.user(string(rune('a'+i))+"@x", "SPB")
	}
	if got := summary(w.run(DefaultThresholds)); got != "" {
		t.Errorf("40 days is active at 90: %s", got)
	}
	th := DefaultThresholds
	th.InactiveDays = 30
	if got := summary(w.run(th)); !strings.HasPrefix(got, "inactive-user SPB i@x") {
		t.Errorf("40 days is inactive at 30: %s", got)
	}
	w.signIn = false
	r := w.run(th)
	if len(r.Findings) != 0 || len(r.Notes) != 2 || !strings.Contains(r.Notes[0], "inactive users not assessed") {
		t.Errorf("%s %q", summary(r), r.Notes)
	}
}

func TestFingerprintIgnoresWhatChanges(t *testing.T) {
	w := newWorld(t)
	w.user("a@x", "SPB")
	first := w.run(DefaultThresholds).Findings[0]
	w.user("b@x", "SPB")
	second := w.run(DefaultThresholds).Findings[0]
	if first.Fingerprint != second.Fingerprint || first.Seats == second.Seats {
		t.Errorf("%+v\n%+v", first, second)
	}
}

func TestUnassignedSeatsActions(t *testing.T) {
	w := newWorld(t)
	w.additions = []terms.SeatAddition{{At: now.AddDate(0, 0, -2), Seats: 2}}
	for i := range 5 {
		w.user(string(rune('a'+i))+"@x", "SPB")
	}
	f := w.run(DefaultThresholds).Findings[0]
	if !strings.Contains(f.Action, "reduce by 2 seats (the ones added) before 2026-11-28 12:00 UTC") || !strings.Contains(f.Action, "the other 3 for the renewal on 2027-05-07") {
		t.Errorf("seat addition: %s", f.Action)
	}

	w = newWorld(t)
	w.subs[0].OwnerTenantID = "another-partner"
	w.user("a@x", "SPB")
	f = w.run(DefaultThresholds).Findings[0]
	if !strings.Contains(f.Action, "held with another partner") {
		t.Errorf("other partner: %s", f.Action)
	}
}
