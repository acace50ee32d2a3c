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
	skus, err := ParseCSV(f, filepath.Base(microsoftCSV))
	if err != nil {
		t.Fatalf("parse Microsoft's catalogue: %v", err)
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
	skus, err := ParseCSV(strings.NewReader(in), "skus.csv")
	if err != nil {
		t.Fatal(err)
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
		{"one GUID, two part numbers", header + good + "X,OTHER,4b9405b0-7788-4568-add1-99614e613b69,EXCHANGE_S_STANDARD,9aaf7827-d63c-4b61-89c3-182f06f82e5c,F\n",
			[]string{"skus.csv:3: String_Id: GUID 4b9405b0-7788-4568-add1-99614e613b69 has part number \"OTHER\" here and \"EXCHANGESTANDARD\" on line 2"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseCSV(strings.NewReader(tc.in), "skus.csv")
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
