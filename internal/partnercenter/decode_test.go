package partnercenter

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seatledger/seatledger/internal/inventory"
)

// samples is where Microsoft's documented payloads are kept, beside the project.
const samples = "../../../shared/data/partner-center-samples"

func readSample(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(samples, name))
	if err != nil {
		t.Fatalf("sample %s: %v", name, err)
	}
	return b
}

func day(s string) *time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return &t
}

func TestDecodeNCESample(t *testing.T) {
	subs, n, err := decodeSubscriptions(readSample(t, "pc-subscription-nce.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !n.empty() || len(subs) != 1 {
		t.Fatalf("%d subscriptions, next %+v", len(subs), n)
	}
	got := subs[0]
	want := inventory.PartnerSubscription{
		ID: "a4c1340d-6911-4758-bba3-0c4c6007d161", OfferID: "CFQ7TTC0LH18:0001:CFQ7TTC0K971", ProductSKU: "CFQ7TTC0LH18:0001",
		OfferName: "Microsoft 365 Business Basic", ProductType: "OnlineServicesNCE", Quantity: 15, Status: "expired",
		Created: day("2021-01-14T16:57:15.0966728Z"), EffectiveStart: day("2021-01-14T16:57:14.498252Z"), CommitmentEnd: day("2022-01-13T00:00:00Z"),
		AutoRenew: false, TermDuration: "P1Y", BillingCycle: "monthly", IsTrial: false, ResellerID: "",
		RefundUntil: day("2021-01-15T00:00:00Z"),
		Refundable:  []inventory.RefundableSeats{{Seats: 10, Until: *day("2021-01-24T20:39:17.182697Z")}},
	}
	if !samePartnerSubscription(got, want) {
		t.Errorf("decoded\n%+v\nwant\n%+v", got, want)
	}
	if !got.NCE() {
		t.Error("the NCE sample is not NCE")
	}
	if n := got.RefundableNow(*day("2021-01-20T00:00:00Z")); n != 10 {
		t.Errorf("refundable on 2021-01-20: %d, want 10", n)
	}
	if n := got.RefundableNow(*day("2021-01-25T00:00:00Z")); n != 0 {
		t.Errorf("refundable on 2021-01-25: %d, want 0", n)
	}
}

func TestDecodeOtherKindsKept(t *testing.T) {
	for _, tc := range []struct {
		file, id, offer, productSKU string
		quantity                    int
	}{
		{"pc-subscription-addon.json", "968ba1cf-c146-4adf-a300-308dcf718eee", "2828BE95-46BA-4F91-B2FD-0BEF192ECF60", "", 2},
		{"pc-subscription-azure.json", "a356ac8c-e310-44f4-bf85-c7f29044af99", "MS-AZR-0145P", "", 1},
	} {
		subs, _, err := decodeSubscriptions(readSample(t, tc.file))
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		if len(subs) != 1 {
			t.Fatalf("%s: %d subscriptions", tc.file, len(subs))
		}
		s := subs[0]
		if s.ID != tc.id || s.OfferID != tc.offer || s.ProductSKU != tc.productSKU || s.Quantity != tc.quantity || s.NCE() || s.Status != "active" {
			t.Errorf("%s: %+v", tc.file, s)
		}
	}
}

func TestDecodeCollectionAndPaging(t *testing.T) {
	nce := string(readSample(t, "pc-subscription-nce.json"))
	azure := string(readSample(t, "pc-subscription-azure.json"))
	body := `{"totalCount":2,"items":[` + nce + `,` + azure + `],"links":{"next":{"uri":"/customers/x/subscriptions?seekOperation=Next","method":"GET",` +
		`"headers":[{"key":"MS-ContinuationToken","value":"tok-2"}]}},"attributes":{"objectType":"Collection"}}`
	subs, n, err := decodeSubscriptions([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if len(subs) != 2 || n.URI != "/customers/x/subscriptions?seekOperation=Next" || n.Token != "tok-2" {
		t.Fatalf("%d subscriptions, next %+v", len(subs), n)
	}
	empty := `{"totalCount":0,"items":[],"links":{"self":{"uri":"/customers"}},"attributes":{"objectType":"Collection"}}`
	if subs, n, err := decodeSubscriptions([]byte(empty)); err != nil || len(subs) != 0 || !n.empty() {
		t.Fatalf("empty collection: %d, %+v, %v", len(subs), n, err)
	}
	customers := `{"totalCount":1,"items":[{"id":"D8202A51-69F9-4228-B900-D0E081AF17D7","companyProfile":{"tenantId":"D8202A51-69F9-4228-B900-D0E081AF17D7",` +
		`"domain":"Contoso.onmicrosoft.com","companyName":" Contoso "},"relationshipToPartner":"Reseller"}],"continuationToken":"c2",` +
		`"links":{"next":{"uri":"/customers?size=1&seekOperation=Next","method":"GET","headers":[]}}}`
	list, n, err := decodeCustomers([]byte(customers))
	if err != nil {
		t.Fatal(err)
	}
	want := inventory.PartnerCustomer{TenantID: "d8202a51-69f9-4228-b900-d0e081af17d7", CompanyName: "Contoso", Domain: "contoso.onmicrosoft.com", Relationship: "reseller"}
	if len(list) != 1 || list[0] != want || n.Token != "c2" {
		t.Fatalf("customers %+v, next %+v", list, n)
	}
}

func TestDecodeRejects(t *testing.T) {
	for _, body := range []string{``, `[]`, `{"items":{}}`, `{"items":[{"quantity":1}]}`, `{"items":[{"id":"x","quantity":-1}]}`,
		`{"items":[{"id":"x","commitmentEndDate":"soon"}]}`, `{"items":[{"id":"x"`} {
		if subs, _, err := decodeSubscriptions([]byte(body)); err == nil {
			t.Errorf("%q: decoded %+v", body, subs)
		}
	}
	if _, _, err := decodeCustomers([]byte(`{"items":[{"id":"not-a-guid"}]}`)); err == nil || !strings.Contains(err.Error(), "not a GUID") {
		t.Errorf("customer without a tenant id: %v", err)
	}
}

func samePartnerSubscription(a, b inventory.PartnerSubscription) bool {
	sameT := func(x, y *time.Time) bool { return x == nil && y == nil || x != nil && y != nil && x.Equal(*y) }
	if len(a.Refundable) != len(b.Refundable) {
		return false
	}
	for i := range a.Refundable {
		if a.Refundable[i].Seats != b.Refundable[i].Seats || !a.Refundable[i].Until.Equal(b.Refundable[i].Until) {
			return false
		}
	}
	return a.ID == b.ID && a.OfferID == b.OfferID && a.ProductSKU == b.ProductSKU && a.OfferName == b.OfferName && a.ProductType == b.ProductType &&
		a.Quantity == b.Quantity && a.Status == b.Status && sameT(a.Created, b.Created) && sameT(a.EffectiveStart, b.EffectiveStart) &&
		sameT(a.CommitmentEnd, b.CommitmentEnd) && a.AutoRenew == b.AutoRenew && a.TermDuration == b.TermDuration && a.BillingCycle == b.BillingCycle &&
		a.IsTrial == b.IsTrial && a.ResellerID == b.ResellerID && sameT(a.RefundUntil, b.RefundUntil)
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)
	if d := delay("", 30, now, time.Minute); d != time.Minute {
		t.Errorf("backoff after 30 attempts %v, want the cap", d)
	}
}

const http1123 = "Mon, 02 Jan 2006 15:04:05 GMT"
