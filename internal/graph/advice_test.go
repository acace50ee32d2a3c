package graph_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/seatledger/seatledger/internal/advice"
	"github.com/seatledger/seatledger/internal/app"
	"github.com/seatledger/seatledger/internal/sandbox"
	"github.com/seatledger/seatledger/internal/store"
)

// wholeUser kinds are about a user and every paid licence the user holds.
var wholeUser = []string{advice.DisabledUser, advice.InactiveUser, advice.LicensedGuest, advice.LicensedSharedMailbox}

func findingKey(f advice.Finding) string {
	switch {
	case slices.Contains(wholeUser, f.Kind):
		return f.Kind + "  " + f.Subject
	case f.Kind == advice.RenewalIdleSeats || f.Kind == advice.TrialEnding:
		return f.Kind + " " + f.SKUs + " " + f.Subject
	}
	return f.Kind + " " + f.SKUs + " " + f.Subject
}

// TestAdviceAndReconciliationFindWhatWasPlanted syncs the simulated cloud with the real
// Graph client, imports the partner's contracts, and checks that advice and
// reconciliation report exactly what the generator planted, tenant by tenant.
func TestAdviceAndReconciliationFindWhatWasPlanted(t *testing.T) {
	eachDB(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		w := newWorld(t, dbURL, setup{tenants: 12})
		w.app.Config.Partner.TenantID = sandbox.PartnerTenantID
		if sum := w.sync(t); sum.Failed != 0 {
			t.Fatalf("sync: %+v", sum)
		}
		file := filepath.Join(t.TempDir(), "contracts.csv")
		if err := os.WriteFile(file, w.srv.ContractsCSV(), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := w.app.ImportContracts(ctx, file); err != nil {
			t.Fatal(err)
		}
		results, err := w.app.Advise(ctx, app.AdviseOptions{Now: w.srv.Now})
		if err != nil {
			t.Fatal(err)
		}
		if len(results) != 12 {
			t.Fatalf("advised %d tenants", len(results))
		}
		rep, err := w.app.Findings(ctx, app.FindingsQuery{})
		if err != nil {
			t.Fatal(err)
		}
		got, gotUnassigned := map[string][]string{}, map[string][]string{}
		for _, f := range rep.Findings {
			got[f.TenantID] = append(got[f.TenantID], findingKey(f.Finding))
			if f.Kind == advice.UnassignedSeats {
				saving, actBy := "unknown", ""
				if f.MonthlySaving != nil {
					saving = f.MonthlySaving.StringFixed(2)
				}
				if f.ActBy != nil {
					actBy = f.ActBy.Format(time.DateOnly)
				}
				gotUnassigned[f.TenantID] = append(gotUnassigned[f.TenantID], fmt.Sprintf("%s %d %s %s", f.SKUs, f.Seats, saving, actBy))
			}
		}
		rows, err := w.app.Reconcile(ctx, "", w.srv.Now)
		if err != nil {
			t.Fatal(err)
		}
		gotMismatches := map[string][]string{}
		for _, r := range rows {
			for _, m := range r.Mismatches {
				gotMismatches[r.TenantID] = append(gotMismatches[r.TenantID], fmt.Sprintf("%s %s %d", m.Kind, r.PartNumber, m.Seats))
			}
		}
		kinds := map[string]int{}
		for i, e := range w.srv.Expect() {
			g := got[e.TenantID]
			sort.Strings(g)
			if strings.Join(g, "\n") != strings.Join(e.Findings, "\n") {
				t.Errorf("tenant %d findings\ngot:\n  %s\nwant:\n  %s", i, strings.Join(g, "\n  "), strings.Join(e.Findings, "\n  "))
			}
			m := gotMismatches[e.TenantID]
			sort.Strings(m)
			if strings.Join(m, "\n") != strings.Join(e.Mismatches, "\n") {
				t.Errorf("tenant %d mismatches\ngot:\n  %s\nwant:\n  %s", i, strings.Join(m, "\n  "), strings.Join(e.Mismatches, "\n  "))
			}
			u := gotUnassigned[e.TenantID]
			sort.Strings(u)
			sort.Strings(e.Unassigned)
			if strings.Join(u, "\n") != strings.Join(e.Unassigned, "\n") {
				t.Errorf("tenant %d idle seats (SKU seats saving act-by)\ngot:\n  %s\nwant:\n  %s", i, strings.Join(u, "\n  "), strings.Join(e.Unassigned, "\n  "))
			}
			for _, f := range e.Findings {
				kinds[strings.Fields(f)[0]]++
			}
			if i == 5 && (len(g) != 0 || len(m) != 0) {
				t.Errorf("the clean tenant has findings %q and mismatches %q", g, m)
			}
		}
		t.Logf("planted: %v", kinds)
		// Every kind of planted problem is in this world, so none is checked vacuously.
		for _, k := range advice.Kinds {
			if k == advice.SubscriptionExpiring {
				continue // it needs Partner Center's auto-renew: TestPartnerCenterTermsDecideTheAdvice checks it
			}
			if kinds[k] == 0 {
				t.Errorf("the world plants no %s", k)
			}
		}
	})
}

