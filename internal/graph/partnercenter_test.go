package graph_test

import (
	"context"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/seatledger/seatledger/internal/app"
	"github.com/seatledger/seatledger/internal/customers"
	"github.com/seatledger/seatledger/internal/inventory"
	"github.com/seatledger/seatledger/internal/partnercenter"
	"github.com/seatledger/seatledger/internal/sandbox"
)

// partnerReader is the real Partner Center client against the world's simulated
// cloud, retrying a 500 once and quickly.
func (w *world) partnerReader(t *testing.T) *partnercenter.Client {
	t.Helper()
	c, err := partnercenter.New(partnercenter.Config{PartnerTenantID: sandbox.PartnerTenantID, ClientID: w.srv.ClientID(), ClientSecret: w.srv.ClientSecret(),
		BaseURL: w.srv.PartnerCenterBaseURL(), AuthorityHost: w.srv.AuthorityHost(), CAFile: w.caFile,
		RequestTimeout: 20 * time.Second, MaxRetries: 1, MaxDelay: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (w *world) syncWithPartner(t *testing.T, pc app.PartnerReader) *app.SyncSummary {
	t.Helper()
	sum, err := w.app.Sync(context.Background(), w.reader, app.SyncOptions{Partner: pc, Now: w.srv.Now, Concurrency: 4})
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

// storedPartner is a tenant's stored Partner Center subscriptions by id.
func storedPartner(t *testing.T, w *world, tenantID string) map[string]inventory.PartnerSubscription {
	t.Helper()
	subs, err := w.app.Store.PartnerSubscriptions(context.Background(), tenantID)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]inventory.PartnerSubscription{}
	for _, s := range subs {
		out[s.ID] = s
	}
	return out
}

// checkPartnerTruth compares the stored Partner Center subscriptions of every tenant
// but skip with the truth.
func checkPartnerTruth(t *testing.T, w *world, truth sandbox.Truth, skip string) {
	t.Helper()
	for _, tt := range truth.Tenants {
		if tt.ID == skip {
			continue
		}
		got := storedPartner(t, w, tt.ID)
		if len(got) != len(tt.PartnerCenter) {
			t.Errorf("%s: %d Partner Center subscriptions stored, truth %d", tt.Name, len(got), len(tt.PartnerCenter))
		}
		for _, want := range tt.PartnerCenter {
			s, ok := got[want.SubscriptionID]
			if !ok {
				t.Errorf("%s: %s (%s) not stored", tt.Name, want.SubscriptionID, want.PartNumber)
				continue
			}
			var renewal *time.Time
			if s.AutoRenew && s.CommitmentEnd != nil {
				r := s.CommitmentEnd.AddDate(0, 0, 1)
				renewal = &r
			}
			actBy := ""
			if s.CommitmentEnd != nil {
				actBy = s.CommitmentEnd.Format(time.DateOnly)
			}
			if s.RefundableNow(truth.Now) > 0 && s.RefundUntil != nil {
				actBy = s.RefundUntil.Add(-time.Nanosecond).Format(time.DateOnly)
			}
			if s.TermDuration != want.Term || s.BillingCycle != want.BillingCycle || s.AutoRenew != want.AutoRenew || s.Quantity != want.Quantity ||
				s.Status != want.Status || s.OfferID != want.OfferID || s.ResellerID != want.ResellerID || s.CommitmentEnd == nil ||
				!s.CommitmentEnd.Equal(want.CommitmentEnd) || !sameTimePtr(renewal, want.Renewal) || !sameTimePtr(s.RefundUntil, want.RefundUntil) ||
				s.RefundableNow(truth.Now) != want.RefundableNow || actBy != want.ActBy {
				t.Errorf("%s %s (%s):\n stored %+v\n  truth %+v", tt.Name, want.PartNumber, want.Case, s, want)
			}
		}
	}
}

func sameTimePtr(a, b *time.Time) bool {
	return a == nil && b == nil || a != nil && b != nil && a.Equal(*b)
}

func TestSyncReadsPartnerCenter(t *testing.T) {
	eachDB(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		w := newWorld(t, dbURL, setup{tenants: 12})
		pc := w.partnerReader(t)
		sum := w.syncWithPartner(t, pc)
		if sum.Failed != 0 || sum.PartnerCenterFailed != 0 || sum.DiscoveryError != "" {
			t.Fatalf("first sync: %d failed, %d Partner Center failures, discovery %q", sum.Failed, sum.PartnerCenterFailed, sum.DiscoveryError)
		}
		if d := sum.Discovery; d == nil || d.Listed != 12 || len(d.Discovered) != 0 {
			t.Fatalf("discovery %+v: every customer is registered already", d)
		}
		truth := w.srv.Truth()
		checkPartnerTruth(t, w, truth, "")
		states, err := w.app.Store.TenantStates(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range states {
			if st.PartnerCenterRead == nil || st.PartnerCenterNote != "" {
				t.Errorf("tenant %s: Partner Center read %v, note %q", st.TenantID, st.PartnerCenterRead, st.PartnerCenterNote)
			}
		}

		// Nothing new: nothing written.
		before, err := w.app.Store.InventoryCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		again := w.syncWithPartner(t, pc)
		after, _ := w.app.Store.InventoryCounts(ctx)
		if again.Changes != 0 || !maps.Equal(before, after) {
			t.Errorf("unchanged re-sync wrote %d changes: %v then %v", again.Changes, before, after)
		}

		// Partner Center fails for one customer whose subscription changed there:
		// its Graph data is stored, the failure noted, its old Partner Center data kept.
		failing := truth.Tenants[sandbox.PartnerCaseTenants[sandbox.CaseAutoRenewOff]]
		kept := storedPartner(t, w, failing.ID)
		w.srv.Mutate(func(world *sandbox.World) {
			for _, s := range world.Tenant(failing.ID).Subscriptions {
				s.AutoRenewOff = false
			}
		})
		w.srv.FailPartnerCenter(failing.ID, true)
		sum = w.syncWithPartner(t, pc)
		if sum.Failed != 0 || sum.PartnerCenterFailed != 1 {
			t.Fatalf("with one customer failing in Partner Center: %d tenants failed, %d Partner Center failures", sum.Failed, sum.PartnerCenterFailed)
		}
		for _, r := range sum.Tenants {
			if (r.PartnerCenterNote != "") != (r.TenantID == failing.ID) || !r.OK {
				t.Errorf("%s: ok %v, Partner Center note %q", r.Customer, r.OK, r.PartnerCenterNote)
			}
		}
		if got := storedPartner(t, w, failing.ID); len(got) != len(kept) || !samePartnerMaps(got, kept) {
			t.Errorf("%s: Partner Center data not kept:\n%v\nwas\n%v", failing.Name, got, kept)
		}
		states, _ = w.app.Store.TenantStates(ctx)
		for _, st := range states {
			if (st.PartnerCenterNote != "") != (st.TenantID == failing.ID) {
				t.Errorf("tenant %s: note %q", st.TenantID, st.PartnerCenterNote)
			}
		}
		checkPartnerTruth(t, w, w.srv.Truth(), failing.ID)

		// Back again: the change arrives, with its history.
		w.srv.FailPartnerCenter(failing.ID, false)
		w.syncWithPartner(t, pc)
		checkPartnerTruth(t, w, w.srv.Truth(), "")
		hist, err := w.app.Store.PartnerSubscriptionHistory(ctx, failing.ID)
		if err != nil {
			t.Fatal(err)
		}
		closed := 0
		for _, h := range hist {
			if h.Period.To != nil {
				closed++
			}
		}
		if closed != 1 || len(hist) != len(kept)+1 {
			t.Errorf("%s: %d history rows, %d closed; want one change of auto-renew", failing.Name, len(hist), closed)
		}
	})
}

func TestSyncDiscoversCustomers(t *testing.T) {
	eachDB(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		w := newWorld(t, dbURL, setup{tenants: 3})
		pc := w.partnerReader(t)
		w.syncWithPartner(t, pc)

		added := w.srv.AddCustomer()
		var ended sandbox.TenantTruth
		w.srv.Mutate(func(world *sandbox.World) { world.Tenants[1].EndedInPartnerCenter = true })
		ended = w.srv.Truth().Tenants[1]
		sum := w.syncWithPartner(t, pc)
		if d := sum.Discovery; d == nil || !slices.Equal(d.Discovered, []string{added.Name}) || !slices.Equal(d.Ended, []string{ended.Name}) {
			t.Fatalf("discovery %+v, want %s discovered and %s ended", sum.Discovery, added.Name, ended.Name)
		}
		var synced bool
		for _, r := range sum.Tenants {
			if r.TenantID == added.ID {
				synced = r.OK && r.PartnerCenterRead && r.Users > 0
			}
		}
		if !synced || sum.Failed != 0 {
			t.Fatalf("the discovered customer was not synced: %+v", sum.Tenants)
		}
		list, err := w.app.Customers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		status := map[string]customers.Customer{}
		for _, c := range list {
			status[c.TenantID] = c
		}
		if c := status[added.ID]; c.Status != customers.StatusDiscovered || c.Name != added.Name || c.PrimaryDomain != added.Domain || c.Currency != "" || c.Complete() {
			t.Errorf("discovered customer %+v", c)
		}
		if c := status[ended.ID]; c.Status != customers.StatusEnded {
			t.Errorf("customer no longer listed: %+v", c)
		}
		if got := storedPartner(t, w, added.ID); len(got) == 0 {
			t.Error("the discovered customer's Partner Center subscriptions were not stored")
		}

		// Finance completes it.
		world := w.srv.Customers()
		if _, err := w.app.ImportCustomerList(ctx, world[len(world)-1:], "finance.csv"); err != nil {
			t.Fatal(err)
		}
		list, _ = w.app.Customers(ctx)
		for _, c := range list {
			if c.TenantID == added.ID && (c.Status != customers.StatusActive || !c.Complete()) {
				t.Errorf("completed customer %+v", c)
			}
		}
	})
}

func samePartnerMaps(a, b map[string]inventory.PartnerSubscription) bool {
	for id, x := range a {
		y, ok := b[id]
		if !ok || x.AutoRenew != y.AutoRenew || x.Quantity != y.Quantity || !sameTimePtr(x.CommitmentEnd, y.CommitmentEnd) {
			return false
		}
	}
	return len(a) == len(b)
}
