package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/seatledger/seatledger/internal/advice"
	"github.com/seatledger/seatledger/internal/contracts"
	"github.com/seatledger/seatledger/internal/inventory"
	"github.com/seatledger/seatledger/internal/money"
	"github.com/seatledger/seatledger/internal/store"
	"github.com/seatledger/seatledger/internal/store/storetest"
)

func TestFindingsLifecycle(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		saving := money.Of(decimal.RequireFromString("41.20"))
		actBy := time.Date(2027, 2, 28, 0, 0, 0, 0, time.UTC)
		idle := advice.Finding{Fingerprint: "aaaaaaaaaaaa", TenantID: tenant, Kind: advice.UnassignedSeats, SKUs: "SPB", Seats: 2,
			Evidence: "2 of 12 paid seats unassigned", Action: "reduce", ActBy: &actBy, MonthlySaving: saving, Currency: "EUR"}
		guest := advice.Finding{Fingerprint: "bbbbbbbbbbbb", TenantID: tenant, Kind: advice.LicensedGuest, SKUs: "SPB", Subject: "g@x", Seats: 1,
			Evidence: "guest", Action: "remove", SavingNote: "unknown: no contract line prices SPB"}
		apply := func(want store.FindingCounts, found ...advice.Finding) {
			t.Helper()
			got, err := s.ApplyFindings(ctx, tenant, found, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("counts %+v, want %+v", got, want)
			}
		}
		apply(store.FindingCounts{New: 2}, idle, guest)
		apply(store.FindingCounts{Seen: 2}, idle, guest)
		if _, err := s.SetFindingStatus(ctx, "bbbbbb", store.StatusAcknowledged, "customer asked", "erin"); err != nil {
			t.Fatal(err)
		}
		idle.Seats, idle.Evidence = 3, "3 of 12 paid seats unassigned"
		apply(store.FindingCounts{Seen: 1, Resolved: 1}, idle)
		apply(store.FindingCounts{Seen: 1, Reopened: 1}, idle, guest)
		list, err := s.Findings(ctx, store.FindingFilter{IncludeResolved: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 {
			t.Fatalf("%d findings", len(list))
		}
		for _, f := range list {
			switch f.Fingerprint {
			case idle.Fingerprint:
				if f.Seats != 3 || f.MonthlySaving.StringFixed(2) != "41.20" || !f.ActBy.Equal(actBy) || f.State() != store.StatusOpen {
					t.Errorf("idle seats not updated: %+v", f)
				}
			case guest.Fingerprint:
				if f.State() != store.StatusAcknowledged || f.StatusBy != "erin" || f.ResolvedAt != nil || !f.LastSeen.After(f.FirstSeen) {
					t.Errorf("the acknowledgement did not survive resolving and reopening: %+v", f)
				}
			}
		}
		// A run that could not judge guests (say) leaves their findings alone.
		if got, err := s.ApplyFindings(ctx, tenant, []advice.Finding{idle}, []string{advice.LicensedGuest}); err != nil || got.Resolved != 0 {
			t.Errorf("a kind not assessed was resolved: %+v %v", got, err)
		}
		if _, err := s.SetFindingStatus(ctx, "zzzzzz", store.StatusSuppressed, "x", "erin"); err == nil {
			t.Error("an unknown fingerprint was accepted")
		}
	})
}

func TestContractsReplacePerCustomer(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		other := "7be97ab6-bc1f-4ceb-8ef5-62b48957a652"
		price := decimal.RequireFromString("33.750000")
		q := 10
		line := contracts.Line{TenantID: tenant, SKUID: e3, PartNumber: "SPE_E3", Term: "P1Y", BillingPlan: "monthly", Quantity: &q,
			UnitPrice: &price, Policy: contracts.PolicyFixedDay, BillingDay: 1, Start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), NoticeDays: 30}
		otherLine := line
		otherLine.TenantID, otherLine.Quantity, otherLine.UnitPrice = other, nil, nil
		markup := decimal.RequireFromString("12.5")
		otherLine.MarkupPercent = &markup
		if _, err := s.ReplaceContracts(ctx, []contracts.Line{line, otherLine}, "test", "a.csv"); err != nil {
			t.Fatal(err)
		}
		counts, err := s.ReplaceContracts(ctx, []contracts.Line{line}, "test", "b.csv")
		if err != nil || counts.CustomersUnchanged != 1 || counts.CustomersChanged != 0 {
			t.Fatalf("re-import: %+v %v", counts, err)
		}
		all, err := s.ContractLines(ctx, "")
		if err != nil || len(all) != 2 {
			t.Fatalf("a customer the file does not name lost its contract: %v %d", err, len(all))
		}
		got, _ := s.ContractLines(ctx, other)
		if len(got) != 1 || !got[0].AsAssigned() || got[0].MarkupPercent.String() != "12.5" || got[0].UnitPrice != nil {
			t.Errorf("round trip: %+v", got)
		}
		got, _ = s.ContractLines(ctx, tenant)
		if !got[0].SameAs(line) || got[0].UnitPrice.StringFixed(6) != "33.750000" {
			t.Errorf("round trip: %+v", got[0])
		}
	})
}

