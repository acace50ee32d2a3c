package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/seatledger/seatledger/internal/pricing"
	"github.com/seatledger/seatledger/internal/store"
	"github.com/seatledger/seatledger/internal/store/storetest"
)

const priceHeader = "ProductTitle,ProductId,SkuId,SkuTitle,TermDuration,BillingPlan,Market,Currency,UnitPrice,PricingTierRangeMin,PricingTierRangeMax,EffectiveStartDate,EffectiveEndDate,ERP Price\n"

// November: E3 annual and Business Basic monthly in NL, E3 in GB, and an offer that
// December no longer carries.
const november = priceHeader +
	"Microsoft 365 E3,CFQ7TTC0LFLX,0001,E3,P1Y,Annual,NL,EUR,431.28,,,2/1/2023 0:00,,478.80\n" +
	"Business Basic,CFQ7TTC0LH18,0001,Basic,P1M,Monthly,NL,EUR,6.48,,,11/1/2026 0:00,,\n" +
	"Retiring,CFQ7TTC0LCHC,0002,Old,P1Y,Annual,NL,EUR,100.123456,,,4/1/2023 0:00,,\n" +
	"Microsoft 365 E3,CFQ7TTC0LFLX,0001,E3,P1Y,Annual,GB,GBP,380,,,4/1/2023 0:00,,\n"

// December, for NL only: E3 up (its old range closed in the file), Basic down (the
// old range left for the import to close), the retiring offer gone, a new one added.
const december = priceHeader +
	"Microsoft 365 E3,CFQ7TTC0LFLX,0001,E3,P1Y,Annual,NL,EUR,431.28,,,2/1/2023 0:00,11/30/2026 11:59:59 PM,478.80\n" +
	"Microsoft 365 E3,CFQ7TTC0LFLX,0001,E3,P1Y,Annual,NL,EUR,468,,,12/1/2026 0:00,,520\n" +
	"Business Basic,CFQ7TTC0LH18,0001,Basic,P1M,Monthly,NL,EUR,6.12,,,12/1/2026 0:00,,\n" +
	"New offer,CFQ7TTC0LH16,0001,New,P1M,Monthly,NL,EUR,20,,,12/1/2026 0:00,,\n"

func parsePrices(t *testing.T, csv, name string) pricing.List {
	t.Helper()
	l, err := pricing.ParseCSV(strings.NewReader(csv), name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestImportPricesMonthAfterMonth(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		testImportPricesMonthAfterMonth(t, s)
	})
}

// One product at a time: every product its own range of stored prices to compare.
func TestImportPricesOneProductAtATime(t *testing.T) {
	defer store.SetPriceChunkRows(1)()
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		testImportPricesMonthAfterMonth(t, s)
	})
}

func testImportPricesMonthAfterMonth(t *testing.T, s *store.Store) {
	ctx := context.Background()
	res, err := s.ImportPrices(ctx, parsePrices(t, november, "nov.csv"), "test", "nov.csv")
	if err != nil {
		t.Fatal(err)
	}
	if res.Written != 4 || res.Changes != 0 {
		t.Errorf("first import %+v: want 4 written and no changes (nothing to compare with)", res)
	}
	again, err := s.ImportPrices(ctx, parsePrices(t, november, "nov.csv"), "test", "nov.csv")
	if err != nil || again.Written != 0 || again.Unchanged != 4 || again.Changes != 0 {
		t.Errorf("re-import %+v, %v: want nothing written", again, err)
	}

	dec, err := s.ImportPrices(ctx, parsePrices(t, december, "dec.csv"), "test", "dec.csv")
	if err != nil {
		t.Fatal(err)
	}
	// E3's old range updated (closed by the file), 3 new rows, Basic and the
	// retired offer closed by the import.
	if dec.Written != 6 || dec.Closed != 2 || dec.Changes != 4 || dec.Unchanged != 0 {
		t.Errorf("december %+v", dec)
	}
	if again, err := s.ImportPrices(ctx, parsePrices(t, december, "dec.csv"), "test", "dec.csv"); err != nil || again.Written != 0 || again.Changes != 0 {
		t.Errorf("december again %+v, %v: want nothing written", again, err)
	}

	changes, err := s.PriceChanges(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range changes {
		got = append(got, fmt.Sprintf("%s %s:%s %s %s %s->%s %s", c.Effective.Format("2006-01-02"), c.ProductID, c.SKUID, c.TermDuration, c.Kind, dec6(c.Old), dec6(c.New), c.Source))
	}
	want := []string{
		"2026-12-01 CFQ7TTC0LCHC:0002 P1Y retired 100.123456-> dec.csv",
		"2026-12-01 CFQ7TTC0LFLX:0001 P1Y up 431.28->468 dec.csv:3",
		"2026-12-01 CFQ7TTC0LH16:0001 P1M added ->20 dec.csv:5",
		"2026-12-01 CFQ7TTC0LH18:0001 P1M down 6.48->6.12 dec.csv:4",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("changes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if p := changes[1].Percent(); p == nil || p.StringFixed(4) != "8.5142" {
		t.Errorf("percent of E3's rise = %v", p)
	}
	if later, err := s.PriceChanges(ctx, time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)); err != nil || len(later) != 0 {
		t.Errorf("changes since 2 December = %+v, %v", later, err)
	}

	nl, err := s.Prices(ctx, store.PriceFilter{Market: "nl", Currency: "EUR"})
	if err != nil {
		t.Fatal(err)
	}
	var ranges []string
	for _, p := range nl {
		to := "open"
		if p.To != nil {
			to = p.To.Format("2006-01-02")
		}
		erp := ""
		if p.ERPPrice != nil {
			erp = " erp " + p.ERPPrice.String()
		}
		ranges = append(ranges, fmt.Sprintf("%s %s %s..%s%s %s", p.ProductID, p.UnitPrice, p.From.Format("2006-01-02"), to, erp, p.Source))
	}
	wantRanges := []string{
		"CFQ7TTC0LCHC 100.123456 2023-04-01..2026-11-30 nov.csv:4",
		"CFQ7TTC0LFLX 431.28 2023-02-01..2026-11-30 erp 478.8 nov.csv:2",
		"CFQ7TTC0LFLX 468 2026-12-01..open erp 520 dec.csv:3",
		"CFQ7TTC0LH16 20 2026-12-01..open dec.csv:5",
		"CFQ7TTC0LH18 6.48 2026-11-01..2026-11-30 nov.csv:3",
		"CFQ7TTC0LH18 6.12 2026-12-01..open dec.csv:4",
	}
	if strings.Join(ranges, "\n") != strings.Join(wantRanges, "\n") {
		t.Errorf("NL prices:\n%s\nwant:\n%s", strings.Join(ranges, "\n"), strings.Join(wantRanges, "\n"))
	}
	gb, err := s.Prices(ctx, store.PriceFilter{Market: "GB", ProductID: "CFQ7TTC0LFLX"})
	if err != nil || len(gb) != 1 || gb[0].To != nil || gb[0].Segment != "commercial" {
		t.Errorf("GB, which December does not cover, = %+v, %v", gb, err)
	}
	// Newest first: December's re-import, then December.
	log, err := s.AuditLog(ctx, 2)
	if err != nil || len(log) != 2 || log[1].Action != "prices.import" || !strings.Contains(log[1].Detail, "4 changes") || !strings.Contains(log[0].Detail, "0 written") {
		t.Errorf("audit %+v, %v", log, err)
	}
}

func dec6(d *decimal.Decimal) string {
	if d == nil {
		return ""
	}
	return d.String()
}
