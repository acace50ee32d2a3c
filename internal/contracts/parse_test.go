package contracts

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

type fakeResolver struct{}

func (fakeResolver) Customer(key string) (string, error) {
	switch key {
	case "DEB-1", "11111111-1111-4111-8111-111111111111":
		return "11111111-1111-4111-8111-111111111111", nil
	}
	return "", fmt.Errorf("no customer %q in the registry", key)
}

func (fakeResolver) SKU(key string) (string, string, error) {
	switch strings.ToUpper(key) {
	case "SPB", "CFQ7TTC0LCHC:0002":
		return "cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46", "SPB", nil
	case "SPE_E3":
		return "05e9a617-0261-4cee-bb44-138d3ef5d965", "SPE_E3", nil
	}
	return "", "", fmt.Errorf("no SKU %q in the catalogue", key)
}

const header = "customer,reference,sku,term,billing_plan,quantity,unit_price,markup_percent,billing,start,end,notice_days\n"

func TestParseCSVGood(t *testing.T) {
	in := header +
		"DEB-1,C-7,SPB,P1Y,monthly,25,22.00,,day 1,2026-01-01,,60\n" +
		"DEB-1,,CFQ7TTC0LCHC:0002,P1M,monthly,as-assigned,,15,prorated,2026-01-01,2026-12-31,\n"
	lines, err := ParseCSV(strings.NewReader(in), "c.csv", fakeResolver{})
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 2 {
		t.Fatalf("got %d lines", len(lines))
	}
	a, b := lines[0], lines[1]
	if a.PartNumber != "SPB" || *a.Quantity != 25 || a.UnitPrice.StringFixed(2) != "22.00" || a.Policy != PolicyFixedDay || a.BillingDay != 1 || a.NoticeDays != 60 {
		t.Errorf("first line %+v", a)
	}
	if !b.AsAssigned() || b.MarkupPercent.String() != "15" || b.Policy != PolicyProrated || b.NoticeDays != DefaultNoticeDays || b.End == nil {
		t.Errorf("second line %+v", b)
	}
	if !b.ActiveOn(time.Date(2026, 12, 31, 23, 0, 0, 0, time.UTC)) || b.ActiveOn(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Error("an end date is inclusive")
	}
}

