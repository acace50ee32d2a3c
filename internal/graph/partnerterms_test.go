package graph_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/seatledger/seatledger/internal/advice"
	"github.com/seatledger/seatledger/internal/app"
	"github.com/seatledger/seatledger/internal/sandbox"
	"github.com/seatledger/seatledger/internal/terms"
)

// With Partner Center read, every partner subscription's term, renewal, auto-renew
// and refund window is Partner Center's; the advice's act-by dates and seats follow
// them; a subscription with auto-renew off ending soon has its finding and no
// renewal warning; no monthly roll-over is reported as expiring.
func TestPartnerCenterTermsDecideTheAdvice(t *testing.T) {
	eachDB(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		w := newWorld(t, dbURL, setup{tenants: 12})
		w.app.Config.Partner.TenantID = sandbox.PartnerTenantID
		w.app.Now = w.srv.Now // the views judge by the simulated day, as the advice does
		if sum := w.syncWithPartner(t, w.partnerReader(t)); sum.Failed != 0 || sum.PartnerCenterFailed != 0 {
			t.Fatalf("sync: %d failed, %d Partner Center failures", sum.Failed, sum.PartnerCenterFailed)
		}
		dir := t.TempDir()
		for name, data := range map[string][]byte{"offers.csv": w.srv.OfferMatrixCSV(), "contracts.csv": w.srv.ContractsCSV()} {
			if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := w.app.ImportOffersFile(ctx, filepath.Join(dir, "offers.csv")); err != nil {
			t.Fatal(err)
		}
		if _, err := w.app.ImportContracts(ctx, filepath.Join(dir, "contracts.csv")); err != nil {
			t.Fatal(err)
		}
		if _, err := w.app.Advise(ctx, app.AdviseOptions{Now: w.srv.Now}); err != nil {
			t.Fatal(err)
		}
		rep, err := w.app.Findings(ctx, app.FindingsQuery{})
		if err != nil {
			t.Fatal(err)
		}
		bySubject := map[string][]advice.Finding{}
		for _, f := range rep.Findings {
			bySubject[f.TenantID+"/"+f.Kind+"/"+f.Subject] = append(bySubject[f.TenantID+"/"+f.Kind+"/"+f.Subject], f.Finding)
			if f.Kind == advice.SubscriptionExpiring && f.Confidence != advice.High {
				t.Errorf("%s: confidence %s (%v)", f.Evidence, f.Confidence, f.Missing)
			}
		}
		truth := w.srv.Truth()
		cases := map[string]bool{}
		for _, tt := range truth.Tenants {
			subs, err := w.app.Subscriptions(ctx, tt.ID)
			if err != nil {
				t.Fatal(err)
			}
			byGraph := map[string]app.SubscriptionView{}
			for _, s := range subs.Subscriptions {
				byGraph[s.ID] = s
			}
			for _, want := range tt.PartnerCenter {
				if want.IsTrial || want.Status != "active" {
					continue
				}
				cases[want.Case] = true
				s, ok := byGraph[want.GraphID]
				if !ok || s.Partner == nil {
					t.Errorf("%s %s (%s): not linked to Partner Center", tt.Name, want.PartNumber, want.Case)
					continue
				}
				if s.Term.Source != terms.SourcePartnerCenter || s.Term.Length != want.Term || s.Partner.Subscription.AutoRenew != want.AutoRenew ||
					!s.Term.End.Equal(terms.Day(want.CommitmentEnd)) {
					t.Errorf("%s %s (%s): term %+v auto-renew %v, truth %s ending %s auto-renew %v", tt.Name, want.PartNumber, want.Case,
						s.Term, s.Partner.Subscription.AutoRenew, want.Term, want.CommitmentEnd.Format(time.DateOnly), want.AutoRenew)
				}
				if got := s.ActBy; got == nil || got.Format(time.DateOnly) != want.ActBy {
					t.Errorf("%s %s (%s): act by %v, truth %s", tt.Name, want.PartNumber, want.Case, got, want.ActBy)
				}
				if s.Reduction.Open && s.Reduction.Seats != 0 && s.Reduction.Seats != want.RefundableNow {
					t.Errorf("%s %s (%s): %d seats can go now, truth %d", tt.Name, want.PartNumber, want.Case, s.Reduction.Seats, want.RefundableNow)
				}
				expiring := bySubject[tt.ID+"/"+advice.SubscriptionExpiring+"/"+want.GraphID]
				ends := terms.Day(want.CommitmentEnd).Sub(terms.Day(truth.Now))
				switch {
				case !want.AutoRenew && ends >= 0 && ends <= 30*24*time.Hour:
					if len(expiring) != 1 || expiring[0].ActBy == nil || !expiring[0].ActBy.Equal(terms.Day(want.CommitmentEnd)) {
						t.Errorf("%s %s (%s): auto-renew off, ending %s: findings %+v", tt.Name, want.PartNumber, want.Case, want.CommitmentEnd.Format(time.DateOnly), expiring)
					}
					if r := bySubject[tt.ID+"/"+advice.RenewalIdleSeats+"/"+want.GraphID]; len(r) != 0 {
						t.Errorf("%s %s: a subscription that will not renew warned as renewing", tt.Name, want.PartNumber)
					}
				case len(expiring) != 0:
					t.Errorf("%s %s (%s, %s, auto-renew %v): reported as expiring", tt.Name, want.PartNumber, want.Case, want.Term, want.AutoRenew)
				}
			}
		}
		for _, c := range []string{sandbox.CaseAnnualSecondYear, sandbox.CaseMonthlyTwelfth, sandbox.CaseThreeYear, sandbox.CaseAnnualBilledMonthly,
			sandbox.CaseAutoRenewOff, sandbox.CaseSeatAddition, sandbox.CaseOtherID, sandbox.CaseIndirectReseller} {
			if !cases[c] {
				t.Errorf("the world plants no %s subscription", c)
			}
		}
		// The reconciliation names the indirect reseller and the annual term billed
		// monthly is no mismatch where the contract says so.
		rows, err := w.app.Reconcile(ctx, "", w.srv.Now)
		if err != nil {
			t.Fatal(err)
		}
		resold := 0
		for _, r := range rows {
			for _, m := range r.Mismatches {
				if m.Kind == "indirect-reseller" {
					resold++
				}
			}
			if !r.PartnerCenter && r.PartnerSeats > 0 {
				t.Errorf("%s %s: the partner's seats have no Partner Center count", r.Customer, r.PartNumber)
			}
		}
		if resold != 1 {
			t.Errorf("%d indirect-reseller mismatches, want 1", resold)
		}
	})
}
