package catalog

import (
	"slices"
	"strings"
	"testing"
)

// Every variant Microsoft sells of a suite belongs to the suite's family, in the
// built-in catalogue and in Microsoft's file alike.
func TestFamilies(t *testing.T) {
	const (
		none   = "-"  // not in the family
		noneOK = "()" // a desktop suite without a web-only twin
	)
	cases := []struct {
		part                      string
		businessAlt, base, webOne string // want: alternative part number, premium base, web-only target
		builtin                   bool   // carried by the built-in catalogue too
	}{
		{"O365_BUSINESS_ESSENTIALS", "STANDARDPACK", none, none, true},
		{"Microsoft_365_Business_Basic_(no Teams)", "Office_365_E1_(no_Teams)", none, none, true},
		{"Microsoft_365_Business_Basic_EEA_(no_Teams)", "Office_365_w/o_Teams_Bundle_E1", none, none, true},
		{"SMB_BUSINESS_ESSENTIALS", "STANDARDPACK", none, none, false},
		{"O365_BUSINESS_PREMIUM", "ENTERPRISEPACK", none, "O365_BUSINESS_ESSENTIALS", true},
		{"MICROSOFT_365_BUSINESS_STANDARD_NO_TEAMS", "Office_365_E3_(no_Teams)", none, "Microsoft_365_Business_Basic_(no Teams)", true},
		{"Microsoft_365_Business_Standard_EEA_(no_Teams)", "O365_w/o_Teams_Bundle_E3", none, "Microsoft_365_Business_Basic_EEA_(no_Teams)", true},
		{"Office_365_w/o_Teams_Bundle_Business_Standard", "O365_w/o_Teams_Bundle_E3", none, "Microsoft_365_Business_Basic_EEA_(no_Teams)", true},
		{"SMB_BUSINESS_PREMIUM", "ENTERPRISEPACK", none, "SMB_BUSINESS_ESSENTIALS", false},
		{"SPB", "SPE_E3", none, none, true},
		{"Microsoft_365_ Business_ Premium_(no Teams)", "Microsoft_365_E3_(no_Teams)", none, none, true},
		{"Office_365_w/o_Teams_Bundle_Business_Premium", "O365_w/o Teams Bundle_M3", none, none, true},
		{"Microsoft_365_Business_Premium_Donation_(Non_Profit_Pricing)", "SPE_E3", none, none, false},
		{"O365_BUSINESS", "OFFICESUBSCRIPTION", none, none, true},
		{"SMB_BUSINESS", "OFFICESUBSCRIPTION", none, none, false},

		{"ENTERPRISEPREMIUM", none, "ENTERPRISEPACK", none, true},
		{"ENTERPRISEPREMIUM_NOPSTNCONF", none, "ENTERPRISEPACK", none, false},
		{"Office_365_w/o_Teams_Bundle_E5", none, "O365_w/o_Teams_Bundle_E3", none, true},
		{"Office_365_E5_EEA_(no_Teams)_without_Audio_Conferencing", none, "O365_w/o_Teams_Bundle_E3", none, false},
		{"SPE_E5", none, "SPE_E3", none, true},
		{"SPE_E5_NOPSTNCONF", none, "SPE_E3", none, true},
		{"SPE_E5_CALLINGMINUTES", none, "SPE_E3", none, false},
		{"Microsoft_365_E5_(no_Teams)", none, "Microsoft_365_E3_(no_Teams)", none, true},
		{"O365_w/o_Teams_Bundle_M5", none, "O365_w/o Teams Bundle_M3", none, true},
		{"Microsoft_365_E5_EEA_(no_Teams)_without_Audio_Conferencing", none, "O365_w/o Teams Bundle_M3", none, false},

		{"ENTERPRISEPACK", none, none, "STANDARDPACK", true},
		{"Office_365_E3_(no_Teams)", none, none, "Office_365_E1_(no_Teams)", true},
		{"O365_w/o_Teams_Bundle_E3", none, none, "Office_365_w/o_Teams_Bundle_E1", true},
		{"SPE_E3", none, none, noneOK, true},
		{"Microsoft_365_E3_(no_Teams)", none, none, noneOK, true},
		{"O365_w/o Teams Bundle_M3", none, none, noneOK, true},

		// Neither capped, nor premium, nor a desktop suite.
		{"STANDARDPACK", none, none, none, true},
		{"Office_365_E1_(no_Teams)", none, none, none, true},
		{"OFFICESUBSCRIPTION", none, none, none, true},
		{"EXCHANGEENTERPRISE", none, none, none, true},
		{"M365_F1_COMM", none, none, none, true},
		{"Microsoft_365_F3_EEA_(no_Teams)", none, none, none, true},
		{"SPE_E3_RPA1", none, none, none, false},                // Unattended License: not a user's suite
		{"DEVELOPERPACK_E5", none, none, none, false},           // Developer
		{"IDENTITY_THREAT_PROTECTION", none, none, none, false}, // E5 Security add-on
		{"Microsoft_365_E5", none, none, none, false},           // (500 seats min)_HUB
		{"SPE_E3_USGOV_GCCHIGH", none, none, none, false},       // another cloud
		{"Microsoft_365_E3_EEA_(no_Teams)_Unattended_License", none, none, none, false},
	}
	catalogues := map[string]*Catalog{"Microsoft's file": loadMicrosoft(t)}
	b, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	catalogues["built-in"] = b
	for name, c := range catalogues {
		t.Run(name, func(t *testing.T) {
			for _, tc := range cases {
				if name == "built-in" && !tc.builtin {
					continue
				}
				s, err := c.Lookup(tc.part)
				if err != nil {
					t.Errorf("%s: %v", tc.part, err)
					continue
				}
				alt, capped := c.BusinessCap(s)
				if got := familyPart(alt, capped); got != tc.businessAlt {
					t.Errorf("BusinessCap(%s) = %s, want %s", tc.part, got, tc.businessAlt)
				}
				base, premium := c.PremiumBase(s)
				if got := familyPart(base, premium); got != tc.base {
					t.Errorf("PremiumBase(%s) = %s, want %s", tc.part, got, tc.base)
				}
				web, hasTarget, suite := c.DesktopSuite(s)
				got := familyPart(web, hasTarget)
				if suite && !hasTarget {
					got = noneOK
				}
				if !suite && hasTarget {
					got = "a target without a suite"
				}
				if got != tc.webOne {
					t.Errorf("DesktopSuite(%s) = %s, want %s", tc.part, got, tc.webOne)
				}
			}
		})
	}
}

