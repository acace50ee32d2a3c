package notices

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/seatledger/seatledger/internal/customers"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func dec(s string) *decimal.Decimal {
	d := decimal.RequireFromString(s)
	return &d
}

func TestDue(t *testing.T) {
	cases := []struct {
		reaches, detected string
		days              int
		due               string
		late              int
	}{
		{"2027-01-01", "2026-11-01", 30, "2026-12-02", 0},
		{"2027-01-01", "2026-12-02", 30, "2026-12-02", 0},
		{"2027-01-01", "2026-12-12", 30, "2026-12-02", 10},
		{"2027-03-01", "2027-02-27", 0, "2027-03-01", 0},
	}
	for _, c := range cases {
		due, late := Due(day(c.reaches), c.days, day(c.detected).Add(15*time.Hour))
		if !due.Equal(day(c.due)) || late != c.late {
			t.Errorf("Due(%s, %d, %s) = %s, %d late; want %s, %d", c.reaches, c.days, c.detected, due.Format(time.DateOnly), late, c.due, c.late)
		}
	}
}

func TestRetryBacksOff(t *testing.T) {
	want := []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute}
	for i, w := range want {
		if got := Retry(i + 1); got != w {
			t.Errorf("Retry(%d) = %s, want %s", i+1, got, w)
		}
	}
	if Retry(40) != 6*time.Hour {
		t.Errorf("Retry(40) = %s, want the 6h cap", Retry(40))
	}
}

func customer() customers.Customer {
	return customers.Customer{TenantID: "t1", Name: "Bakker BV", Currency: "EUR", Locale: "nl", Market: "NL",
		Contacts: []customers.Contact{{Email: "it@bakker.example"}, {Email: "cfo@bakker.example", Locale: "en"}, {Email: "fin@bakker.example"}}}
}

