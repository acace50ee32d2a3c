package catalog

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/seatledger/seatledger/internal/problems"
)

var update = flag.Bool("update", false, "regenerate builtin.yaml from Microsoft's catalogue CSV")

const microsoftCSV = "../../../shared/data/microsoft-licensing-skus.csv"

func loadMicrosoft(t *testing.T) *Catalog {
	t.Helper()
	f, err := os.Open(microsoftCSV)
	if err != nil {
		t.Fatalf("open Microsoft's catalogue: %v", err)
	}
	defer f.Close()
	skus, warnings, err := ParseCSV(f, filepath.Base(microsoftCSV))
	if err != nil {
		t.Fatalf("parse Microsoft's catalogue: %v", err)
	}
	if len(warnings) > 0 {
		t.Logf("Microsoft's catalogue, repaired on import:\n%v", warnings)
	}
	return New(skus)
}

func TestParseMicrosoftCatalogue(t *testing.T) {
	c := loadMicrosoft(t)
	if c.Len() < 600 {
		t.Fatalf("parsed %d SKUs, want the ~619 products of the file", c.Len())
	}
	spb, err := c.Lookup("SPB")
	if err != nil {
		t.Fatal(err)
	}
	if spb.ID != "cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46" || spb.DisplayName != "Microsoft 365 Business Premium" || spb.Free {
		t.Errorf("SPB = %+v", spb)
	}
	if len(spb.Plans) < 40 {
		t.Errorf("SPB has %d plans, want its ~56", len(spb.Plans))
	}
	// Trailing space and non-breaking spaces in part numbers are Microsoft's typing,
	// not part of the id Graph reports.
	for _, part := range []string{"ATP_ENTERPRISE_USGOV_GCCHIGH", "O365_w/o Teams Bundle_M3", "Microsoft_365_ Business_ Premium_(no Teams)"} {
		if _, err := c.Lookup(part); err != nil {
			t.Errorf("Lookup(%q): %v", part, err)
		}
	}
	if s, err := c.Lookup("06EBC4EE-1BB5-47DD-8120-11324BC54E06"); err != nil || s.PartNumber != "SPE_E5" {
		t.Errorf("Lookup by upper-case GUID = %v, %v", s.PartNumber, err)
	}
	for _, part := range []string{"FLOW_FREE", "POWER_BI_STANDARD", "TEAMS_EXPLORATORY", "WINDOWS_STORE"} {
		s, err := c.Lookup(part)
		if err != nil || !s.Free {
			t.Errorf("%s: free=%v err=%v, want free", part, s.Free, err)
		}
	}
}

func TestContainment(t *testing.T) {
	c := loadMicrosoft(t)
	cases := []struct {
		inner, outer string
		want         bool
	}{
		{"EXCHANGEENTERPRISE", "SPE_E3", true},
		{"EXCHANGESTANDARD", "SPB", true},
		{"ENTERPRISEPACK", "SPE_E3", true},
		{"O365_BUSINESS_ESSENTIALS", "O365_BUSINESS_PREMIUM", true},
		{"O365_BUSINESS_PREMIUM", "SPB", true},
		{"EXCHANGESTANDARD", "EXCHANGEENTERPRISE", true},
		{"EXCHANGEDESKLESS", "EXCHANGESTANDARD", true},
		{"ENTERPRISEPACK", "ENTERPRISEPREMIUM", true},
		{"SPE_E3", "SPB", false},
		{"SPB", "SPE_E3", false},
		{"EXCHANGEENTERPRISE", "EXCHANGESTANDARD", false},
		{"SPE_E5", "SPE_E3", false},
		{"SPB", "SPB", false},
	}
	for _, tc := range cases {
		inner, err := c.Lookup(tc.inner)
		if err != nil {
			t.Fatal(err)
		}
		outer, err := c.Lookup(tc.outer)
		if err != nil {
			t.Fatal(err)
		}
		if got := Contains(outer, inner); got != tc.want {
			t.Errorf("%s ⊂ %s = %v, want %v", tc.inner, tc.outer, got, tc.want)
		}
	}
}

