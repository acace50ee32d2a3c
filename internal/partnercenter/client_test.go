package partnercenter_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/seatledger/seatledger/internal/catalog"
	"github.com/seatledger/seatledger/internal/partnercenter"
	"github.com/seatledger/seatledger/internal/sandbox"
)

// cloud is the simulated Microsoft cloud with its Partner Center, and the real client
// signed in to the simulated partner's tenant over HTTPS.
func cloud(t *testing.T, tenants int, tweak func(*partnercenter.Config)) (*sandbox.Server, *partnercenter.Client) {
	t.Helper()
	w, err := sandbox.Generate(sandbox.Options{Seed: 7, Tenants: tenants})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := sandbox.NewServer(w, sandbox.ServerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, srv.CAPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := partnercenter.Config{PartnerTenantID: sandbox.PartnerTenantID, ClientID: srv.ClientID(), ClientSecret: srv.ClientSecret(),
		BaseURL: srv.PartnerCenterBaseURL(), AuthorityHost: srv.AuthorityHost(), CAFile: caFile, RequestTimeout: 10 * time.Second}
	if tweak != nil {
		tweak(&cfg)
	}
	c, err := partnercenter.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

func TestCustomersFollowContinuation(t *testing.T) {
	srv, c := cloud(t, 12, nil)
	list, err := c.Customers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	truth := srv.Truth()
	if len(list) != len(truth.Tenants) {
		t.Fatalf("%d customers, the world has %d", len(list), len(truth.Tenants))
	}
	for i, tt := range truth.Tenants {
		if list[i].TenantID != tt.ID || list[i].CompanyName != tt.Name || list[i].Relationship != "reseller" || list[i].Domain == "" {
			t.Errorf("customer %d: %+v, want %s %s", i, list[i], tt.ID, tt.Name)
		}
	}
	reqs := srv.PartnerCenterRequests()
	if len(reqs) != 2 || reqs[0].Continuation != "" || reqs[1].Continuation == "" {
		t.Fatalf("requests %+v, want two pages, the second with its continuation token", reqs)
	}
	if reqs[0].CorrelationID != c.CorrelationID() || reqs[1].CorrelationID != c.CorrelationID() || reqs[0].RequestID == reqs[1].RequestID {
		t.Errorf("requests %+v: want one correlation id %s and a request id each", reqs, c.CorrelationID())
	}
}

func TestSubscriptionsEqualTheTruth(t *testing.T) {
	srv, c := cloud(t, 12, nil)
	truth := srv.Truth()
	cases := map[string]bool{}
	for _, tt := range truth.Tenants {
		subs, err := c.Subscriptions(context.Background(), tt.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(subs) != len(tt.PartnerCenter) {
			t.Fatalf("%s: %d subscriptions, truth %d", tt.Name, len(subs), len(tt.PartnerCenter))
		}
		for i, want := range tt.PartnerCenter {
			got := subs[i]
			cases[want.Case] = true
			renewal := (*time.Time)(nil)
			if got.AutoRenew && got.CommitmentEnd != nil {
				r := got.CommitmentEnd.AddDate(0, 0, 1)
				renewal = &r
			}
			if got.ID != want.SubscriptionID || got.OfferID != want.OfferID || got.Quantity != want.Quantity || got.Status != want.Status ||
				got.TermDuration != want.Term || got.BillingCycle != want.BillingCycle || got.AutoRenew != want.AutoRenew ||
				got.ResellerID != want.ResellerID || got.IsTrial != want.IsTrial || !got.NCE() ||
				got.CommitmentEnd == nil || !got.CommitmentEnd.Equal(want.CommitmentEnd) || !sameTime(renewal, want.Renewal) ||
				!sameTime(got.RefundUntil, want.RefundUntil) || got.RefundableNow(truth.Now) != want.RefundableNow {
				t.Errorf("%s %s (%s):\n got %+v\nwant %+v", tt.Name, want.PartNumber, want.Case, got, want)
			}
			if (want.SubscriptionID == want.CommerceID) == (want.Case == sandbox.CaseOtherID) {
				t.Errorf("%s: Partner Center id %s, commerce id %s in case %q", tt.Name, want.SubscriptionID, want.CommerceID, want.Case)
			}
		}
	}
	for c := range sandbox.PartnerCaseTenants {
		if !cases[c] {
			t.Errorf("case %s not planted", c)
		}
	}
}

// TestOfferMatrixLinksToGraph checks that the world's offer matrix, read by the
// catalogue's own reader, maps every Partner Center subscription to its Graph SKU.
func TestOfferMatrixLinksToGraph(t *testing.T) {
	srv, c := cloud(t, 4, nil)
	offers, err := catalog.ParseOfferMatrix(bytes.NewReader(srv.OfferMatrixCSV()), "offers.csv")
	if err != nil {
		t.Fatal(err)
	}
	graphSKU := map[string]string{}
	for _, o := range offers {
		graphSKU[o.Key()] = o.GraphSKUID
	}
	if id := sandbox.OfferID("3b555118-da6a-4418-894f-7df1e2096870"); id != "CFQ7TTC0LH18:0001:CFQ7TTC0K971" {
		t.Errorf("Business Basic is sold as %s, not the documented offer", id)
	}
	for _, tt := range srv.Truth().Tenants {
		subs, err := c.Subscriptions(context.Background(), tt.ID)
		if err != nil {
			t.Fatal(err)
		}
		for i, s := range subs {
			if got := graphSKU[s.ProductSKU]; got == "" || !slices.ContainsFunc(tt.Pools, func(p sandbox.PoolTruth) bool {
				return p.SKUID == got && p.PartNumber == tt.PartnerCenter[i].PartNumber
			}) {
				t.Errorf("%s: %s maps to Graph SKU %q", tt.Name, s.ProductSKU, got)
			}
		}
	}
}

func TestThrottledThenServed(t *testing.T) {
	srv, c := cloud(t, 2, nil)
	srv.ThrottlePartnerCenter(2, "0.25")
	start := time.Now()
	subs, err := c.Subscriptions(context.Background(), srv.Truth().Tenants[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(subs) == 0 {
		t.Fatal("no subscriptions")
	}
	if waited := time.Since(start); waited < 500*time.Millisecond {
		t.Errorf("two 429s with Retry-After 0.25 answered in %v", waited)
	}
	if n := len(srv.PartnerCenterRequests()); n != 3 {
		t.Errorf("%d requests, want 3", n)
	}
}

func TestFailureIsReportedAfterRetries(t *testing.T) {
	srv, c := cloud(t, 2, func(cfg *partnercenter.Config) { cfg.MaxRetries, cfg.MaxDelay = 2, 20*time.Millisecond })
	id := srv.Truth().Tenants[1].ID
	srv.FailPartnerCenter(id, true)
	_, err := c.Subscriptions(context.Background(), id)
	var se *partnercenter.StatusError
	if !errors.As(err, &se) || se.Status != 500 {
		t.Fatalf("error %v, want HTTP 500", err)
	}
	if n := len(srv.PartnerCenterRequests()); n != 3 {
		t.Errorf("%d requests, want the first and 2 retries", n)
	}
	if _, err := c.Subscriptions(context.Background(), srv.Truth().Tenants[0].ID); err != nil {
		t.Errorf("another customer: %v", err)
	}
}

func TestWrongSecretIsASignInError(t *testing.T) {
	_, c := cloud(t, 1, func(cfg *partnercenter.Config) { cfg.ClientSecret = "wrong" })
	_, err := c.Customers(context.Background())
	var te *partnercenter.TokenError
	if !errors.As(err, &te) {
		t.Fatalf("error %v, want a sign-in error", err)
	}
}

func sameTime(a, b *time.Time) bool {
	return a == nil && b == nil || a != nil && b != nil && a.Equal(*b)
}