func TestDetect(t *testing.T) {
	detected := day("2026-12-10").Add(9 * time.Hour)
	rise := func(sub string, seats int, reaches string) PriceMove {
		ch := decimal.NewFromInt(int64(seats)).Mul(decimal.RequireFromString("1.50"))
		return PriceMove{Change: "up|E3|P1Y|2027-01-01", Effective: day("2027-01-01"), SubscriptionID: sub, NoticeDays: 30,
			Line: PriceLine{Product: "Office 365 E3", PartNumber: "ENTERPRISEPACK", Term: "P1Y", Seats: seats, Old: dec("20.00"), New: dec("21.50"),
				Reaches: day(reaches), MonthlyChange: &ch, Changes: []string{"up|E3|P1Y|2027-01-01"}}}
	}
	f := Facts{
		Customer: customer(), Detected: detected, NoticeDays: 45,
		Moves: []PriceMove{rise("s1", 10, "2027-03-05"), rise("s2", 5, "2027-03-05"), rise("s3", 3, "2027-01-01")},
		Held: []Held{
			{SubscriptionID: "s1", Subscription: Subscription{PartNumber: "ENTERPRISEPACK", Term: "P1Y", Seats: 10, Assigned: 7, Idle: 3, Renews: day("2027-01-05")}, BillingPlan: "monthly", NoticeDays: 30},
			{SubscriptionID: "s4", Subscription: Subscription{PartNumber: "SPB", Term: "P1Y", Seats: 4, Assigned: 2, Renews: day("2027-01-02")}, AutoRenewOff: true, NoticeDays: 30},
			{SubscriptionID: "s5", Subscription: Subscription{PartNumber: "SPB", Term: "P1Y", Seats: 4, Assigned: 0, Renews: day("2027-01-02")}, AutoRenewOff: true, NoticeDays: 30},
			{SubscriptionID: "s6", Subscription: Subscription{PartNumber: "SPB", Term: "P1M", Seats: 4, Assigned: 4, Renews: day("2026-12-20")}, NoticeDays: 30},
			{SubscriptionID: "s7", Subscription: Subscription{PartNumber: "SPE_E5", Term: "P1Y", Seats: 4, Assigned: 4, Renews: day("2027-06-01")}, NoticeDays: 30},
		},
		Proposals: []Proposal{{PartNumber: "ENTERPRISEPACK", Finding: "unassigned-seats", Seats: 3, MonthlySaving: dec("60.00")},
			{PartNumber: "SPB", Finding: "inactive-user", Seats: 1}},
		Announced: []Announced{{Key: "monthly-billing-2027", Effective: day("2027-04-01"), Affects: Affects{BillingPlans: []string{"monthly"}},
			Text: map[string]AnnouncedText{"en": {Title: "Monthly billing", Body: "costs more"}, "nl": {Title: "Maandelijkse facturering", Body: "kost meer"}}},
			{Key: "in-force-already", Effective: day("2026-12-01"), Text: map[string]AnnouncedText{"en": {Title: "old", Body: "old"}}},
			{Key: "triennial-only", Effective: day("2027-04-01"), Affects: Affects{Terms: []string{"P3Y"}}, Text: map[string]AnnouncedText{"en": {Title: "x", Body: "y"}}}},
	}
	drafts := Detect(f)
	byKind := map[string][]Draft{}
	for _, d := range drafts {
		byKind[d.Kind+"/"+d.Locale] = append(byKind[d.Kind+"/"+d.Locale], d)
	}
	// Two audiences (nl: two contacts, en: one) get each notice.
	for _, k := range []string{PriceChange, TermsChange, Renewal, Expiring, Digest} {
		if len(byKind[k+"/nl"]) != 1 || len(byKind[k+"/en"]) != 1 {
			t.Errorf("%s: nl %d, en %d notices, want one each", k, len(byKind[k+"/nl"]), len(byKind[k+"/en"]))
		}
	}
	if len(drafts) != 10 {
		t.Errorf("%d drafts, want 10", len(drafts))
	}
	pc := byKind[PriceChange+"/nl"][0]
	if len(pc.Recipients) != 2 || pc.Recipients[0].Email != "it@bakker.example" {
		t.Errorf("price change recipients %v", pc.Recipients)
	}
	// s1 and s2 reach on one day at one price: one line of 15 seats, +22.50 a month.
	if len(pc.Letter.Prices) != 2 || pc.Letter.Prices[1].Seats != 15 || pc.Letter.Prices[1].MonthlyChange.String() != "22.5" {
		t.Errorf("price lines %+v", pc.Letter.Prices)
	}
	// The earliest line reaches on 2027-01-01: owed 30 days before, on 2026-12-02; found 8 days late.
	if !pc.Letter.Reaches.Equal(day("2027-01-01")) || !pc.Due.Equal(day("2026-12-02")) || pc.DaysLate != 8 {
		t.Errorf("price change reaches %s, due %s, %d late", pc.Letter.Reaches, pc.Due, pc.DaysLate)
	}
	if len(pc.Letter.Proposals) != 1 || pc.Letter.Proposals[0].Finding != "unassigned-seats" {
		t.Errorf("price change proposals %+v", pc.Letter.Proposals)
	}
	tc := byKind[TermsChange+"/nl"][0]
	if tc.Letter.Announcement == nil || tc.Letter.Announcement.Title != "Maandelijkse facturering" || !tc.Due.Equal(day("2027-02-15")) || tc.DaysLate != 0 {
		t.Errorf("terms change %+v due %s", tc.Letter.Announcement, tc.Due)
	}
	if en := byKind[TermsChange+"/en"][0]; en.Letter.Announcement.Title != "Monthly billing" {
		t.Errorf("English terms change title %q", en.Letter.Announcement.Title)
	}
	rn := byKind[Renewal+"/nl"][0]
	if rn.Letter.Subscription.Idle != 3 || !rn.Letter.Respond.Equal(day("2027-01-04")) || rn.DaysLate != 4 {
		t.Errorf("renewal %+v respond %s late %d", rn.Letter.Subscription, rn.Letter.Respond, rn.DaysLate)
	}
	ex := byKind[Expiring+"/nl"][0]
	if ex.Letter.Subscription.Assigned != 2 || !strings.Contains(ex.Key, "/s4/") {
		t.Errorf("expiring %+v key %s", ex.Letter.Subscription, ex.Key)
	}
	dg := byKind[Digest+"/nl"][0]
	if len(dg.Letter.Proposals) != 1 || !dg.Letter.Month.Equal(day("2026-12-01")) || dg.Reaches != nil || !dg.Due.Equal(day("2026-12-10")) {
		t.Errorf("digest %+v due %s", dg.Letter, dg.Due)
	}

	// The same facts on another day make the same keys: one notice per change.
	again := f
	again.Detected = detected.Add(24 * time.Hour)
	keys := map[string]bool{}
	for _, d := range drafts {
		keys[d.Key] = true
	}
	for _, d := range Detect(again) {
		if !keys[d.Key] {
			t.Errorf("a day later, new key %s", d.Key)
		}
	}
	// Another new price for the same day is another change: a new notice.
	changed := f
	changed.Moves = append([]PriceMove(nil), f.Moves...)
	changed.Moves[0].Change = "up|E3|P1Y|2027-01-01|22.00"
	for _, d := range Detect(changed) {
		if d.Kind == PriceChange && keys[d.Key] {
			t.Errorf("a different change kept key %s", d.Key)
		}
	}
	// A change told once is not told again: on a later day, with one of the moves
	// reached already, or with another subscription bought, only what is new is said.
	told := map[string]bool{}
	for _, l := range pc.Letter.Prices {
		for _, c := range l.Changes {
			told["nl|"+c] = true
		}
	}
	later := f
	later.Told = func(locale, change string) bool { return told[locale+"|"+change] }
	later.Moves = append(append([]PriceMove(nil), f.Moves[:2]...), PriceMove{Change: "up|SPB|P1M|2027-01-01", Effective: day("2027-01-01"), SubscriptionID: "s9", NoticeDays: 30,
		Line: PriceLine{Product: "Business Premium", PartNumber: "SPB", Term: "P1M", Seats: 2, Old: dec("20.00"), New: dec("22.00"), Reaches: day("2027-01-01"), Changes: []string{"up|SPB|P1M|2027-01-01"}}})
	for _, d := range Detect(later) {
		if d.Kind != PriceChange || d.Locale != "nl" {
			continue
		}
		if len(d.Letter.Prices) != 1 || d.Letter.Prices[0].PartNumber != "SPB" || keys[d.Key] {
			t.Errorf("after telling E3, the nl notice says %+v (key %s)", d.Letter.Prices, d.Key)
		}
	}
	// Kinds turned off make nothing.
	off := f
	off.Enabled = func(k string) bool { return k == Digest }
	for _, d := range Detect(off) {
		if d.Kind != Digest {
			t.Errorf("kind %s made while only the digest is on", d.Kind)
		}
	}
}

