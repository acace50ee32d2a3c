package advice

import (
	"fmt"
	"strings"
	"testing"

	"github.com/seatledger/seatledger/internal/catalog"
	"github.com/seatledger/seatledger/internal/inventory"
)

// The rules that concern one product line (the Business seat cap, premium suites,
// desktop-app suites) cover every variant Microsoft sells of it, no-Teams and EEA ones
// included, as the built-in catalogue carries them.
func TestRulesCoverSuiteVariants(t *testing.T) {
	single := func(part string) func(w *world) {
		return func(w *world) {
			w.subs, w.lines = nil, nil
			w.subscription(part, 1, false, now.AddDate(0, 0, -200), now.AddDate(0, 0, 165))
		}
	}
	noDesktop := func(part string) func(w *world) {
		return func(w *world) {
			single(part)(w)
			no := false
			w.user("d@x", part)
			w.usage = []inventory.Usage{{UPN: "d@x", DesktopActivated: &no}}
		}
	}
	premiumOff := func(part, basePart string) func(w *world) {
		return func(w *world) {
			single(part)(w)
			c := cat(t)
			premium, _ := c.Lookup(part)
			base, _ := c.Lookup(basePart)
			var off []string
			for _, p := range catalog.Uncovered(premium, base) {
				off = append(off, p.ID)
			}
			u := w.user("p@x", part)
			u.Assignments[0].DisabledPlans = strings.Join(off, ",")
		}
	}
	overCap := func(part string) func(w *world) {
		return func(w *world) {
			w.subs, w.lines = nil, nil
			w.subscription(part, 302, false, now.AddDate(0, 0, -200), now.AddDate(0, 0, 165))
			for i := range 302 {
				w.user(fmt.Sprintf("u%d@x", i), part)
			}
		}
	}
	cases := []struct {
		name       string
		setup      func(w *world)
		want       string
		wantAction string
	}{
		{"Business Standard (no Teams) without desktop use", noDesktop("MICROSOFT_365_BUSINESS_STANDARD_NO_TEAMS"),
			"no-desktop-apps MICROSOFT_365_BUSINESS_STANDARD_NO_TEAMS d@x by 2027-05-06", "move them to Microsoft_365_Business_Basic_(no Teams)"},
		{"Business Standard EEA (no Teams) without desktop use", noDesktop("Microsoft_365_Business_Standard_EEA_(no_Teams)"),
			"no-desktop-apps Microsoft_365_Business_Standard_EEA_(no_Teams) d@x by 2027-05-06", "move them to Microsoft_365_Business_Basic_EEA_(no_Teams)"},
		{"Office 365 E3 (no Teams) without desktop use", noDesktop("Office_365_E3_(no_Teams)"),
			"no-desktop-apps Office_365_E3_(no_Teams) d@x by 2027-05-06", "move them to Office_365_E1_(no_Teams)"},
		{"Office 365 E3 EEA (no Teams) without desktop use", noDesktop("O365_w/o_Teams_Bundle_E3"),
			"no-desktop-apps O365_w/o_Teams_Bundle_E3 d@x by 2027-05-06", "move them to Office_365_w/o_Teams_Bundle_E1"},
		{"Microsoft 365 E3 (no Teams) without desktop use", noDesktop("Microsoft_365_E3_(no_Teams)"),
			"no-desktop-apps Microsoft_365_E3_(no_Teams) d@x by 2027-05-06", "move them to a plan without them"},
		{"Microsoft 365 E3 EEA (no Teams) without desktop use", noDesktop("O365_w/o Teams Bundle_M3"),
			"no-desktop-apps O365_w/o Teams Bundle_M3 d@x by 2027-05-06", "move them to a plan without them"},
		{"Business Premium is no desktop suite", noDesktop("SPB"), "", ""},

		{"Microsoft 365 E5 (no Teams) with every premium plan off", premiumOff("Microsoft_365_E5_(no_Teams)", "Microsoft_365_E3_(no_Teams)"),
			"premium-unused Microsoft_365_E5_(no_Teams) p@x by 2027-05-06", "move the user from Microsoft_365_E5_(no_Teams) to Microsoft_365_E3_(no_Teams)"},
		{"Microsoft 365 E5 EEA (no Teams) with every premium plan off", premiumOff("O365_w/o_Teams_Bundle_M5", "O365_w/o Teams Bundle_M3"),
			"premium-unused O365_w/o_Teams_Bundle_M5 p@x by 2027-05-06", "to O365_w/o Teams Bundle_M3"},
		{"Office 365 E5 EEA (no Teams) with every premium plan off", premiumOff("Office_365_w/o_Teams_Bundle_E5", "O365_w/o_Teams_Bundle_E3"),
			"premium-unused Office_365_w/o_Teams_Bundle_E5 p@x by 2027-05-06", "to O365_w/o_Teams_Bundle_E3"},
		{"Office 365 E5 with every premium plan off", premiumOff("ENTERPRISEPREMIUM", "ENTERPRISEPACK"),
			"premium-unused ENTERPRISEPREMIUM p@x by 2027-05-06", "to ENTERPRISEPACK"},
		{"Microsoft 365 E5 without Audio Conferencing with every premium plan off", premiumOff("SPE_E5_NOPSTNCONF", "SPE_E3"),
			"premium-unused SPE_E5_NOPSTNCONF p@x by 2027-05-06", "to SPE_E3"},

		{"Business Basic (no Teams) over the cap", overCap("Microsoft_365_Business_Basic_(no Teams)"),
			"business-cap Microsoft_365_Business_Basic_(no Teams)", "move 2 users to Office 365 E1 (no Teams)"},
		{"Business Standard EEA (no Teams) over the cap", overCap("Office_365_w/o_Teams_Bundle_Business_Standard"),
			"business-cap Office_365_w/o_Teams_Bundle_Business_Standard", "move 2 users to Office 365 E3 EEA (no Teams)"},
		{"Business Premium (no Teams) over the cap", overCap("Microsoft_365_ Business_ Premium_(no Teams)"),
			"business-cap Microsoft_365_ Business_ Premium_(no Teams)", "move 2 users to Microsoft 365 E3 (no Teams)"},
		{"Business Premium EEA (no Teams) over the cap", overCap("Office_365_w/o_Teams_Bundle_Business_Premium"),
			"business-cap Office_365_w/o_Teams_Bundle_Business_Premium", "move 2 users to Microsoft 365 E3 EEA (no Teams)"},
		{"Apps for business over the cap", overCap("O365_BUSINESS"),
			"business-cap O365_BUSINESS", "move 2 users to Microsoft 365 Apps for Enterprise"},
		{"Office 365 E1 (no Teams) has no cap", overCap("Office_365_E1_(no_Teams)"), "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			tc.setup(w)
			r := w.run(DefaultThresholds)
			if got := summary(r); got != tc.want {
				t.Fatalf("findings:\n got  %s\n want %s", got, tc.want)
			}
			if tc.wantAction != "" && !strings.Contains(r.Findings[0].Action, tc.wantAction) {
				t.Errorf("action %q lacks %q", r.Findings[0].Action, tc.wantAction)
			}
		})
	}
}
