package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/seatledger/seatledger/internal/app"
	"github.com/seatledger/seatledger/internal/config"
	"github.com/seatledger/seatledger/internal/sandbox"
	"github.com/seatledger/seatledger/internal/store/storetest"
)

// heldOffer is a Graph SKU the partner sells in the world, and how many running
// subscriptions hold it.
type heldOffer struct {
	skuID, partNumber, productSKU string
	subscriptions                 int
}

// heldOffers are the offers the world's partner subscriptions hold, most held first.
func heldOffers(w *sandbox.World) []heldOffer {
	bySKU := map[string]*heldOffer{}
	for _, t := range w.Tenants {
		for _, s := range t.Subscriptions {
			if s.OwnerTenantID != sandbox.PartnerTenantID || s.Trial || s.Status != "Enabled" {
				continue
			}
			o := bySKU[s.SKUID]
			if o == nil {
				o = &heldOffer{skuID: s.SKUID, partNumber: s.PartNumber, productSKU: sandbox.ProductSKU(s.SKUID)}
				bySKU[s.SKUID] = o
			}
			o.subscriptions++
		}
	}
	out := make([]heldOffer, 0, len(bySKU))
	for _, o := range bySKU {
		out = append(out, *o)
	}
	slices.SortFunc(out, func(a, b heldOffer) int {
		return cmp.Or(cmp.Compare(b.subscriptions, a.subscriptions), cmp.Compare(a.partNumber, b.partNumber))
	})
	return out
}

// impactLists writes this month's price list and next month's for the offers the
// world holds plus filler offers up to offersPerMarket, in every market and currency
// of the registry, each offer in the five term and billing plan combinations
// Partner Center sells seats in. Next month the most held offers rise by the given
// percentages from its first day, and the next most held offer is gone (retired).
func impactLists(b *testing.B, dir string, held []heldOffer, markets [][2]string, offersPerMarket int, rises []int64, nextMonth time.Time) (string, string) {
	b.Helper()
	type offer struct{ product, sku, title string }
	offers := make([]offer, 0, offersPerMarket)
	for _, h := range held {
		ps := strings.SplitN(h.productSKU, ":", 2)
		offers = append(offers, offer{ps[0], ps[1], h.partNumber})
	}
	for i := 0; len(offers) < offersPerMarket; i++ {
		offers = append(offers, offer{fmt.Sprintf("BENCH%07d", i), "0001", fmt.Sprintf("Filler offer %d", i)})
	}
	// Term price = monthly base × months, with New Commerce's uplifts: a monthly term
	// costs 20 % more, an annual term billed monthly 5 % more.
	combos := []struct {
		term, plan string
		factor     decimal.Decimal
	}{
		{"P1M", "Monthly", decimal.RequireFromString("1.2")},
		{"P1Y", "Annual", decimal.NewFromInt(12)},
		{"P1Y", "Monthly", decimal.RequireFromString("12.6")},
		{"P3Y", "Annual", decimal.NewFromInt(36)},
		{"P3Y", "Triennial", decimal.NewFromInt(36)},
	}
	header := "ProductTitle,ProductId,SkuId,SkuTitle,Publisher,TermDuration,BillingPlan,Market,Currency,UnitPrice,PricingTierRangeMin,PricingTierRangeMax,EffectiveStartDate,EffectiveEndDate,Tags,ERP Price\n"
	write := func(name string, next bool) string {
		path := filepath.Join(dir, name)
		f, err := os.Create(path)
		if err != nil {
			b.Fatal(err)
		}
		w := bufio.NewWriter(f)
		w.WriteString(header)
		for i, o := range offers {
			if next && i == len(rises) {
				continue // retired next month
			}
			base := decimal.NewFromInt(int64(3 + i%40)).Add(decimal.New(int64(i%4)*25, -2))
			start := "2023-04-01"
			if next && i < len(rises) {
				base = base.Mul(decimal.NewFromInt(100 + rises[i])).Div(decimal.NewFromInt(100))
				start = nextMonth.Format(time.DateOnly)
			}
			for _, m := range markets {
				for _, c := range combos {
					price := base.Mul(c.factor).Round(2).StringFixed(2)
					fmt.Fprintf(w, "%s,%s,%s,%s,Microsoft Corporation,%s,%s,%s,%s,%s,,,%s,9999-12-31,License,%s\n",
						o.title, o.product, o.sku, o.title, c.term, c.plan, m[0], m[1], price, start, price)
				}
			}
		}
		if err := w.Flush(); err != nil {
			b.Fatal(err)
		}
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
		return path
	}
	return write("this-month.csv", false), write("next-month.csv", true)
}