func TestParseAnnouncement(t *testing.T) {
	good := "key: monthly-billing-2027\neffective: 2027-04-01\naffects:\n  terms: [P1Y]\n  billing_plans: [monthly]\ntext:\n  en: {title: Monthly billing, body: costs 5% more}\n  hr: {title: Mjesečna naplata, body: \"košta 5 % više\"}\n"
	a, err := ParseAnnouncement([]byte(good), "a.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !a.Affects.Matches("SPE_E3", "P1Y", "monthly") || a.Affects.Matches("SPE_E3", "P1Y", "annual") || a.In("hr-HR").Title != "Mjesečna naplata" || a.In("fr").Title != "Monthly billing" {
		t.Errorf("parsed %+v", a)
	}
	if _, err := ParseAnnouncement([]byte(strings.Replace(good, "affects:", "affect:", 1)), "typo.yaml"); err == nil || err.Error() != "typo.yaml:3: affect: not a key of an announcement (key, effective, affects with skus, terms and billing_plans, text)" {
		t.Errorf("a misspelt key: %v", err)
	}
	if _, err := ParseAnnouncement([]byte("key: x\ntext: {en: {title: a, body: b}\n"), "broken.yaml"); err == nil || !regexp.MustCompile(`^broken\.yaml:[1-9]\d*: not YAML: `).MatchString(err.Error()) {
		t.Errorf("broken YAML: %v", err)
	}
	if a, err := ParseAnnouncement([]byte(strings.Replace(good, "  en:", "  EN:", 1)), "upper.yaml"); err != nil || a.In("fr").Title != "Monthly billing" {
		t.Errorf("EN for English: %v", err)
	}
	bad := "key: Bad Key\neffective: 1 April\naffects:\n  terms: [P2Y]\ntext:\n  nl: {title: x}\n  es: {title: x, body: y}\n"
	_, err = ParseAnnouncement([]byte(bad), "b.yaml")
	for _, want := range []string{"b.yaml:1: key:", "b.yaml:2: effective:", "b.yaml:4: affects.terms:", "b.yaml:6: text.nl: needs a title and a body", "b.yaml:7: text.es:", "text.es:", "text.en: English is required"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

// A finding per inactive user makes hundreds of proposals: a customer reads one line
// per product and kind, with the seats and savings added up, largest saving first.
func TestGroupProposals(t *testing.T) {
	actBy := func(s string) *time.Time { d := day(s); return &d }
	in := []Proposal{
		{Product: "E3", PartNumber: "SPE_E3", Finding: "inactive-user", Seats: 1, MonthlySaving: dec("36.00"), ActBy: actBy("2027-01-10")},
		{Product: "Business Premium", PartNumber: "SPB", Finding: "inactive-user", Seats: 1, MonthlySaving: dec("22.00")},
		{Product: "E3", PartNumber: "SPE_E3", Finding: "inactive-user", Seats: 2, MonthlySaving: dec("72.00"), ActBy: actBy("2027-01-05")},
		{Product: "E3", PartNumber: "SPE_E3", Finding: "unassigned-seats", Seats: 3, MonthlySaving: dec("108.00")},
		{Product: "Visio", PartNumber: "VISIO", Finding: "inactive-user", Seats: 1, MonthlySaving: dec("15.00")},
		{Product: "Visio", PartNumber: "VISIO", Finding: "inactive-user", Seats: 1},
	}
	got := GroupProposals(in)
	want := []string{"SPE_E3 inactive-user 3 108.00 2027-01-05", "SPE_E3 unassigned-seats 3 108.00 -", "SPB inactive-user 1 22.00 -", "VISIO inactive-user 2 ? -"}
	if len(got) != len(want) {
		t.Fatalf("%d proposals, want %d: %+v", len(got), len(want), got)
	}
	for i, p := range got {
		saving, by := "?", "-"
		if p.MonthlySaving != nil {
			saving = p.MonthlySaving.StringFixed(2)
		}
		if p.ActBy != nil {
			by = p.ActBy.Format(time.DateOnly)
		}
		if s := fmt.Sprintf("%s %s %d %s %s", p.PartNumber, p.Finding, p.Seats, saving, by); s != want[i] {
			t.Errorf("proposal %d: %s, want %s", i, s, want[i])
		}
	}
	if in[0].MonthlySaving.StringFixed(2) != "36.00" {
		t.Error("grouping changed the proposals it was given")
	}
}