func familyPart(s SKU, ok bool) string {
	if !ok {
		return "-"
	}
	return s.PartNumber
}

// Every no-Teams suite Microsoft sells (its plain edition, not the ones without audio
// conferencing or with calling minutes) must be in the built-in catalogue, so that
// tests and the simulated cloud can use it.
func TestBuiltinCarriesNoTeamsSuites(t *testing.T) {
	ms := loadMicrosoft(t)
	b, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, s := range ms.SKUs() {
		e, ok := editionOf(s.DisplayName)
		plain := !slices.ContainsFunc(sameLineWords, func(w string) bool { return strings.Contains(strings.ToLower(s.DisplayName), w) })
		if !ok || !e.noTeams || !plain {
			continue
		}
		n++
		if _, ok := b.ByID(s.ID); !ok {
			t.Errorf("the built-in catalogue lacks %s (%s)", s.PartNumber, s.DisplayName)
		}
	}
	if n < 13 {
		t.Errorf("found %d no-Teams suites in Microsoft's file, want the 13 or more it lists", n)
	}
}

func TestEditionOf(t *testing.T) {
	cases := []struct {
		name string
		want edition
		ok   bool
	}{
		{"Microsoft 365 E5 EEA (no Teams) without Audio Conferencing", edition{"Microsoft 365 E5", true, true}, true},
		{"microsoft  365 business\u00a0basic (NO TEAMS)", edition{"Microsoft 365 Business Basic", false, true}, true},
		{"Microsoft 365 Business Premium", edition{"Microsoft 365 Business Premium", false, false}, true},
		{"Microsoft 365 Apps for enterprise (device)", edition{}, false},
		{"Microsoft 365 E3_USGOV_DOD", edition{}, false},
		{"Microsoft 365 E3 EEAX", edition{}, false},
		{"Microsoft 365 E3 - Unattended License", edition{}, false},
		{"Microsoft 365 E35", edition{}, false},
		{"", edition{}, false},
	}
	for _, tc := range cases {
		got, ok := editionOf(tc.name)
		if got != tc.want || ok != tc.ok {
			t.Errorf("editionOf(%q) = %+v, %v; want %+v, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

// A catalogue without the Enterprise plan still names it.
func TestBusinessCapWithoutTheAlternative(t *testing.T) {
	c := New([]SKU{{ID: "cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46", PartNumber: "SPB", DisplayName: "Microsoft 365 Business Premium"}})
	spb, _ := c.Lookup("SPB")
	alt, capped := c.BusinessCap(spb)
	if !capped || alt.DisplayName != "Microsoft 365 E3" || alt.ID != "" {
		t.Errorf("BusinessCap = %+v, %v", alt, capped)
	}
}
