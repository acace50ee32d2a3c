package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/seatledger/seatledger/internal/contracts"
	"github.com/seatledger/seatledger/internal/store"
	"github.com/seatledger/seatledger/internal/store/storetest"
)

// What billing reads of a line — as-purchased, ERP less a discount, advance or
// arrears — survives the database exactly, on both dialects.
func TestContractBillingFieldsRoundTrip(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		discount := decimal.RequireFromString("7.5")
		erp := contracts.Line{TenantID: tenant, SKUID: e3, PartNumber: "SPE_E3", Term: "P1Y", BillingPlan: "annual", AsPurchased: true,
			ERP: true, DiscountPercent: &discount, Policy: contracts.PolicyProrated, Timing: contracts.TimingArrears,
			Start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), NoticeDays: 30, SourceLine: 2}
		price := decimal.RequireFromString("21.63")
		q := 12
		// A line built without a timing (as code written before it did) is billed in advance.
		fixed := contracts.Line{TenantID: tenant, SKUID: e3, PartNumber: "SPE_E3", Term: "P1M", BillingPlan: "monthly", Quantity: &q,
			UnitPrice: &price, Policy: contracts.PolicyFixedDay, BillingDay: 1, Start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), NoticeDays: 30, SourceLine: 3}
		if _, err := s.ReplaceContracts(ctx, []contracts.Line{erp, fixed}, "test", "c.csv"); err != nil {
			t.Fatal(err)
		}
		got, err := s.ContractLines(ctx, tenant)
		if err != nil || len(got) != 2 {
			t.Fatalf("read back: %v %+v", err, got)
		}
		a, b := got[0], got[1]
		if !a.SameAs(erp) || !a.AsPurchased || a.AsAssigned() || a.Pricing() != contracts.PricingERP || a.DiscountPercent.String() != "7.5" || !a.Arrears() {
			t.Errorf("ERP line: %+v", a)
		}
		if !b.SameAs(fixed) || b.Timing != contracts.TimingAdvance || b.Pricing() != contracts.PricingFixed || b.DiscountPercent != nil || b.ERP || b.AsPurchased {
			t.Errorf("fixed line: %+v", b)
		}
		counts, err := s.ReplaceContracts(ctx, []contracts.Line{erp, fixed}, "test", "c.csv")
		if err != nil || counts.CustomersUnchanged != 1 {
			t.Errorf("re-import of the same lines changed something: %+v %v", counts, err)
		}
		other := erp
		other.DiscountPercent = nil
		counts, err = s.ReplaceContracts(ctx, []contracts.Line{other, fixed}, "test", "c.csv")
		if err != nil || counts.CustomersChanged != 1 || len(counts.Changes[0].Added) != 1 || counts.Changes[0].Added[0].DiscountPercent != nil {
			t.Errorf("a dropped discount was not seen as a change: %+v %v", counts, err)
		}
	})
}
