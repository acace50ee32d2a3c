package graph_test

import (
	"context"
	"strings"
	"testing"

	"github.com/seatledger/seatledger/internal/app"
	"github.com/seatledger/seatledger/internal/graph"
	"github.com/seatledger/seatledger/internal/sandbox"
)

// statusOf is each customer's readiness by tenant id.
func statusOf(t *testing.T, w *world) map[string]app.CustomerStatus {
	t.Helper()
	list, err := w.app.CustomersStatus(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]app.CustomerStatus{}
	for _, c := range list {
		out[c.TenantID] = c
	}
	return out
}

func permission(c app.CustomerStatus, call string) app.Permission {
	for _, p := range c.Permissions {
		if p.Call == call {
			return p
		}
	}
	return app.Permission{}
}

// notJudged is what advise, findings totals and inventory seats say of each
// customer they could not judge, by tenant id.
func notJudged(t *testing.T, w *world) (advised, totals, seats map[string]string) {
	t.Helper()
	ctx := context.Background()
	advised, totals, seats = map[string]string{}, map[string]string{}, map[string]string{}
	results, err := w.app.Advise(ctx, app.AdviseOptions{Now: w.srv.Now})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		if r.NotSynced != "" {
			advised[r.TenantID] = r.NotSynced
		}
	}
	rep, err := w.app.Findings(ctx, app.FindingsQuery{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range rep.Totals {
		if c.NotSynced != "" {
			totals[c.TenantID] = c.NotSynced
		}
	}
	lines, err := w.app.Seats(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lines {
		if l.NotSynced != "" {
			seats[l.TenantID] = l.NotSynced
		}
	}
	return advised, totals, seats
}

func TestCustomersStatusTellsWhatIsNotReady(t *testing.T) {
	eachDB(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		w := newWorld(t, dbURL, setup{tenants: 11})
		w.app.Config.PartnerCenter.Enabled = true
		truth := w.srv.Truth()
		// Tenant 2 has no Entra ID P1, 7 and 8 refuse the report settings, 10 mailboxSettings:
		// they are among those that sync well.
		refusedSecret, failing, pcFailing, ended := truth.Tenants[0], truth.Tenants[2], truth.Tenants[3], truth.Tenants[4]

		for id, c := range statusOf(t, w) {
			if c.Ready || c.State != app.StateNotSynced || c.Consent.State != app.ConsentUnknown || c.LastSync.Graph != nil {
				t.Errorf("%s before any sync: %+v", id, c)
			}
		}
		advised, totals, seats := notJudged(t, w)
		if len(advised) != 11 || len(totals) != 11 || len(seats) != 11 || advised[ended.ID] != app.StateNotSynced {
			t.Errorf("before any sync, not judged: advice %v, totals %v, seats %v", advised, totals, seats)
		}

		pc := w.partnerReader(t)
		w.srv.Mutate(func(world *sandbox.World) { world.Tenant(ended.ID).EndedInPartnerCenter = true })
		if _, err := w.app.DiscoverCustomers(ctx, pc); err != nil {
			t.Fatal(err)
		}
		wrong, err := graph.New(graph.Config{ClientID: w.srv.ClientID(), ClientSecret: "not-the-secret",
			BaseURL: w.srv.GraphBaseURL(), AuthorityHost: w.srv.AuthorityHost(), CAFile: w.caFile})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.app.Sync(ctx, wrong, app.SyncOptions{Tenants: []string{refusedSecret.ID}, Now: w.srv.Now}); err != nil {
			t.Fatal(err)
		}
		w.srv.FailTenant(failing.ID, true)
		w.srv.FailPartnerCenter(pcFailing.ID, true)
		var others []string
		for _, tt := range truth.Tenants[1:] {
			others = append(others, tt.ID)
		}
		if _, err := w.app.Sync(ctx, w.reader, app.SyncOptions{Partner: pc, Tenants: others, Now: w.srv.Now, Concurrency: 4}); err != nil {
			t.Fatal(err)
		}

		st := statusOf(t, w)
		signIn := "sign-in failed: AADSTS7000215: Invalid client secret provided."
		if c := st[refusedSecret.ID]; c.Ready || c.State != signIn || c.Consent.State != app.ConsentFailed ||
			c.Consent.Reason != "AADSTS7000215: Invalid client secret provided." || permission(c, "signInActivity").State != app.PermissionUnknown {
			t.Errorf("tenant refusing the secret: %+v", c)
		}
		if c := st[failing.ID]; c.Ready || !strings.HasPrefix(c.State, "sync failed: ") || c.Consent.State != app.ConsentUnknown || c.LastSync.Graph != nil {
			t.Errorf("tenant failing its first sync: %+v", c)
		}
		if c := st[pcFailing.ID]; !c.Ready || c.Partner.State != app.RelationUnknown || !strings.Contains(c.Partner.Note, "500") || c.LastSync.PartnerCenter != nil {
			t.Errorf("tenant whose Partner Center failed: %+v", c)
		}
		if c := st[ended.ID]; !c.Ready || c.Partner.State != app.RelationEnded || c.LastSync.PartnerCenter != nil {
			t.Errorf("customer Partner Center no longer lists: %+v", c)
		}
		now := w.srv.Now().UTC()
		refusals := 0
		for _, tt := range truth.Tenants {
			if tt.ID == refusedSecret.ID || tt.ID == failing.ID || tt.ID == pcFailing.ID || tt.ID == ended.ID {
				continue
			}
			c := st[tt.ID]
			if !c.Ready || c.State != "ready" || c.Consent.State != app.ConsentGranted || c.Consent.At == nil || !c.Consent.At.Equal(now) ||
				c.Partner.State != app.RelationListed || c.LastSync.Graph == nil || !c.LastSync.Graph.Equal(now) ||
				c.LastSync.UsageReports == nil || c.LastSync.PartnerCenter == nil || !c.LastSync.PartnerCenter.Equal(now) {
				t.Errorf("%s: %+v", tt.Name, c)
			}
			want := map[string]bool{"signInActivity": !tt.HasSignInData, "admin/reportSettings": tt.ReportSettingsRefused,
				"mailboxSettings": tt.MailboxSettingsRefused, "reports": false}
			for call, refused := range want {
				p := permission(c, call)
				if refused {
					refusals++
				}
				if (p.State == app.PermissionRefused) != refused || !refused && p.State != app.PermissionAllowed || refused && p.Note == "" {
					t.Errorf("%s: %s is %s (%s), refused in the world: %v", tt.Name, call, p.State, p.Note, refused)
				}
			}
		}

		if refusals != 4 {
			t.Errorf("the world refuses %d calls to the tenants that synced, want 4 (no P1, two report settings, mailboxSettings)", refusals)
		}

		// Never zero seats or zero findings: the two tenants without a successful sync
		// are named with the reason wherever customers are counted.
		advised, totals, seats = notJudged(t, w)
		for _, got := range []map[string]string{advised, totals, seats} {
			if len(got) != 2 || got[refusedSecret.ID] != signIn || !strings.HasPrefix(got[failing.ID], "sync failed: ") {
				t.Errorf("not judged: %v", got)
			}
		}
		one, err := w.app.Seats(ctx, []string{refusedSecret.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(one) != 1 || one[0].NotSynced != signIn {
			t.Errorf("inventory seats of the tenant refusing the secret: %+v", one)
		}
		only, err := w.app.Findings(ctx, app.FindingsQuery{Customer: failing.Name})
		if err != nil {
			t.Fatal(err)
		}
		if len(only.Totals) != 1 || only.Totals[0].NotSynced == "" || only.Totals[0].Findings != 0 {
			t.Errorf("findings totals of the failing tenant: %+v", only.Totals)
		}

		// Everything mended, a day later.
		w.srv.FailTenant(failing.ID, false)
		w.srv.FailPartnerCenter(pcFailing.ID, false)
		w.srv.Advance()
		w.syncWithPartner(t, pc)
		st = statusOf(t, w)
		for _, tt := range truth.Tenants {
			if c := st[tt.ID]; !c.Ready || c.Consent.State != app.ConsentGranted {
				t.Errorf("%s after a good sync: %+v", tt.Name, c)
			}
		}
		if c := st[pcFailing.ID]; c.Partner.State != app.RelationListed || c.LastSync.PartnerCenter == nil {
			t.Errorf("Partner Center read again: %+v", c.Partner)
		}
		if advised, totals, seats = notJudged(t, w); len(advised)+len(totals)+len(seats) != 0 {
			t.Errorf("after a good sync, not judged: %v %v %v", advised, totals, seats)
		}

		// A tenant that fails after a good sync is not ready, but its data stands.
		good := w.srv.Now().UTC()
		w.srv.FailTenant(failing.ID, true)
		w.srv.Advance()
		w.sync(t, failing.ID)
		c := statusOf(t, w)[failing.ID]
		if c.Ready || !strings.HasPrefix(c.State, "last sync failed: ") || c.Consent.State != app.ConsentGranted ||
			c.LastSync.Graph == nil || !c.LastSync.Graph.Equal(good) {
			t.Errorf("tenant failing after a good sync: %+v", c)
		}
		if advised, _, _ = notJudged(t, w); len(advised) != 0 {
			t.Errorf("a tenant with a good sync behind it was not advised: %v", advised)
		}
	})
}