func TestContainedInFindsSuites(t *testing.T) {
	c := loadMicrosoft(t)
	exo2, _ := c.Lookup("EXCHANGEENTERPRISE")
	var parts []string
	for _, s := range c.ContainedIn(exo2) {
		parts = append(parts, s.PartNumber)
	}
	for _, want := range []string{"SPE_E3", "SPE_E5", "ENTERPRISEPACK", "ENTERPRISEPREMIUM"} {
		if !contains(parts, want) {
			t.Errorf("Exchange Online Plan 2 is not found inside %s (found in %v)", want, parts)
		}
	}
	if contains(parts, "SPB") {
		t.Error("Exchange Online Plan 2 reported inside Business Premium, which has Plan 1")
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestParseCSVTraps(t *testing.T) {
	in := "\ufeffProduct_Display_Name,String_ Id,GUID,Service_Plan_Name,Service_Plan_Id,Service_Plans_Included_Friendly_Names\n" +
		"Exchange Online (Plan 1),EXCHANGESTANDARD\t,4B9405B0-7788-4568-add1-99614e613b69,EXCHANGE_S_STANDARD,9aaf7827-d63c-4b61-89c3-182f06f82e5c,Exchange Online (Plan 1)\n" +
		"Exchange Online (Plan 1),EXCHANGESTANDARD\u00a0,4b9405b0-7788-4568-add1-99614e613b69,BPOS_S_TODO_1,5e62787c-c316-451f-b873-1d05acd4d12c,To-Do (Plan 1)\n" +
		"\"Microsoft 365 E3 EEA (no Teams)\",O365_w/o\u00a0Teams Bundle_M3 ,c2fe850d-fbbb-4858-b67d-bd0c6e746da3,EXCHANGE_S_ENTERPRISE,efb87545-963c-4e0d-99df-69c6916d9eb0,\"Exchange Online (Plan 2)\"\n"
	skus, warnings, err := ParseCSV(strings.NewReader(in), "skus.csv")
	if err != nil || len(warnings) > 0 {
		t.Fatalf("err %v, warnings %v", err, warnings)
	}
	if len(skus) != 2 {
		t.Fatalf("got %d SKUs, want 2: %+v", len(skus), skus)
	}
	if skus[0].PartNumber != "EXCHANGESTANDARD" || skus[0].ID != "4b9405b0-7788-4568-add1-99614e613b69" || len(skus[0].Plans) != 2 {
		t.Errorf("first SKU = %+v", skus[0])
	}
	if skus[1].PartNumber != "O365_w/o Teams Bundle_M3" {
		t.Errorf("part number with NBSP and trailing space = %q", skus[1].PartNumber)
	}
}

func TestParseCSVErrors(t *testing.T) {
	header := "Product_Display_Name,String_Id,GUID,Service_Plan_Name,Service_Plan_Id,Service_Plans_Included_Friendly_Names\n"
	good := "Exchange Online (Plan 1),EXCHANGESTANDARD,4b9405b0-7788-4568-add1-99614e613b69,EXCHANGE_S_STANDARD,9aaf7827-d63c-4b61-89c3-182f06f82e5c,Exchange Online (Plan 1)\n"
	cases := []struct {
		name, in string
		want     []string
	}{
		{"cut off inside a quoted field", header + good + "\"Microsoft 365 E3,SPE_E3,05e9a617", []string{"skus.csv:3: column"}},
		{"bad GUID", header + good + "X,Y,not-a-guid,P,9aaf7827-d63c-4b61-89c3-182f06f82e5c,F\n", []string{"skus.csv:3: GUID: \"not-a-guid\" is not a GUID"}},
		{"missing column", "Product_Display_Name,GUID\nA,B\n", []string{"skus.csv:1: string_id: column missing", "skus.csv:1: service_plan_name: column missing", "skus.csv:1: service_plan_id: column missing"}},
		{"empty", "", []string{"skus.csv: the file is empty"}},
		{"letters beyond hex in a plan id", header + good + "X,Y,4b9405b0-7788-4568-add1-99614e613b69,P,(9aaf7827-d63c-4b61-89c3-182f06f82e5x,F\n",
			[]string{"skus.csv:3: Service_Plan_Id: \"(9aaf7827-d63c-4b61-89c3-182f06f82e5x\" is not a GUID"}},
		{"a plan name beside the id", header + good + "X,Y,4b9405b0-7788-4568-add1-99614e613b69,P,SWAY (a23b959c-7ce8-4e57-9140-b90eb88a9e97),F\n",
			[]string{"skus.csv:3: Service_Plan_Id: \"SWAY (a23b959c-7ce8-4e57-9140-b90eb88a9e97)\" is not a GUID"}},
		{"a digit missing", header + good + "X,Y,4b9405b0-7788-4568-add1-99614e613b6,P,9aaf7827-d63c-4b61-89c3-182f06f82e5c,F\n",
			[]string{"skus.csv:3: GUID: \"4b9405b0-7788-4568-add1-99614e613b6\" is not a GUID"}},
		{"two GUIDs in one cell", header + good + "X,Y,4b9405b0-7788-4568-add1-99614e613b69 4b9405b0-7788-4568-add1-99614e613b69,P,9aaf7827-d63c-4b61-89c3-182f06f82e5c,F\n",
			[]string{"skus.csv:3: GUID: \"4b9405b0-7788-4568-add1-99614e613b69 4b9405b0-7788-4568-add1-99614e613b69\" is not a GUID"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := ParseCSV(strings.NewReader(tc.in), "skus.csv")
			var list problems.List
			if err == nil {
				t.Fatal("no error")
			}
			list, _ = err.(problems.List)
			if len(list) != len(tc.want) {
				t.Fatalf("got %d problems, want %d: %v", len(list), len(tc.want), err)
			}
			for i, want := range tc.want {
				if !strings.HasPrefix(list[i].String(), want) {
					t.Errorf("problem %d = %q, want prefix %q", i, list[i].String(), want)
				}
			}
		})
	}
}

// Microsoft's file as it has been published: slips that leave no doubt are repaired
// with a warning naming the line, and the file imports.
func TestParseCSVRepairs(t *testing.T) {
	header := "Product_Display_Name,String_Id,GUID,Service_Plan_Name,Service_Plan_Id,Service_Plans_Included_Friendly_Names\n"
	meet := "Microsoft 365 Audio Conferencing for GCC,MCOMEETADV_GOC,2d3091c7-0712-488b-b3d8-6b97bde6a1f5,MCOMEETADV_GOV,f544b08d-1645-4287-82de-8d91f37c02a1,MICROSOFT 365 AUDIO CONFERENCING FOR GOVERNMENT\n"
	cases := []struct {
		name, in  string
		wantPart  string
		wantPlans []string
		want      []string
	}{
		{"stray parenthesis before a plan id",
			header + "Office 365 E1,STANDARDPACK,18181a46-0d4e-45cd-891e-60aabd171b4e,SWAY,(a23b959c-7ce8-4e57-9140-b90eb88a9e97,Sway\n",
			"STANDARDPACK", []string{"a23b959c-7ce8-4e57-9140-b90eb88a9e97"},
			[]string{`skus.csv:2: Service_Plan_Id: "(a23b959c-7ce8-4e57-9140-b90eb88a9e97" read as a23b959c-7ce8-4e57-9140-b90eb88a9e97 (stray characters dropped)`}},
		{"stray parenthesis after a plan id",
			header + "Office 365 E3,ENTERPRISEPACK,6fd2c87f-b296-42f0-b197-1e91e994b900,CDS_O365_P3,afa73018-811e-46e9-988f-f75d2b1b8430),Common Data Service\n",
			"ENTERPRISEPACK", []string{"afa73018-811e-46e9-988f-f75d2b1b8430"},
			[]string{`skus.csv:2: Service_Plan_Id: "afa73018-811e-46e9-988f-f75d2b1b8430)" read as afa73018-811e-46e9-988f-f75d2b1b8430 (stray characters dropped)`}},
		{"space after a hyphen in a plan id",
			header + "Office 365 E1,STANDARDPACK,18181a46-0d4e-45cd-891e-60aabd171b4e,SWAY,a23b959c- 7ce8-4e57-9140-b90eb88a9e97,Sway\n",
			"STANDARDPACK", []string{"a23b959c-7ce8-4e57-9140-b90eb88a9e97"},
			[]string{`skus.csv:2: Service_Plan_Id: "a23b959c- 7ce8-4e57-9140-b90eb88a9e97" read as a23b959c-7ce8-4e57-9140-b90eb88a9e97 (stray characters dropped)`}},
		{"non-breaking space inside a SKU GUID",
			header + "Office 365 E1,STANDARDPACK,18181a46-0d4e-45cd-891e\u00a0-60aabd171b4e,SWAY,a23b959c-7ce8-4e57-9140-b90eb88a9e97,Sway\n",
			"STANDARDPACK", []string{"a23b959c-7ce8-4e57-9140-b90eb88a9e97"},
			[]string{`skus.csv:2: GUID: "18181a46-0d4e-45cd-891e\u00a0-60aabd171b4e" read as 18181a46-0d4e-45cd-891e-60aabd171b4e (stray characters dropped)`}},
		{"one GUID, two part numbers: the first is kept, its plans too",
			header + meet + strings.Replace(strings.Replace(meet, "MCOMEETADV_GOC", "MCOMEETADV_GOV", 1), "MCOMEETADV_GOV,f544b08d-1645-4287-82de-8d91f37c02a1", "EXCHANGE_S_FOUNDATION_GOV,922ba911-5694-4e99-a794-73aed9bfeec8", 1),
			"MCOMEETADV_GOC", []string{"f544b08d-1645-4287-82de-8d91f37c02a1", "922ba911-5694-4e99-a794-73aed9bfeec8"},
			[]string{`skus.csv:3: String_Id: GUID 2d3091c7-0712-488b-b3d8-6b97bde6a1f5 has part number "MCOMEETADV_GOV" here and "MCOMEETADV_GOC" on line 2: kept "MCOMEETADV_GOC"`}},
		{"braces and surrounding blanks are no slip",
			header + "Office 365 E1,STANDARDPACK,{18181A46-0D4E-45CD-891E-60AABD171B4E} ,SWAY,\ta23b959c-7ce8-4e57-9140-b90eb88a9e97,Sway\n",
			"STANDARDPACK", []string{"a23b959c-7ce8-4e57-9140-b90eb88a9e97"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			skus, warnings, err := ParseCSV(strings.NewReader(tc.in), "skus.csv")
			if err != nil {
				t.Fatal(err)
			}
			if len(skus) != 1 || skus[0].PartNumber != tc.wantPart {
				t.Fatalf("SKUs = %+v, want one %s", skus, tc.wantPart)
			}
			var plans []string
			for _, p := range skus[0].Plans {
				plans = append(plans, p.ID)
			}
			if strings.Join(plans, " ") != strings.Join(tc.wantPlans, " ") {
				t.Errorf("plans = %v, want %v", plans, tc.wantPlans)
			}
			if len(warnings) != len(tc.want) {
				t.Fatalf("warnings = %v, want %q", warnings, tc.want)
			}
			for i, w := range tc.want {
				if got := warnings[i].String(); got != w {
					t.Errorf("warning %d = %s\nwant        %s", i, got, w)
				}
			}
		})
	}
}

// The built-in catalogue must say exactly what Microsoft's file says about its SKUs.
func TestBuiltinMatchesMicrosoftCatalogue(t *testing.T) {
	ms := loadMicrosoft(t)
	var want []SKU
	for _, part := range BuiltinPartNumbers {
		s, err := ms.Lookup(part)
		if err != nil {
			t.Fatalf("built-in SKU %s: %v", part, err)
		}
		want = append(want, s)
	}
	if *update {
		out, err := yaml.Marshal(want)
		if err != nil {
			t.Fatal(err)
		}
		header := "# The built-in SKU catalogue: common commercial SKUs and their service plans, as\n" +
			"# Microsoft's licensing CSV lists them. Regenerate with\n" +
			"#   go test ./internal/catalog -run TestBuiltinMatchesMicrosoftCatalogue -update\n"
		if err := os.WriteFile("builtin.yaml", append([]byte(header), out...), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	b, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	if b.Len() != len(want) {
		t.Fatalf("built-in catalogue has %d SKUs, want %d", b.Len(), len(want))
	}
	for _, w := range want {
		got, ok := b.ByID(w.ID)
		if !ok {
			t.Errorf("built-in catalogue lacks %s %s", w.PartNumber, w.ID)
			continue
		}
		if got.PartNumber != w.PartNumber || got.DisplayName != w.DisplayName || got.Free != w.Free || len(got.Plans) != len(w.Plans) {
			t.Errorf("built-in %s differs from Microsoft's file: %+v", w.PartNumber, got)
		}
	}
	spb, err := b.Lookup("SPB")
	if err != nil || spb.DisplayName != "Microsoft 365 Business Premium" {
		t.Errorf("built-in SPB = %+v, %v", spb, err)
	}
}

func TestParseOfferMatrixSample(t *testing.T) {
	f, err := os.Open("../../../shared/data/partner-center-samples/pc-offermatrix.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	offers, err := ParseOfferMatrix(f, "pc-offermatrix.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(offers) != 1 || offers[0].Key() != "CFQ7TTC0LH18:0001" || offers[0].GraphSKUID != "3b555118-da6a-4418-894f-7df1e2096870" || offers[0].PartNumber != "O365_BUSINESS_ESSENTIALS" {
		t.Fatalf("%+v", offers)
	}
	_, err = ParseOfferMatrix(strings.NewReader("ProductId,SkuId,ProvisioningId,ProvisioningString\nCFQ7TTC0LCHC,0002,not-a-guid,SPB\n"), "m.csv")
	if err == nil || !strings.Contains(err.Error(), `m.csv:2: ProvisioningId: "not-a-guid" is not a GUID`) {
		t.Fatalf("got %v", err)
	}
}