func TestParseCSVProblems(t *testing.T) {
	cases := []struct {
		name, row, want string
	}{
		{"unknown customer", "DEB-9,,SPB,P1Y,monthly,5,1,,day 1,2026-01-01,,", `c.csv:2: customer: no customer "DEB-9" in the registry`},
		{"unknown sku", "DEB-1,,NOPE,P1Y,monthly,5,1,,day 1,2026-01-01,,", `c.csv:2: sku: no SKU "NOPE" in the catalogue`},
		{"bad term", "DEB-1,,SPB,P2Y,monthly,5,1,,day 1,2026-01-01,,", `c.csv:2: term: "P2Y" is not a term`},
		{"plan not on term", "DEB-1,,SPB,P1M,annual,5,1,,day 1,2026-01-01,,", `c.csv:2: billing_plan: a P1M term cannot be billed annual`},
		{"bad quantity", "DEB-1,,SPB,P1Y,monthly,-3,1,,day 1,2026-01-01,,", `c.csv:2: quantity: "-3" is neither`},
		{"no price", "DEB-1,,SPB,P1Y,monthly,5,,,day 1,2026-01-01,,", `c.csv:2: unit_price: required`},
		{"both prices", "DEB-1,,SPB,P1Y,monthly,5,1,10,day 1,2026-01-01,,", `c.csv:2: markup_percent: give either`},
		{"price with comma", "DEB-1,,SPB,P1Y,monthly,5,\"1,50\",,day 1,2026-01-01,,", `c.csv:2: unit_price: "1,50" is not a plain number (write 1.50: a decimal point, not a comma)`},
		{"price with an exponent", "DEB-1,,SPB,P1Y,monthly,5,1e3,,day 1,2026-01-01,,", `c.csv:2: unit_price: "1e3" is not a plain number`},
		{"price with a currency sign", "DEB-1,,SPB,P1Y,monthly,5,€12.50,,day 1,2026-01-01,,", `c.csv:2: unit_price: "€12.50" is not a plain number`},
		{"markup with an exponent", "DEB-1,,SPB,P1Y,monthly,5,,1e1,day 1,2026-01-01,,", `c.csv:2: markup_percent: "1e1" is not a percentage`},
		{"too many decimals", "DEB-1,,SPB,P1Y,monthly,5,1.1234567,,day 1,2026-01-01,,", `c.csv:2: unit_price: 1.1234567 has more than 6 decimals`},
		{"billing day 31", "DEB-1,,SPB,P1Y,monthly,5,1,,day 31,2026-01-01,,", `c.csv:2: billing: day 31`},
		{"bad billing", "DEB-1,,SPB,P1Y,monthly,5,1,,weekly,2026-01-01,,", `c.csv:2: billing: "weekly" is neither`},
		{"bad start", "DEB-1,,SPB,P1Y,monthly,5,1,,day 1,1/2/2026,,", `c.csv:2: start: "1/2/2026" is not a date`},
		{"end before start", "DEB-1,,SPB,P1Y,monthly,5,1,,day 1,2026-02-01,2026-01-01,", `c.csv:2: end: 2026-01-01 is before the start`},
		{"markup decimals", "DEB-1,,SPB,P1Y,monthly,5,,12.34567,day 1,2026-01-01,,", `c.csv:2: markup_percent: 12.34567 has more than 4 decimals`},
		{"notice", "DEB-1,,SPB,P1Y,monthly,5,1,,day 1,2026-01-01,,999", `c.csv:2: notice_days: "999"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseCSV(strings.NewReader(header+c.row+"\n"), "c.csv", fakeResolver{})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want %q", err, c.want)
			}
		})
	}
}

func TestParseCSVReportsEveryProblemAndOverlaps(t *testing.T) {
	in := header +
		"DEB-1,,SPB,P1Y,monthly,5,1,,day 1,2026-01-01,,\n" +
		"DEB-9,,SPB,P1Y,monthly,5,1,,day 1,2026-01-01,,\n" +
		"DEB-1,,SPB,P1Y,annual,5,1,,day 1,2026-06-01,,\n" +
		"DEB-1,,SPE_E3,P1Y,monthly,as-assigned,1,,day 1,2026-01-01,,\n" +
		"DEB-1,,SPE_E3,P1M,monthly,as-assigned,1,,day 1,2026-01-01,,\n"
	_, err := ParseCSV(strings.NewReader(in), "c.csv", fakeResolver{})
	if err == nil {
		t.Fatal("accepted")
	}
	want := []string{"c.csv:3: customer:", "c.csv:4: sku: SPB on P1Y overlaps the line on line 2", "c.csv:6: quantity: line 5 already bills the assigned seats of SPE_E3"}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("missing %q in:\n%v", w, err)
		}
	}
}

func TestParseYAMLNamesLines(t *testing.T) {
	in := `contracts:
  - customer: DEB-1
    sku: SPE_E3
    term: P1Y
    billing_plan: annual
    quantity: 10
    unit_price: 36.00
    billing: day 1
    start: 2026-01-01
  - customer: DEB-1
    sku: SPB
    term: P1Y
    billing_plan: annual
    quantity: lots
    unit_price: 22
    billing: day 1
    start: 2026-01-01
`
	_, err := ParseYAML([]byte(in), "c.yaml", fakeResolver{})
	if err == nil || !strings.Contains(err.Error(), `c.yaml:14: quantity: "lots"`) {
		t.Fatalf("got %v", err)
	}
	// YAML reads 1e3 as the number 1000; a price must be written out.
	if _, err := ParseYAML([]byte(strings.Replace(in, "unit_price: 22", "unit_price: 1e3", 1)), "c.yaml", fakeResolver{}); err == nil ||
		!strings.Contains(err.Error(), `c.yaml:15: unit_price: "1e3" is not a plain number`) {
		t.Errorf("an exponent in a YAML price: %v", err)
	}
	in = strings.Replace(in, "lots", "12", 1)
	lines, err := ParseYAML([]byte(in), "c.yaml", fakeResolver{})
	if err != nil || len(lines) != 2 || lines[1].SourceLine != 10 {
		t.Fatalf("got %v %+v", err, lines)
	}
}

func TestFor(t *testing.T) {
	day := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC)
	lines := []Line{
		{SKUID: "a", Term: TermMonthly, Start: day.AddDate(-1, 0, 0)},
		{SKUID: "a", Term: TermAnnual, Start: day.AddDate(-1, 0, 0)},
		{SKUID: "a", Term: TermTriennial, Start: day.AddDate(-1, 0, 0), End: &end},
	}
	if l, ok := For(lines, "a", TermAnnual, day); !ok || l.Term != TermAnnual {
		t.Errorf("annual: %+v %v", l, ok)
	}
	if l, ok := For(lines, "a", TermTriennial, day); !ok || l.Term != TermMonthly {
		t.Errorf("an ended line must not be chosen: %+v %v", l, ok)
	}
	if _, ok := For(lines, "b", TermAnnual, day); ok {
		t.Error("no line for b")
	}
}

// An unknown YAML field does not hide the problems of the other fields and lines.
func TestParseYAMLReportsEveryProblemAtOnce(t *testing.T) {
	in := `contracts:
  - customer: DEB-1
    sku: SPB
    term: P1Y
    billing_plan: annual
    quantity: 10
    unit_price: 22
    billing: day 1
    start: 2026-01-01
    colour: blue
  - customer: DEB-1
    sku: SPE_E3
    term: P2Y
    billing_plan: annual
    quantity: 5
    unit_price: 36
    billing: day 1
    start: 2026-01-01
`
	_, err := ParseYAML([]byte(in), "c.yaml", fakeResolver{})
	for _, want := range []string{"c.yaml:10: colour: unknown field", `c.yaml:13: term: "P2Y" is not a term`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("problems lack %q: %v", want, err)
		}
	}
}

// Excel in Dutch, German or Italian saves CSV with semicolons and a byte-order mark.
func TestParseSemicolonCSV(t *testing.T) {
	in := "\ufeff" + strings.ReplaceAll(header, ",", ";") + "DEB-1;R;SPB;P1Y;annual;10;21.63;;day 1;2026-01-01;;30\n"
	lines, err := ParseCSV(strings.NewReader(in), "c.csv", fakeResolver{})
	if err != nil || len(lines) != 1 || lines[0].UnitPrice.String() != "21.63" {
		t.Fatalf("got %v %+v", err, lines)
	}
	// And it writes decimals with a comma.
	lines, err = ParseCSV(strings.NewReader(strings.Replace(in, "21.63", "21,63", 1)), "c.csv", fakeResolver{})
	if err != nil || len(lines) != 1 || lines[0].UnitPrice.String() != "21.63" {
		t.Fatalf("decimal comma: %v %+v", err, lines)
	}
	// A comma-separated file keeps "1,50" ambiguous and refused.
	if _, err := ParseCSV(strings.NewReader(header+"DEB-1,R,SPB,P1Y,annual,10,\"21,63\",,day 1,2026-01-01,,30\n"), "c.csv", fakeResolver{}); err == nil {
		t.Error("a decimal comma in a comma-separated file was taken")
	}
	// Excel's Windows-1252 encoding: said so, with the way out.
	if _, err := ParseCSV(strings.NewReader(strings.Replace(in, "DEB-1", "M\xfcller", 1)), "c.csv", fakeResolver{}); err == nil ||
		!strings.Contains(err.Error(), `c.csv:2: customer: not UTF-8 text: save the file as "CSV UTF-8"`) {
		t.Errorf("Windows-1252: %v", err)
	}
	_, err = ParseCSV(strings.NewReader("\ufeffklant;sku\nDEB-1;SPB\n"), "c.csv", fakeResolver{})
	if err == nil || !strings.Contains(err.Error(), "c.csv:1: klant: unknown column") || strings.Contains(err.Error(), "\ufeff") {
		t.Errorf("got %q", err)
	}
}

const billingHeader = "customer,sku,term,billing_plan,quantity,pricing,unit_price,markup_percent,discount_percent,billing,timing,start\n"

// Files written before pricing and timing existed keep their meaning: a unit price
// is a fixed price, a markup cost-plus, and every month is billed in advance.
func TestParseCSVOldFilesKeepTheirMeaning(t *testing.T) {
	in := header +
		"DEB-1,,SPB,P1Y,monthly,25,22.00,,day 1,2026-01-01,,\n" +
		"DEB-1,,SPE_E3,P1M,monthly,as-assigned,,15,prorated,2026-01-01,,\n"
	lines, err := ParseCSV(strings.NewReader(in), "c.csv", fakeResolver{})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{PricingFixed, PricingCostPlus} {
		l := lines[i]
		if l.Pricing() != want || l.Timing != TimingAdvance || l.Arrears() || l.AsPurchased || l.ERP || l.DiscountPercent != nil {
			t.Errorf("line %d: %+v, pricing %s", i, l, l.Pricing())
		}
	}
	if !lines[1].AsAssigned() {
		t.Error("as-assigned lost")
	}
}

func TestParseCSVBillingFields(t *testing.T) {
	in := billingHeader +
		"DEB-1,SPB,P1Y,monthly,as-purchased,erp,,,10,prorated,arrears,2026-01-01\n" +
		"DEB-1,SPE_E3,P1Y,annual,20,ERP,,,,day 1,Advance,2026-01-01\n" +
		"DEB-1,SPE_E3,P1M,monthly,5,cost-plus,,12.5,,day 1,,2026-01-01\n" +
		"DEB-1,SPE_E3,P3Y,triennial,5,fixed,30,,,day 1,,2026-01-01\n"
	lines, err := ParseCSV(strings.NewReader(in), "c.csv", fakeResolver{})
	if err != nil {
		t.Fatal(err)
	}
	a, b, c, d := lines[0], lines[1], lines[2], lines[3]
	if !a.AsPurchased || a.AsAssigned() || a.Quantity != nil || a.Pricing() != PricingERP || a.DiscountPercent.String() != "10" || !a.Arrears() {
		t.Errorf("as-purchased ERP line: %+v", a)
	}
	if a.BilledSeats(7, 9) != 9 || b.BilledSeats(7, 9) != 20 || (Line{}).BilledSeats(7, 9) != 7 {
		t.Error("BilledSeats does not follow the quantity")
	}
	if b.Pricing() != PricingERP || b.DiscountPercent != nil || b.Arrears() || b.PriceText() != "ERP" || a.PriceText() != "ERP-10%" {
		t.Errorf("ERP line without discount: %+v %s", b, b.PriceText())
	}
	if c.Pricing() != PricingCostPlus || c.MarkupPercent.String() != "12.5" || c.PriceText() != "cost+12.5%" {
		t.Errorf("cost-plus line: %+v", c)
	}
	if d.Pricing() != PricingFixed || d.UnitPrice.String() != "30" || d.PriceText() != "30.00" {
		t.Errorf("fixed line: %+v", d)
	}
	if a.SameAs(b) || !a.SameAs(a) {
		t.Error("SameAs ignores the billing fields")
	}
	noDiscount := a
	noDiscount.DiscountPercent = nil
	if a.SameAs(noDiscount) {
		t.Error("SameAs ignores the discount")
	}
	implicit := b
	implicit.Timing = ""
	if !b.SameAs(implicit) {
		t.Error("an empty timing is advance")
	}
}

func TestParseCSVBillingFieldProblems(t *testing.T) {
	cases := []struct {
		name, row, want string
	}{
		{"unknown pricing", "DEB-1,SPB,P1Y,monthly,5,retail,,,,day 1,,2026-01-01", `c.csv:2: pricing: "retail" is not a pricing`},
		{"erp with a price", "DEB-1,SPB,P1Y,monthly,5,erp,22,,,day 1,,2026-01-01", `c.csv:2: unit_price: an ERP-priced line takes no unit_price`},
		{"erp with a markup", "DEB-1,SPB,P1Y,monthly,5,erp,,10,,day 1,,2026-01-01", `c.csv:2: markup_percent: an ERP-priced line takes discount_percent`},
		{"discount without erp", "DEB-1,SPB,P1Y,monthly,5,,22,,10,day 1,,2026-01-01", `c.csv:2: discount_percent: a discount applies to ERP-priced lines only`},
		{"discount of 100", "DEB-1,SPB,P1Y,monthly,5,erp,,,100,day 1,,2026-01-01", `c.csv:2: discount_percent: 100 is outside 0 to 100`},
		{"negative discount", "DEB-1,SPB,P1Y,monthly,5,erp,,,-5,day 1,,2026-01-01", `c.csv:2: discount_percent: -5 is outside 0 to 100`},
		{"discount not a number", "DEB-1,SPB,P1Y,monthly,5,erp,,,ten,day 1,,2026-01-01", `c.csv:2: discount_percent: "ten" is not a percentage`},
		{"fixed without a price", "DEB-1,SPB,P1Y,monthly,5,fixed,,,,day 1,,2026-01-01", `c.csv:2: unit_price: required with pricing fixed`},
		{"cost-plus without a markup", "DEB-1,SPB,P1Y,monthly,5,cost-plus,,,,day 1,,2026-01-01", `c.csv:2: markup_percent: required with pricing cost-plus`},
		{"cost-plus with a price", "DEB-1,SPB,P1Y,monthly,5,cost-plus,22,10,,day 1,,2026-01-01", `c.csv:2: unit_price: a cost-plus line takes no unit_price`},
		{"unknown timing", "DEB-1,SPB,P1Y,monthly,5,,22,,,day 1,upfront,2026-01-01", `c.csv:2: timing: "upfront" is neither advance`},
		{"bad quantity names as-purchased", "DEB-1,SPB,P1Y,monthly,all,,22,,,day 1,,2026-01-01", `c.csv:2: quantity: "all" is neither a number of seats, as-assigned nor as-purchased`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseCSV(strings.NewReader(billingHeader+c.row+"\n"), "c.csv", fakeResolver{})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want %q", err, c.want)
			}
		})
	}
}

// Purchased seats include the assigned ones: two lines billing either for one SKU
// on the same days would bill them twice.
func TestParseCSVRefusesPurchasedTwice(t *testing.T) {
	in := billingHeader +
		"DEB-1,SPB,P1Y,monthly,as-purchased,,22,,,day 1,,2026-01-01\n" +
		"DEB-1,SPB,P1M,monthly,as-assigned,,25,,,day 1,,2026-01-01\n"
	_, err := ParseCSV(strings.NewReader(in), "c.csv", fakeResolver{})
	if err == nil || !strings.Contains(err.Error(), "c.csv:3: quantity: line 2 already bills the purchased seats of SPB") {
		t.Fatalf("got %v", err)
	}
}

func TestParseYAMLBillingFields(t *testing.T) {
	in := `contracts:
  - customer: DEB-1
    sku: SPB
    term: P1Y
    billing_plan: annual
    quantity: as-purchased
    pricing: erp
    discount_percent: 7.5
    billing: prorated
    timing: arrears
    start: 2026-01-01
`
	lines, err := ParseYAML([]byte(in), "c.yaml", fakeResolver{})
	if err != nil || len(lines) != 1 || !lines[0].AsPurchased || !lines[0].ERP || lines[0].DiscountPercent.String() != "7.5" || !lines[0].Arrears() {
		t.Fatalf("got %v %+v", err, lines)
	}
	_, err = ParseYAML([]byte(strings.Replace(in, "timing: arrears", "timing: later", 1)), "c.yaml", fakeResolver{})
	if err == nil || !strings.Contains(err.Error(), `c.yaml:10: timing: "later"`) {
		t.Fatalf("a bad timing in YAML: %v", err)
	}
}
