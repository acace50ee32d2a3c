package partnercenter

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzDecodeSubscriptions feeds Partner Center's subscription decoder arbitrary bytes:
// it must answer with values or an error, never panic, and what it returns must hold
// together.
func FuzzDecodeSubscriptions(f *testing.F) {
	for _, name := range []string{"pc-subscription-nce.json", "pc-subscription-addon.json", "pc-subscription-azure.json"} {
		if b, err := os.ReadFile(filepath.Join(samples, name)); err == nil {
			f.Add(b)
			f.Add(append(append([]byte(`{"items":[`), b...), []byte(`],"continuationToken":"t","links":{"next":{"uri":"/x"}}}`)...))
		}
	}
	f.Add([]byte(`{"items":[{"id":"A","offerId":"P:S:A","quantity":3,"refundOptions":[{"expiresAt":null}],"refundableQuantity":{"details":[{"quantity":2}]}}]}`))
	f.Add([]byte(`{"items":null,"attributes":{"objectType":"Collection"}}`))
	f.Add([]byte(`{"id":"x","creationDate":"0001-01-01T00:00:00"}`))
	f.Add([]byte(`{"items":[{"id":"x"`))
	f.Fuzz(func(t *testing.T, body []byte) {
		subs, n, err := decodeSubscriptions(body)
		if err != nil {
			if subs != nil || !n.empty() {
				t.Fatalf("an error with values: %d subscriptions, next %+v", len(subs), n)
			}
			return
		}
		for _, s := range subs {
			if s.ID == "" || s.Quantity < 0 {
				t.Fatalf("subscription %+v", s)
			}
			for _, r := range s.Refundable {
				if r.Seats <= 0 || r.Until.IsZero() {
					t.Fatalf("refundable lot %+v", r)
				}
			}
			if s.ProductSKU != "" && len(s.ProductSKU) > len(s.OfferID) {
				t.Fatalf("product:sku %q longer than offer %q", s.ProductSKU, s.OfferID)
			}
		}
	})
}
