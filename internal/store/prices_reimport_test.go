package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seatledger/seatledger/internal/pricing"
	"github.com/seatledger/seatledger/internal/sandbox"
	"github.com/seatledger/seatledger/internal/store"
	"github.com/seatledger/seatledger/internal/store/storetest"
)

// The simulated cloud's German lists of October, November and December: each restates
// every price from the first of its month, November changes a few, December raises
// more and retires an offer.
func sandboxLists(t *testing.T) map[string]pricing.List {
	t.Helper()
	world, err := sandbox.Generate(sandbox.Options{Seed: 3, Tenants: 10, Start: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	files, err := world.PriceSheetFiles(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	lists := map[string]pricing.List{}
	for _, f := range files {
		name := filepath.Base(f)
		if !strings.HasPrefix(name, "pricesheet-DE-") {
			continue
		}
		r, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		l, err := pricing.ParseCSV(r, name)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		lists[strings.TrimSuffix(strings.TrimPrefix(name, "pricesheet-DE-2026-"), ".csv")] = l
	}
	if len(lists) != 3 {
		t.Fatalf("German lists %v", files)
	}
	return lists
}

func TestImportPricesMonthsAndReimports(t *testing.T) {
	lists := sandboxLists(t)
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		testImportPricesMonthsAndReimports(t, s, lists)
	})
}

func TestImportPricesMonthsAndReimportsOneProductAtATime(t *testing.T) {
	lists := sandboxLists(t)
	defer store.SetPriceChunkRows(1)()
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		testImportPricesMonthsAndReimports(t, s, lists)
	})
}

