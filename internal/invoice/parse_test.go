package invoice

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seatledger/seatledger/internal/problems"
)

// samples is Partner Center's documented payloads, kept beside the repository.
const samples = "../../../shared/data/partner-center-samples/"

func dec(t *testing.T, field, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %s, want %s", field, got, want)
	}
}

func TestEverySampleLineItemFileParses(t *testing.T) {
	files, err := filepath.Glob(samples + "*lineitems*.json")
	if err != nil || len(files) < 5 {
		t.Fatalf("sample line-item files: %v, %v", files, err)
	}
	for _, f := range files {
		items, err := ParseFile(f)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if len(items) == 0 {
			t.Errorf("%s: no line items", f)
		}
		for _, it := range items {
			if it.CustomerID == "" || it.SubscriptionID == "" || it.ChargeStart.IsZero() || it.UnknownChargeType {
				t.Errorf("%s: incomplete line %+v", it.Source, it)
			}
		}
	}
}

func TestSampleValues(t *testing.T) {
	items, err := ParseFile(samples + "pc-invoice-lineitems-onetime.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 4 {
		t.Fatalf("%d items, want 4", len(items))
	}
	pbi := items[1]
	dec(t, "unitPrice", pbi.UnitPrice.String(), "16")
	dec(t, "effectiveUnitPrice", pbi.EffectiveUnitPrice.String(), "14.4")
	dec(t, "subtotal", pbi.Subtotal.String(), "720")
	dec(t, "taxTotal", pbi.TaxTotal.String(), "73")
	dec(t, "totalForCustomer", pbi.Total.String(), "793")
	dec(t, "seat subtotal", SeatSubtotal(pbi).String(), "720")
	if pbi.ProductSKU() != "CFQ7TTC0HL8W:0001" || pbi.AvailabilityID != "CFQ7TTC0K59S" || pbi.InvoiceNumber != "G000773581" ||
		pbi.SubscriptionID != "9d7d1f3d-c8de-461c-db6d-91debd5129f0" || pbi.ReferenceID != "28b535e0-68f4-40b5-84f7-8ed9241eb149" ||
		pbi.BillingFrequency != "Monthly" || pbi.ChargeType != ChargeNew {
		t.Errorf("Power BI line %+v", pbi)
	}
	if !pbi.ChargeStart.Equal(time.Date(2021, 5, 20, 0, 0, 0, 0, time.UTC)) || !pbi.ChargeEnd.Equal(time.Date(2021, 6, 19, 0, 0, 0, 0, time.UTC)) ||
		pbi.ChargeDays() != 31 || !pbi.SubscriptionEnd.Equal(time.Date(2022, 5, 19, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("Power BI days %v–%v (%d days)", pbi.ChargeStart, pbi.ChargeEnd, pbi.ChargeDays())
	}
	if !strings.HasSuffix(pbi.Source, "pc-invoice-lineitems-onetime.json:62 (items[1])") {
		t.Errorf("source %q", pbi.Source)
	}

	// Numbers as numbers, "New" capitalised, dates with an offset, a fractional
	// billable quantity — and a subtotal that is not the seat rule (a marketplace
	// offer billed by usage).
	waf := items[2]
	dec(t, "billableQuantity", waf.BillableQuantity.String(), "3.1618")
	dec(t, "unitPrice", waf.UnitPrice.String(), "820")
	if waf.ChargeType != ChargeNew || !waf.ChargeStart.Equal(time.Date(2019, 2, 4, 0, 0, 0, 0, time.UTC)) ||
		!waf.ChargeEnd.Equal(time.Date(2019, 3, 3, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("WAF line %+v", waf)
	}
	dec(t, "WAF seat subtotal", SeatSubtotal(waf).String(), "2592.676")
	if SubtotalMatchesRule(waf) {
		t.Error("the WAF line's subtotal 820 passes the seat rule")
	}

	e3 := items[3]
	dec(t, "taxTotal", e3.TaxTotal.String(), "1.61")
	dec(t, "totalForCustomer", e3.Total.String(), "17.61")
	if e3.CustomerID != "9060d13d-c5ed-482e-b059-a15a38cbb28e" || !e3.SubscriptionStart.IsZero() || e3.ReferenceID != "" {
		t.Errorf("E3 line %+v", e3)
	}

	unbilled, err := ParseFile(samples + "pc-recon-unbilled-onetime-lineitems-page2.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(unbilled) != 4 || unbilled[0].InvoiceNumber != "" || unbilled[3].CustomerID != "d7f565f5-5367-492f-a465-9e2057c5e3c3" ||
		unbilled[3].CustomerDomain != "testtestgtm1.ccsctp.net" || !unbilled[1].TaxTotal.IsZero() {
		t.Errorf("unbilled lines %+v", unbilled)
	}

	legacy, err := ParseFile(samples + "pc-invoice-lineitems-office-legacy.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(legacy) != 2 || legacy[0].CustomerID != "74221236-d09c-4870-ac1d-33e155e9aebe" || legacy[0].SubscriptionID != "4KIKawEAAAAAAAEA" ||
		legacy[0].SKUName != "EXCHANGE ONLINE (PLAN 2)" || legacy[0].BillableQuantity.String() != "3" || legacy[0].BillingFrequency != "MONTHLY" {
		t.Errorf("legacy lines %+v", legacy)
	}
}

const csvHeader = "PartnerId,CustomerId,CustomerName,InvoiceNumber,OrderId,ProductId,SkuId,AvailabilityId,SkuName,ProductName,ChargeType," +
	"UnitPrice,EffectiveUnitPrice,Quantity,BillableQuantity,Subtotal,TaxTotal,Total,Currency,PCToBCExchangeRate,SubscriptionId," +
	"SubscriptionStartDate,SubscriptionEndDate,ChargeStartDate,ChargeEndDate,TermAndBillingCycle,BillingFrequency,ReferenceId,PriceAdjustmentDescription"

func TestParseCSV(t *testing.T) {
	in := "\ufeff" + strings.Replace(csvHeader, ",PriceAdjustmentDescription", ",\"PriceAdjustmentDescription\u201c", 1) + "\r\n" +
		"3B33E682-00C3-41EE-9DD2-A548ADF56438,C139C4BF-2E8B-4AB5-8BED-D9F50DCCA7A2,\"Contoso, B.V.\",G016907411,O1,CFQ7TTC0LH18,0001,CFQ7TTC0K5RQ," +
		"Microsoft 365 Business Basic,Microsoft 365 Business Basic,Cycle Charge,5.60,2.7096774193548,10,10,27.09,5.69,32.78,EUR,1," +
		"{A4C1340D-1111-2222-3333-444455556666},2026-01-01,2026-12-31,11/16/2026,12/16/2026,One-Year commitment for monthly/yearly billing,Monthly,,\r\n" +
		"\r\n" +
		"3b33e682-00c3-41ee-9dd2-a548adf56438,c139c4bf-2e8b-4ab5-8bed-d9f50dcca7a2,Contoso,G016907411,O2,CFQ7TTC0LH18,0001,CFQ7TTC0K5RQ," +
		"Microsoft 365 Business Basic,Microsoft 365 Business Basic,ADD_QUANTITY,5.60,5.6,2,2,10.30,0,10.30,GBP,0.92,a4c1340d-1111-2222-3333-444455556666," +
		"2026-01-01T00:00:00Z,2026-12-31T00:00:00Z,2026-12-01T00:00:00+01:00,2026-12-31T00:00:00,,Monthly,0CF1202A-5B7D-4219-966E-93C637113708,\"[\"\"Price for given term\"\"]\"\r\n"
	items, err := Parse(strings.NewReader(in), "recon.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 {
		t.Fatalf("%d items, want 2", len(items))
	}
	a, b := items[0], items[1]
	if a.Source != "recon.csv:2" || b.Source != "recon.csv:4" || a.CustomerName != "Contoso, B.V." ||
		a.CustomerID != "c139c4bf-2e8b-4ab5-8bed-d9f50dcca7a2" || a.SubscriptionID != "a4c1340d-1111-2222-3333-444455556666" ||
		a.ChargeType != ChargeCycle || b.ChargeType != ChargeAddQuantity || b.ReferenceID != "0cf1202a-5b7d-4219-966e-93c637113708" {
		t.Errorf("lines %+v\n%+v", a, b)
	}
	dec(t, "effective unit price", a.EffectiveUnitPrice.String(), "2.7096774193548")
	dec(t, "seat subtotal", SeatSubtotal(a).String(), "27") // 2.7096… cut to 2.70, × 10
	if a.ChargeDays() != 31 || !a.ChargeStart.Equal(time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("charge days %d from %v", a.ChargeDays(), a.ChargeStart)
	}
	// 5.6 × 0.92 = 5.152, cut to 5.15, × 2 seats.
	dec(t, "seat subtotal at a rate", SeatSubtotal(b).String(), "10.3")
	dec(t, "rate", b.PCToBCExchangeRate.String(), "0.92")
	if b.PriceAdjustmentDescription != `["Price for given term"]` || !b.ChargeStart.Equal(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("line b %+v", b)
	}

	// Excel in Dutch saves with semicolons and decimal commas.
	semi := strings.ReplaceAll(csvHeader, ",", ";") + "\n" + strings.Join([]string{"", "c139c4bf-2e8b-4ab5-8bed-d9f50dcca7a2", "Contoso", "", "", "CFQ7TTC0LH18", "0001", "",
		"", "", "renew", "5,60", "5,60", "3", "3", "16,80", "0", "16,80", "EUR", "1", "s-1", "", "", "2026-12-01", "2026-12-31", "", "", "", ""}, ";") + "\n"
	items, err = Parse(strings.NewReader(semi), "nl.csv")
	if err != nil {
		t.Fatal(err)
	}
	dec(t, "decimal comma", items[0].Subtotal.String(), "16.8")
	if items[0].ChargeType != ChargeRenew || items[0].SubscriptionID != "s-1" {
		t.Errorf("line %+v", items[0])
	}
}

func gzipped(t *testing.T, s string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestParseGraphExportBlob(t *testing.T) {
	blob := `{"partnerId":"934F3416-BC2F-47F3-B492-77E517D4E572","customerId":"C139C4BF-2E8B-4AB5-8BED-D9F50DCCA7A2","customerName":"Contoso","invoiceNumber":"G016907411","productId":"CFQ7TTC0LH18","skuId":"0001","chargeType":"CycleCharge","unitPrice":"5.60","effectiveUnitPrice":5.6,"quantity":10,"billableQuantity":"10","subtotal":56.00,"taxTotal":"11.76","totalForCustomer":67.76,"currency":"EUR","pricingCurrency":"EUR","pcToBCExchangeRate":1,"subscriptionId":"A4C1340D-1111-2222-3333-444455556666","subscriptionStartDate":"2026-01-01T00:00:00Z","chargeStartDate":"2026-12-01T00:00:00.0000000Z","chargeEndDate":"2026-12-31T00:00:00Z","referenceId":"r-1","productQualifiers":["AddOn"]}
` + "\n" + `{"customerId":"c139c4bf-2e8b-4ab5-8bed-d9f50dcca7a2","chargeType":"refundAdjustment","unitPrice":1E+1,"effectiveUnitPrice":"-10","billableQuantity":"1","subtotal":"-10","currency":"eur","subscriptionId":"a4c1340d-1111-2222-3333-444455556666","chargeStartDate":"2026-12-01","chargeEndDate":"2026-12-31"}` + "\n"
	path := filepath.Join(t.TempDir(), "part-0.json.gz")
	if err := os.WriteFile(path, gzipped(t, blob), 0o600); err != nil {
		t.Fatal(err)
	}
	items, err := ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 {
		t.Fatalf("%d items, want 2", len(items))
	}
	a, b := items[0], items[1]
	if a.Source != path+":1" || b.Source != path+":3" || a.ChargeType != ChargeCycle || a.PartnerID != "934f3416-bc2f-47f3-b492-77e517d4e572" ||
		a.CustomerID != "c139c4bf-2e8b-4ab5-8bed-d9f50dcca7a2" || a.SubscriptionID != "a4c1340d-1111-2222-3333-444455556666" {
		t.Errorf("line a %+v", a)
	}
	dec(t, "unit price", a.UnitPrice.StringFixed(2), "5.60")
	dec(t, "subtotal", a.Subtotal.String(), "56")
	dec(t, "total", a.Total.String(), "67.76")
	if !SubtotalMatchesRule(a) {
		t.Errorf("subtotal %s, rule %s", a.Subtotal, SeatSubtotal(a))
	}
	// An unknown charge type is kept as written and flagged; a number with an
	// exponent is read exactly; a credit reads as negative seats.
	if b.ChargeType != "refundAdjustment" || !b.UnknownChargeType || b.UnitPrice.String() != "10" || b.Currency != "EUR" ||
		!b.Credit() || b.SignedQuantity().String() != "-1" {
		t.Errorf("line b %+v", b)
	}
}

func TestNormalChargeType(t *testing.T) {
	for in, want := range map[string]string{
		"new": ChargeNew, "New": ChargeNew, "RENEW": ChargeRenew, "cycleCharge": ChargeCycle, "Cycle charge": ChargeCycle,
		"add_quantity": ChargeAddQuantity, "RemoveQuantity": ChargeRemoveQuantity, "move-quantity": ChargeMoveQuantity,
		"cancelimmediate": ChargeCancelImmediate, "Convert": ChargeConvert, "changeBillingPlan": ChargeChangeBillingPlan,
		"customer credit": ChargeCustomerCredit, "extendTerm": ChargeExtendTerm,
	} {
		if got, ok := NormalChargeType(in); !ok || got != want {
			t.Errorf("NormalChargeType(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	if got, ok := NormalChargeType(" Activation fee "); ok || got != "Activation fee" {
		t.Errorf("unknown charge type = %q, %v", got, ok)
	}
}

func TestSeatSubtotalCutsTowardsZero(t *testing.T) {
	for _, c := range []struct{ eup, rate, qty, want string }{
		{"10.4516129", "0.92", "3", "28.83"}, // 9.6154838… → 9.61
		{"-5.555", "1", "2", "-11.1"},        // a credit: −5.555 → −5.55, not −5.56
		{"14.4", "1", "50", "720"},
		{"0.009", "1", "100", "0"},
	} {
		l := LineItem{EffectiveUnitPrice: mustDec(c.eup), PCToBCExchangeRate: mustDec(c.rate), BillableQuantity: mustDec(c.qty)}
		if got := SeatSubtotal(l).String(); got != c.want {
			t.Errorf("SeatSubtotal(%s × %s, %s) = %s, want %s", c.eup, c.rate, c.qty, got, c.want)
		}
	}
}

func TestBrokenLinesNameFileLineAndField(t *testing.T) {
	good := `"customerId":"c139c4bf-2e8b-4ab5-8bed-d9f50dcca7a2","chargeType":"new","unitPrice":1,"billableQuantity":1,"currency":"EUR","subscriptionId":"s","chargeStartDate":"2026-12-01","chargeEndDate":"2026-12-31"`
	row := func(subtotal, start string) string {
		return strings.Join([]string{"", "c139c4bf-2e8b-4ab5-8bed-d9f50dcca7a2", "", "", "", "", "", "", "", "", "new", "1", "1", "1", "1", subtotal, "", "", "EUR", "", "s",
			"", "", start, "2026-12-31", "", "", "", ""}, ",")
	}
	for _, c := range []struct {
		name, file string
		in         []byte
		want       []string
	}{
		{"CSV amount", "inv.csv", []byte(csvHeader + "\n" + row("1", "2026-12-01") + "\n" + row(`"1,5"`, "2026-12-01") + "\n"),
			[]string{`inv.csv:3: Subtotal: "1,5" is not a plain number (write 1.5: a decimal point, not a comma)`}},
		{"CSV date", "inv.csv", []byte(csvHeader + "\n" + row("1", "31.12.2026") + "\n"),
			[]string{`inv.csv:2: ChargeStartDate: "31.12.2026" is not a date (2021-05-20T00:00:00Z, 2021-05-20 or 5/20/2021)`}},
		{"CSV column missing", "inv.csv", []byte(strings.Replace(csvHeader, ",Subtotal,", ",Amount,", 1) + "\n" + row("1", "2026-12-01") + "\n"),
			[]string{"inv.csv:1: Subtotal: column missing from the header"}},
		{"CSV fields", "inv.csv", []byte(csvHeader + "\n" + row("1", "2026-12-01") + ",x\n"),
			[]string{"inv.csv:2: 30 fields, the header has 29"}},
		{"JSON item", "page.json", []byte("{\"items\": [\n {" + good + ",\"subtotal\":1},\n {" + good + ",\n  \"subtotal\":\"one\"}\n]}"),
			[]string{`page.json:3: items[1].subtotal: "one" is not a plain number (write it as 12.50: digits and a decimal point, no currency sign, thousands separator or exponent)`}},
		{"JSON missing", "page.json", []byte("[{" + strings.Replace(good, `"customerId":"c139c4bf-2e8b-4ab5-8bed-d9f50dcca7a2",`, "", 1) + ",\"subtotal\":1}]"),
			[]string{"page.json:1: items[0].customerId: missing"}},
		{"JSON cut short", "page.json", []byte("{\"items\": [\n {" + good + ",\"subtotal\":1}\n"),
			[]string{"page.json:3: not JSON: the answer is cut short or broken after its items"}},
		{"JSON lines", "blob.json.gz", gzipped(t, "{"+good+",\"subtotal\":1}\n{"+good+",\"subtotal\":1,\"pcToBCExchangeRate\":0}\n"),
			[]string{"blob.json.gz:2: pcToBCExchangeRate: 0 is not a rate: it must be above 0"}},
		{"JSON lines end before start", "blob.jsonl", []byte("{" + strings.Replace(good, `"chargeEndDate":"2026-12-31"`, `"chargeEndDate":"2026-11-30"`, 1) + ",\"subtotal\":1}\n"),
			[]string{"blob.jsonl:1: chargeEndDate: 2026-11-30 is before the charge start 2026-12-01"}},
		{"JSON lines list value", "blob.jsonl", []byte("{" + good + ",\"subtotal\":[1]}\n"),
			[]string{"blob.jsonl:1: subtotal: must be a single value, not a list or an object"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			items, err := Parse(bytes.NewReader(c.in), c.file)
			if items != nil {
				t.Errorf("returned %d items with the problems", len(items))
			}
			var list problems.List
			if !errors.As(err, &list) {
				t.Fatalf("error %v, want problems", err)
			}
			if got := strings.Split(list.Error(), "\n"); strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}

func TestEmptyAnswerHasNoLines(t *testing.T) {
	items, err := Parse(strings.NewReader(`{"totalCount":0,"items":[],"attributes":{"objectType":"Collection"}}`), "empty.json")
	if err != nil || items == nil || len(items) != 0 {
		t.Errorf("items %v, err %v", items, err)
	}
}
