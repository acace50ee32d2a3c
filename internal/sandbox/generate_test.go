package sandbox

import (
	"encoding/json"
	"slices"
	"testing"
)

// The generator must plant every problem the sync, the advice and the tests rely on,
// and plant them the same way every time.
func TestGeneratePlantsTheScenarios(t *testing.T) {
	w, err := Generate(Options{Seed: 1, Tenants: 25})
	if err != nil {
		t.Fatal(err)
	}
	truth := w.Truth()
	count := func(pick func(TenantTruth) int) (n int) {
		for _, tt := range truth.Tenants {
			n += pick(tt)
		}
		return n
	}
	kinds := map[string]int{}
	for _, tt := range truth.Tenants {
		kinds[tt.Kind]++
	}
	var bpOverCap bool
	for _, tt := range truth.Tenants {
		for _, p := range tt.Pools {
			if p.PartNumber == "SPB" && p.Consumed > 300 {
				bpOverCap = true
			}
		}
	}
	for _, c := range []struct {
		what string
		ok   bool
	}{
		{"mostly small tenants, some enterprises", kinds["small"] > kinds["enterprise"] && kinds["enterprise"] >= 4},
		{"a tenant without sign-in data", count(func(tt TenantTruth) int { return b2i(!tt.HasSignInData) }) >= 1},
		{"a tenant with concealed report names", count(func(tt TenantTruth) int { return b2i(tt.ConcealedNames) }) >= 1},
		{"a Business Premium tenant above 300 seats", bpOverCap},
		{"trials", count(func(tt TenantTruth) int { return len(tt.Trials) }) >= 1},
		{"a subscription held with another partner", count(func(tt TenantTruth) int { return len(tt.OtherPartnerSubs) }) >= 1},
		{"disabled users holding licences", count(func(tt TenantTruth) int { return len(tt.DisabledLicensed) }) >= 1},
		{"inactive licensed users", count(func(tt TenantTruth) int { return len(tt.InactiveLicensed) }) >= 1},
		{"never-signed-in licensed users", count(func(tt TenantTruth) int { return len(tt.NeverSignedIn) }) >= 1},
		{"licensed guests", count(func(tt TenantTruth) int { return len(tt.LicensedGuests) }) >= 1},
		{"licensed shared mailboxes", count(func(tt TenantTruth) int { return len(tt.LicensedShared) }) >= 1},
		{"assignment errors", count(func(tt TenantTruth) int { return len(tt.AssignmentErrors) }) >= 1},
		{"redundant licences", count(func(tt TenantTruth) int { return len(tt.Redundant) }) >= 2},
		{"users without desktop apps", count(func(tt TenantTruth) int { return len(tt.NoDesktopApps) }) >= 1},
		{"a sprayed account, inactive by its last successful sign-in", count(func(tt TenantTruth) int {
			n := 0
			for _, upn := range tt.Sprayed {
				n += b2i(slices.Contains(tt.InactiveLicensed, upn))
			}
			return n
		}) >= 1},
		{"licensed shared mailboxes that need their licence", count(func(tt TenantTruth) int { return len(tt.SharedNeedingLicence) }) >= 2},
		{"users served without userPrincipalName", count(func(tt TenantTruth) int { return len(tt.WithoutUPN) }) >= 1},
		{"reportSettings nested under value, with names concealed", count(func(tt TenantTruth) int { return b2i(tt.NestedReportSettings && tt.ConcealedNames) }) >= 1},
		{"reportSettings refused, names in clear", count(func(tt TenantTruth) int { return b2i(tt.ReportSettingsRefused && !tt.ConcealedNames) }) >= 1},
		{"reportSettings refused, names concealed", count(func(tt TenantTruth) int { return b2i(tt.ReportSettingsRefused && tt.ConcealedNames) }) >= 1},
		{"mailboxSettings refused", count(func(tt TenantTruth) int { return b2i(tt.MailboxSettingsRefused) }) >= 1},
		{"idle seats", count(func(tt TenantTruth) int {
			n := 0
			for _, p := range tt.Pools {
				n += max(p.Idle, 0)
			}
			return n
		}) >= 1},
	} {
		if !c.ok {
			t.Errorf("the world lacks %s", c.what)
		}
	}

	again, err := Generate(Options{Seed: 1, Tenants: 40})
	if err != nil {
		t.Fatal(err)
	}
	first, _ := json.Marshal(w.Tenants[7])
	same, _ := json.Marshal(again.Tenants[7])
	if string(first) != string(same) {
		t.Error("tenant 7 changed with the number of tenants generated")
	}
}

func TestAdvanceFollowsTheScript(t *testing.T) {
	w, err := Generate(Options{Seed: 1, Tenants: 3})
	if err != nil {
		t.Fatal(err)
	}
	first := w.Tenants[0].ID
	got := map[string]int{}
	for range 10 {
		for _, e := range w.Advance() {
			if e.Tenant == first && (e.Kind == "seats-added" || e.Kind == "leaver") {
				got[e.Kind] = e.Day
			}
		}
	}
	if got["seats-added"] != 3 || got["leaver"] != 10 {
		t.Errorf("first tenant's scripted events: %v, want seats added on day 3 and a leaver on day 10", got)
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
