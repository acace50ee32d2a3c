package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/seatledger/seatledger/internal/billing"
	"github.com/seatledger/seatledger/internal/contracts"
	"github.com/seatledger/seatledger/internal/store"
	"github.com/seatledger/seatledger/internal/store/storetest"
)

// runOf is a run of one line of n seats at 10.00, its amount worked out by the engine.
func runOf(t *testing.T, p billing.Period, n int) billing.Run {
	t.Helper()
	q := n
	price := decimal.RequireFromString("10.00")
	line := contracts.Line{TenantID: tenant, SKUID: e3, PartNumber: "SPE_E3", Term: "P1M", BillingPlan: "monthly", Quantity: &q, UnitPrice: &price,
		Policy: contracts.PolicyFixedDay, BillingDay: 1, Start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), SourceLine: 2}
	run := billing.Lines(p, []billing.Customer{{TenantID: tenant, Name: "Contoso", Currency: "EUR", Market: "NL", Contract: []contracts.Line{line}}})
	if len(run.Lines) == 0 {
		t.Fatalf("no line billed: %+v", run)
	}
	return run
}

// Eight savers of one period at once leave one run with one set of lines; an
// approved run is refused by the store and, should anything try, by the database.
func TestBillRunsOnePerPeriodAndFrozenOnceApproved(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := billing.Period{Year: 2026, Month: 11}
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Go(func() {
				run := runOf(t, p, i+1)
				_, errs[i] = s.SaveBillDraft(ctx, &run, "test")
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
		runs, err := s.BillRuns(ctx)
		if err != nil || len(runs) != 1 || runs[0].Status != store.RunDraft {
			t.Fatalf("runs after 8 concurrent drafts: %v %+v", err, runs)
		}
		lines, err := s.BillLines(ctx, runs[0].ID)
		if err != nil || len(lines) != runs[0].Lines || len(lines) != 1 {
			t.Fatalf("lines of the run: %v, %d stored, run says %d", err, len(lines), runs[0].Lines)
		}

		approved, err := s.ApproveBillRun(ctx, p.String(), "finance")
		if err != nil || approved.Status != store.RunApproved || approved.ApprovedBy != "finance" || approved.ApprovedAt == nil {
			t.Fatalf("approve: %v %+v", err, approved)
		}
		before, err := s.BillLineTexts(ctx, approved.ID)
		if err != nil {
			t.Fatal(err)
		}
		run := runOf(t, p, 99)
		var refused *store.ApprovedError
		if _, err := s.SaveBillDraft(ctx, &run, "test"); !errors.As(err, &refused) || refused.By != "finance" {
			t.Errorf("a draft over an approved run: %v", err)
		}
		if _, err := s.ApproveBillRun(ctx, p.String(), "finance"); !errors.As(err, &refused) {
			t.Errorf("approving twice: %v", err)
		}
		if _, err := s.ApproveBillRun(ctx, "2026-12", "finance"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("approving a period without a run: %v", err)
		}
		db := s.DB().WithContext(ctx)
		for _, sql := range []string{
			"UPDATE bill_lines SET line = '{}' WHERE run_id = ?",
			"DELETE FROM bill_lines WHERE run_id = ?",
			"UPDATE bill_runs SET status = 'draft' WHERE id = ?",
			"DELETE FROM bill_runs WHERE id = ?",
			"INSERT INTO bill_lines (run_id, seq, tenant_id, kind, sku_id, currency, amount, line) VALUES (?, 9999, 't', 'monthly', 's', 'EUR', '1.00', '{}')",
		} {
			if err := db.Exec(sql, approved.ID).Error; err == nil {
				t.Errorf("the database let %q change an approved run", sql)
			}
		}
		after, err := s.BillLineTexts(ctx, approved.ID)
		if err != nil || len(after) != len(before) || after[0] != before[0] {
			t.Errorf("the approved lines changed: %v\n%+v\n%+v", err, before, after)
		}
	})
}