// A seat addition is dated from the sync before the one that saw it, the earliest it
// can have happened, so that its reduction window is never thought open too long.
func TestSeatAdditionsDatedFromThePreviousSync(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		sub := func(seats int) *inventory.Snapshot {
			snap := snapshot(t)
			snap.Subscriptions = []inventory.Subscription{{ID: "22222222-0000-4000-8000-000000000001", SKUID: e3, PartNumber: "SPE_E3",
				Status: "Enabled", TotalLicenses: seats, Created: day0.AddDate(0, -3, 0)}}
			return snap
		}
		syncAt := func(start time.Time, seats int) {
			run, err := s.BeginSyncRun(ctx, start, 1)
			if err != nil {
				t.Fatal(err)
			}
			// The run starts, reads, then stores a minute later and finishes.
			if _, err := s.ApplySnapshot(ctx, sub(seats), start.Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
			if err := s.RecordTenantRun(ctx, &store.TenantRun{RunID: run.ID, TenantID: tenant, StartedAt: start, FinishedAt: start.Add(2 * time.Minute), Status: store.SyncOK}); err != nil {
				t.Fatal(err)
			}
		}
		syncAt(day0, 10)
		syncAt(day0.AddDate(0, 0, 6), 12)
		got, err := s.SeatAdditions(ctx, tenant)
		if err != nil {
			t.Fatal(err)
		}
		adds := got["22222222-0000-4000-8000-000000000001"]
		if len(adds) != 1 || adds[0].Seats != 2 || !adds[0].At.Equal(day0) {
			t.Errorf("seat additions %+v, want 2 seats at %s", adds, day0)
		}
	})
}

// A fingerprint prefix is matched as hex digits only: LIKE's % and _ never widen it,
// and a prefix that names several findings lists them instead of picking one.
func TestFindingStatusTakesOnlyHexPrefixes(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := advice.Finding{Fingerprint: "abc1230000000000aaaa", TenantID: tenant, Kind: advice.LicensedGuest, SKUs: "SPB", Subject: "a@x", Seats: 1, Evidence: "guest", Action: "remove"}
		b := advice.Finding{Fingerprint: "abc1231111111111bbbb", TenantID: tenant, Kind: advice.InactiveUser, SKUs: "SPE_E3", Subject: "b@x", Seats: 1, Evidence: "inactive", Action: "remove"}
		c := advice.Finding{Fingerprint: "ffee00000000000000cc", TenantID: tenant, Kind: advice.DisabledUser, SKUs: "SPB", Subject: "c@x", Seats: 1, Evidence: "disabled", Action: "remove"}
		if _, err := s.ApplyFindings(ctx, tenant, []advice.Finding{a, b, c}, nil); err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{"%", "%%%%%%", "______", "abc12_", "abc%", "ffee0", "ffee00 OR 1=1", "ffee00%", "ghijkl"} {
			if _, err := s.SetFindingStatus(ctx, id, store.StatusSuppressed, "x", "erin"); err == nil || !strings.Contains(err.Error(), "hexadecimal") {
				t.Errorf("%q: accepted or refused for another reason: %v", id, err)
			}
		}
		_, err := s.SetFindingStatus(ctx, "ABC123", store.StatusSuppressed, "x", "erin")
		if !errors.Is(err, store.ErrAmbiguous) {
			t.Fatalf("an ambiguous prefix: %v", err)
		}
		for _, want := range []string{"abc12300 licensed-guest SPB a@x", "abc12311 inactive-user SPE_E3 b@x"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("the ambiguity does not list %q:\n%v", want, err)
			}
		}
		if strings.Contains(err.Error(), "ffee") {
			t.Errorf("the ambiguity lists a finding the prefix does not match:\n%v", err)
		}
		if f, err := s.SetFindingStatus(ctx, " ffee00 ", store.StatusSuppressed, "x", "erin"); err != nil || f.Fingerprint != c.Fingerprint {
			t.Fatalf("a unique prefix: %+v %v", f, err)
		}
		if f, err := s.SetFindingStatus(ctx, "abc1231", store.StatusAcknowledged, "y", "erin"); err != nil || f.Fingerprint != b.Fingerprint {
			t.Fatalf("a longer prefix: %+v %v", f, err)
		}
		list, err := s.Findings(ctx, store.FindingFilter{IncludeResolved: true, IncludeSuppressed: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range list {
			want := map[string]string{a.Fingerprint: store.StatusOpen, b.Fingerprint: store.StatusAcknowledged, c.Fingerprint: store.StatusSuppressed}[f.Fingerprint]
			if f.Status != want {
				t.Errorf("%s is %s, want %s", f.Fingerprint, f.Status, want)
			}
		}
	})
}
