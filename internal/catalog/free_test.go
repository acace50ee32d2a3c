package catalog

import "testing"

func TestFree(t *testing.T) {
	cases := []struct {
		part, name string
		want       bool
	}{
		{"MS_TEAMS_IW", "Microsoft Teams Trial", true},
		{"POWERAPPS_VIRAL", "Microsoft Power Apps Plan 2 Trial", true},
		{"CCIBOTS_PRIVPREV_VIRAL", "Microsoft Copilot Studio Viral Trial", true},
		{"DYN365_CUSTOMER_INSIGHTS_VIRAL", "Dynamics 365 Customer Insights vTrial", true},
		{"Dynamics_365_Sales_Premium_Viral_Trial", "Dynamics 365 Sales Premium Viral Trial", true},
		{"Dynamics_365_Guides_vTrial", "Dynamics 365 Guides vTrial", true},
		// Viral trials Graph reports that Microsoft's file does not list: the rule, not a
		// list, must catch them.
		{"DYN365_ENTERPRISE_VIRAL_TRIAL", "", true},
		{"FLOW_P2_VIRAL", "", true},
		{"Power_Pages_vTrial_for_Makers", "", true},
		{"FLOW_FREE", "Microsoft Power Automate Free", true},
		{"FLOW_P2", "Microsoft Power Automate Plan 2", false},
		{"DYN365_BUSCENTRAL_PREMIUM", "Dynamics 365 Business Central Premium", false},
		{"DYN365_ENTERPRISE_SALES", "Dynamics 365 for Sales Enterprise Edition", false},
		{"SPE_E3", "Microsoft 365 E3", false},
		{"Microsoft_365_E3_(no_Teams)", "Microsoft 365 E3 (no Teams)", false},
	}
	for _, tc := range cases {
		if got := IsFree(tc.part, tc.name); got != tc.want {
			t.Errorf("IsFree(%s, %q) = %v, want %v", tc.part, tc.name, got, tc.want)
		}
	}
	ms := loadMicrosoft(t)
	for _, part := range []string{"MS_TEAMS_IW", "POWERAPPS_VIRAL", "CCIBOTS_PRIVPREV_VIRAL", "Dynamics_365_Field_Service_Enterprise_viral_trial", "Microsoft_Cloud_for_Sustainability_vTrial"} {
		if s, err := ms.Lookup(part); err != nil || !s.Free {
			t.Errorf("%s in Microsoft's file: free=%v, %v", part, s.Free, err)
		}
	}
	// A catalogue stored before MS_TEAMS_IW was known to be free reads it as free.
	old := New([]SKU{{ID: "74fbf1bb-47c6-4796-9623-77dc7371723b", PartNumber: "MS_TEAMS_IW", DisplayName: "Microsoft Teams Trial"}})
	if s, _ := old.Lookup("MS_TEAMS_IW"); !s.Free {
		t.Error("a stored MS_TEAMS_IW is not read as free")
	}
}