func testImportPricesMonthsAndReimports(t *testing.T, s *store.Store, lists map[string]pricing.List) {
	ctx := context.Background()
	imp := func(month string) store.PriceImport {
		t.Helper()
		res, err := s.ImportPrices(ctx, lists[month], "test", "pricesheet-DE-2026-"+month+".csv")
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	changesOf := func(effective time.Time) (updown, added, retired int) {
		t.Helper()
		all, err := s.PriceChanges(ctx, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range all {
			if !c.Effective.Equal(effective) {
				continue
			}
			switch c.Kind {
			case pricing.ChangeUp, pricing.ChangeDown:
				updown++
			case pricing.ChangeAdded:
				added++
			case pricing.ChangeRetired:
				retired++
			}
		}
		return updown, added, retired
	}
	nov1, dec1 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

	oct := imp("10")
	if oct.Read != 48 || oct.Written != 48 || oct.Changes != 0 {
		t.Errorf("October %+v: want 48 read and written, no changes", oct)
	}
	// November restates every price: only those that changed are written, each a new
	// range closing the one it follows, and an added offer a range of its own.
	nov := imp("11")
	updown, added, retired := changesOf(nov1)
	if nov != (store.PriceImport{Read: 48, Written: 8, Unchanged: 44, Closed: 4, Changes: 4}) || updown != 4 || added != 0 || retired != 0 ||
		nov.Closed != updown || nov.Written != 2*updown+added || nov.Unchanged != nov.Read-updown-added {
		t.Errorf("November %+v: %d ups and downs, %d added, %d retired", nov, updown, added, retired)
	}
	dec := imp("12")
	updown, added, retired = changesOf(dec1)
	// 16 prices changed; Microsoft 365 Copilot added and Planner and Project Plan 3
	// retired, each on three terms.
	if dec != (store.PriceImport{Read: 48, Written: 38, Unchanged: 29, Closed: 19, Changes: 22}) || updown != 16 || added != 3 || retired != 3 ||
		dec.Changes != updown+added+retired || dec.Closed != updown+retired || dec.Written != 2*updown+added+retired ||
		dec.Unchanged != dec.Read-updown-added {
		t.Errorf("December %+v: %d ups and downs, %d added, %d retired", dec, updown, added, retired)
	}
	checkOneRangePerPrice(t, s)

	before := storedPricesAndChanges(t, s, "DE")
	for _, month := range []string{"11", "12", "10", "12", "11"} {
		if res := imp(month); res.Written != 0 || res.Closed != 0 || res.Changes != 0 || res.Unchanged != res.Read {
			t.Errorf("re-import of %s after December %+v: want nothing written", month, res)
		}
	}
	if after := storedPricesAndChanges(t, s, "DE"); after != before {
		t.Errorf("re-imports changed the stored prices or changes:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// checkOneRangePerPrice fails when a key's consecutive ranges ask the same price: a
// restated price continues its range.
func checkOneRangePerPrice(t *testing.T, s *store.Store) {
	t.Helper()
	prices, err := s.Prices(context.Background(), store.PriceFilter{Market: "DE"})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(prices); i++ {
		a, b := prices[i-1], prices[i]
		if a.Key == b.Key && a.UnitPrice.Equal(b.UnitPrice) {
			t.Errorf("%s:%s %s: %s stated again from %s (%s after %s)", b.ProductID, b.SKUID, b.TermDuration, b.UnitPrice, b.From.Format(time.DateOnly), b.Source, a.Source)
		}
	}
}

// storedPricesAndChanges is every stored price range of a market and every change,
// one a line.
func storedPricesAndChanges(t *testing.T, s *store.Store, market string) string {
	t.Helper()
	ctx := context.Background()
	prices, err := s.Prices(ctx, store.PriceFilter{Market: market})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, p := range prices {
		to := "open"
		if p.To != nil {
			to = p.To.Format(time.DateOnly)
		}
		fmt.Fprintf(&b, "%v %s %s..%s %s\n", p.Key, p.UnitPrice, p.From.Format(time.DateOnly), to, p.Source)
	}
	changes, err := s.PriceChanges(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, c := range changes {
		line := fmt.Sprintf("%v %s %s %s->%s", c.Key, c.Effective.Format(time.DateOnly), c.Kind, dec6(c.Old), dec6(c.New))
		if seen[line] {
			t.Errorf("change recorded twice: %s", line)
		}
		seen[line] = true
		fmt.Fprintf(&b, "%d %s %s\n", c.ID, line, c.Source)
	}
	return b.String()
}

// October's list, December's, then November's, which differs from both: November's
// prices end the day before December's list takes effect, what December carried on is
// kept from its first day, and December's retirement stands.
func TestImportPricesOlderListAfterNewer(t *testing.T) {
	row := func(product, price, from string) string {
		return "Offer " + product + "," + product + ",0001,Offer,P1Y,Annual,NL,EUR," + price + ",,," + from + ",,\n"
	}
	oct := priceHeader + row("CFQ7TTC0AAAA", "10", "10/1/2026 0:00") + row("CFQ7TTC0BBBB", "5", "10/1/2026 0:00") + row("CFQ7TTC0CCCC", "7", "10/1/2026 0:00")
	nov := priceHeader + row("CFQ7TTC0AAAA", "11", "11/1/2026 0:00") + row("CFQ7TTC0BBBB", "5", "11/1/2026 0:00") + row("CFQ7TTC0CCCC", "7", "11/1/2026 0:00")
	dec := priceHeader + row("CFQ7TTC0AAAA", "10", "12/1/2026 0:00") + row("CFQ7TTC0BBBB", "6", "12/1/2026 0:00")
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for _, l := range []struct {
			name, csv string
			want      store.PriceImport
		}{
			{"oct.csv", oct, store.PriceImport{Read: 3, Written: 3}},
			{"dec.csv", dec, store.PriceImport{Read: 2, Written: 3, Unchanged: 1, Closed: 2, Changes: 2}},
			// A's new range, A's October range closed, its December part kept.
			{"nov.csv", nov, store.PriceImport{Read: 3, Written: 3, Unchanged: 2, Closed: 1, Changes: 2}},
			{"nov.csv", nov, store.PriceImport{Read: 3, Unchanged: 3}},
			{"dec.csv", dec, store.PriceImport{Read: 2, Unchanged: 2}},
			{"oct.csv", oct, store.PriceImport{Read: 3, Unchanged: 3}},
		} {
			res, err := s.ImportPrices(ctx, parsePrices(t, l.csv, l.name), "test", l.name)
			if err != nil || res != l.want {
				t.Errorf("%s: %+v, %v; want %+v", l.name, res, err, l.want)
			}
		}
		got := storedPricesAndChanges(t, s, "NL")
		want := `{CFQ7TTC0AAAA 0001 P1Y annual NL EUR commercial 0} 10 2026-10-01..2026-10-31 oct.csv:2
{CFQ7TTC0AAAA 0001 P1Y annual NL EUR commercial 0} 11 2026-11-01..2026-11-30 nov.csv:2
{CFQ7TTC0AAAA 0001 P1Y annual NL EUR commercial 0} 10 2026-12-01..open oct.csv:2
{CFQ7TTC0BBBB 0001 P1Y annual NL EUR commercial 0} 5 2026-10-01..2026-11-30 oct.csv:3
{CFQ7TTC0BBBB 0001 P1Y annual NL EUR commercial 0} 6 2026-12-01..open dec.csv:3
{CFQ7TTC0CCCC 0001 P1Y annual NL EUR commercial 0} 7 2026-10-01..2026-11-30 oct.csv:4
`
		if !strings.HasPrefix(got, want) {
			t.Errorf("prices:\n%s\nwant:\n%s", got, want)
		}
		var changes []string
		for _, line := range strings.Split(strings.TrimPrefix(got, want), "\n") {
			if _, c, ok := strings.Cut(line, " "); ok {
				changes = append(changes, c)
			}
		}
		wantChanges := []string{
			"{CFQ7TTC0AAAA 0001 P1Y annual NL EUR commercial 0} 2026-11-01 up 10->11 nov.csv:2",
			"{CFQ7TTC0BBBB 0001 P1Y annual NL EUR commercial 0} 2026-12-01 up 5->6 dec.csv:3",
			"{CFQ7TTC0CCCC 0001 P1Y annual NL EUR commercial 0} 2026-12-01 retired 7-> dec.csv",
			// December's price of A, carried on from October's line, now follows November's.
			"{CFQ7TTC0AAAA 0001 P1Y annual NL EUR commercial 0} 2026-12-01 down 11->10 oct.csv:2",
		}
		if strings.Join(changes, "\n") != strings.Join(wantChanges, "\n") {
			t.Errorf("changes:\n%s\nwant:\n%s", strings.Join(changes, "\n"), strings.Join(wantChanges, "\n"))
		}
	})
}

// A list restating this month's price, ending it, beside next month's: the range in
// force ends there and the new price follows; no range is split at the month.
func TestImportPricesRestatedWithItsEnd(t *testing.T) {
	oct := priceHeader + "Offer,CFQ7TTC0AAAA,0001,Offer,P1Y,Annual,NL,EUR,10,,,10/1/2026 0:00,,\n"
	nov := priceHeader + "Offer,CFQ7TTC0AAAA,0001,Offer,P1Y,Annual,NL,EUR,10,,,11/1/2026 0:00,11/30/2026 11:59:59 PM,\n" +
		"Offer,CFQ7TTC0AAAA,0001,Offer,P1Y,Annual,NL,EUR,12,,,12/1/2026 0:00,,\n"
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for _, l := range []struct {
			name, csv string
			want      store.PriceImport
		}{
			{"oct.csv", oct, store.PriceImport{Read: 1, Written: 1}},
			{"nov.csv", nov, store.PriceImport{Read: 2, Written: 2, Closed: 1, Changes: 1}},
			{"nov.csv", nov, store.PriceImport{Read: 2, Unchanged: 2}},
			{"oct.csv", oct, store.PriceImport{Read: 1, Unchanged: 1}},
		} {
			res, err := s.ImportPrices(ctx, parsePrices(t, l.csv, l.name), "test", l.name)
			if err != nil || res != l.want {
				t.Errorf("%s: %+v, %v; want %+v", l.name, res, err, l.want)
			}
		}
		want := `{CFQ7TTC0AAAA 0001 P1Y annual NL EUR commercial 0} 10 2026-10-01..2026-11-30 oct.csv:2
{CFQ7TTC0AAAA 0001 P1Y annual NL EUR commercial 0} 12 2026-12-01..open nov.csv:3
1 {CFQ7TTC0AAAA 0001 P1Y annual NL EUR commercial 0} 2026-12-01 up 10->12 nov.csv:3
`
		if got := storedPricesAndChanges(t, s, "NL"); got != want {
			t.Errorf("prices and changes:\n%s\nwant:\n%s", got, want)
		}
	})
}

// A month fetched after the next one (history backfilled): the next month's rise is
// recorded on its day, and the offers are not "added" in the older month.
func TestImportPricesBackfilledMonth(t *testing.T) {
	row := func(product, price, from string) string {
		return "Offer " + product + "," + product + ",0001,Offer,P1Y,Annual,NL,EUR," + price + ",,," + from + ",,\n"
	}
	jan := priceHeader + row("CFQ7TTC0AAAA", "110", "1/1/2027 0:00") + row("CFQ7TTC0BBBB", "50", "1/1/2027 0:00")
	dec := priceHeader + row("CFQ7TTC0AAAA", "100", "12/1/2026 0:00") + row("CFQ7TTC0BBBB", "50", "12/1/2026 0:00")
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for _, l := range []struct{ name, csv string }{{"jan.csv", jan}, {"dec.csv", dec}, {"jan.csv", jan}, {"dec.csv", dec}} {
			if _, err := s.ImportPrices(ctx, parsePrices(t, l.csv, l.name), "test", l.name); err != nil {
				t.Fatalf("%s: %v", l.name, err)
			}
		}
		changes, err := s.PriceChanges(ctx, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range changes {
			got = append(got, fmt.Sprintf("%s %s %s %s->%s %s", c.Effective.Format(time.DateOnly), c.ProductID, c.Kind, dec6(c.Old), dec6(c.New), c.Source))
		}
		want := []string{"2027-01-01 CFQ7TTC0AAAA up 100->110 jan.csv:2"}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("changes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}