// BenchmarkPriceImpact1000 works out the price impact, the call `seatledger prices
// impact` makes, for 1,000 customers synced from the simulated cloud (Graph and
// Partner Center) into PostgreSQL, after importing this month's price list and next
// month's, in which the four most held offers rise by 5 to 10 % in every customer's
// market and currency and the fifth is retired. make bench-impact runs it; with
// SEATLEDGER_TEST_IMPACT_CPUPROFILE=FILE it writes a CPU profile of the timed calls.
func BenchmarkPriceImpact1000(b *testing.B) {
	const tenants, offersPerMarket, runs = 1000, 2000, 3
	rises := []int64{5, 7, 9, 10}
	b.Setenv("SEATLEDGER_CONFIG", "")
	for range b.N {
		world, err := sandbox.Generate(sandbox.Options{Seed: 42, Tenants: tenants, UserScale: 0.29, Start: today()})
		if err != nil {
			b.Fatal(err)
		}
		srv, err := sandbox.NewServer(world, sandbox.ServerOptions{})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(srv.Close)
		dir := b.TempDir()
		files, err := writeSandboxFiles(dir, srv, world)
		if err != nil {
			b.Fatal(err)
		}
		for k, v := range map[string]string{
			"SEATLEDGER_GRAPH_BASE_URL": srv.GraphBaseURL(), "SEATLEDGER_GRAPH_AUTHORITY_HOST": srv.AuthorityHost(), "SEATLEDGER_GRAPH_CA_FILE": files.CA,
			"SEATLEDGER_GRAPH_CLIENT_ID": srv.ClientID(), "SEATLEDGER_GRAPH_CLIENT_SECRET": srv.ClientSecret(),
			"SEATLEDGER_PARTNER_TENANT_ID": sandbox.PartnerTenantID, "SEATLEDGER_PARTNER_CENTER_ENABLED": "true",
			"SEATLEDGER_PARTNER_CENTER_BASE_URL": srv.PartnerCenterBaseURL(), "SEATLEDGER_LOG_LEVEL": "warn",
		} {
			b.Setenv(k, v)
		}
		var markets [][2]string
		for _, c := range world.Customers() {
			if m := [2]string{c.Market, c.Currency}; !slices.Contains(markets, m) {
				markets = append(markets, m)
			}
		}
		held := heldOffers(world)
		if len(held) <= len(rises) {
			b.Fatalf("the world holds %d offers, fewer than the %d that change", len(held), len(rises)+1)
		}
		now := time.Now().UTC()
		nextMonth := time.Date(now.Year(), now.Month()+1, 1, 0, 0, 0, 0, time.UTC)
		thisList, nextList := impactLists(b, dir, held, markets, offersPerMarket, rises, nextMonth)

		db := storetest.PostgresURL(b)
		ctx := context.Background()
		setup := time.Now()
		for _, args := range [][]string{
			{"migrate", "up"}, {"customers", "import", files.Customers}, {"contracts", "import", files.Contracts},
			{"sync", "--all"}, {"catalog", "offers", "--file", files.Offers}, {"prices", "import", thisList, nextList},
		} {
			var out, errOut bytes.Buffer
			if code := run(ctx, append([]string{"--db", db}, args...), &out, &errOut); code != 0 {
				b.Fatalf("seatledger %s: exit %d\n%s%s", strings.Join(args, " "), code, out.String(), errOut.String())
			}
		}
		b.Logf("set-up (sync of %d tenants, %d offers × 5 terms × %d markets in each of two price lists) %.1f s",
			tenants, offersPerMarket, len(markets), time.Since(setup).Seconds())

		cfg, err := config.Load("", os.Environ(), map[string]string{"database.url": db})
		if err != nil {
			b.Fatal(err)
		}
		a, err := app.Open(ctx, cfg, app.Options{Actor: "bench", Log: newLogger(cfg, io.Discard)})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = a.Close() })
		if path := os.Getenv("SEATLEDGER_TEST_IMPACT_CPUPROFILE"); path != "" {
			f, err := os.Create(path)
			if err != nil {
				b.Fatal(err)
			}
			if err := pprof.StartCPUProfile(f); err != nil {
				b.Fatal(err)
			}
			defer func() { pprof.StopCPUProfile(); _ = f.Close() }()
		}
		var slowest time.Duration
		var rep app.ImpactReport
		for i := range runs {
			start := time.Now()
			rep, err = a.PriceImpact(ctx, app.ImpactQuery{})
			elapsed := time.Since(start)
			if err != nil {
				b.Fatal(err)
			}
			slowest = max(slowest, elapsed)
			b.Logf("run %d: price impact for %d customers in %.3f s", i+1, tenants, elapsed.Seconds())
		}
		reached, subs, retired := map[string]bool{}, map[string]bool{}, 0
		for _, im := range rep.Impacts {
			reached[im.Holding.TenantID] = true
			subs[im.Holding.SubscriptionID] = true
			if im.Change.Kind == "retired" {
				retired++
			}
		}
		b.Logf("%d impacts on %d subscriptions of %d customers (%d of a retired offer), %d subscriptions unmatched; slowest of %d runs %.3f s",
			len(rep.Impacts), len(subs), len(reached), retired, rep.Unmatched, runs, slowest.Seconds())
		if len(reached) < tenants/4 || retired == 0 {
			b.Fatalf("the changes reach %d customers and %d retired subscriptions: the benchmark does not test what it says", len(reached), retired)
		}
		b.ReportMetric(slowest.Seconds(), "impact-s")
		b.ReportMetric(float64(len(rep.Impacts)), "impacts")
		b.ReportMetric(float64(len(reached)), "customers-reached")
	}
}