// TestFindingsLifecycle: acknowledged findings stay acknowledged across runs, a fixed
// condition resolves, and a suppressed one stays out of the totals.
func TestFindingsLifecycle(t *testing.T) {
	eachDB(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		w := newWorld(t, dbURL, setup{tenants: 3})
		w.sync(t)
		if _, err := w.app.Advise(ctx, app.AdviseOptions{Now: w.srv.Now}); err != nil {
			t.Fatal(err)
		}
		rep, err := w.app.Findings(ctx, app.FindingsQuery{Kind: advice.InactiveUser})
		if err != nil || len(rep.Findings) < 2 {
			t.Fatalf("want at least 2 inactive users: %v %d", err, len(rep.Findings))
		}
		ack, fixed := rep.Findings[0], rep.Findings[1]
		if _, err := w.app.SetFindingStatus(ctx, ack.Fingerprint[:8], store.StatusAcknowledged, ""); err == nil {
			t.Error("acknowledged without a reason")
		}
		if _, err := w.app.SetFindingStatus(ctx, ack.Fingerprint[:8], store.StatusAcknowledged, "customer keeps the mailbox until March"); err != nil {
			t.Fatal(err)
		}
		// The customer removes the licences of the other inactive user.
		w.srv.Mutate(func(world *sandbox.World) {
			for _, tn := range world.Tenants {
				for _, u := range tn.Users {
					if u.UPN == fixed.Subject {
						u.Licenses = nil
					}
				}
			}
		})
		w.sync(t)
		results, err := w.app.Advise(ctx, app.AdviseOptions{Now: w.srv.Now})
		if err != nil {
			t.Fatal(err)
		}
		resolved := 0
		for _, r := range results {
			resolved += r.Counts.Resolved
		}
		if resolved != 1 {
			t.Errorf("want 1 resolved finding, got %d", resolved)
		}
		all, err := w.app.Findings(ctx, app.FindingsQuery{Kind: advice.InactiveUser, All: true})
		if err != nil {
			t.Fatal(err)
		}
		states := map[string]string{}
		for _, f := range all.Findings {
			states[f.Fingerprint] = f.State
			if f.Fingerprint == ack.Fingerprint && (f.StatusReason == "" || f.StatusBy != "test" || !f.LastSeen.After(ack.LastSeen)) {
				t.Errorf("acknowledgement lost its reason or author, or last_seen did not move: %+v", f)
			}
		}
		if states[ack.Fingerprint] != store.StatusAcknowledged || states[fixed.Fingerprint] != "resolved" {
			t.Errorf("after re-run: acknowledged=%s fixed=%s", states[ack.Fingerprint], states[fixed.Fingerprint])
		}
		open, err := w.app.Findings(ctx, app.FindingsQuery{Kind: advice.InactiveUser})
		if err != nil {
			t.Fatal(err)
		}
		if len(open.Findings) != len(rep.Findings)-1 {
			t.Errorf("listing shows %d findings, want %d (the resolved one hidden)", len(open.Findings), len(rep.Findings)-1)
		}
		if _, err := w.app.SetFindingStatus(ctx, ack.Fingerprint, store.StatusSuppressed, "non-profit grant"); err != nil {
			t.Fatal(err)
		}
		after, err := w.app.Findings(ctx, app.FindingsQuery{Kind: advice.InactiveUser})
		if err != nil {
			t.Fatal(err)
		}
		if len(after.Findings) != len(open.Findings)-1 {
			t.Errorf("a suppressed finding is still listed")
		}
	})
}
