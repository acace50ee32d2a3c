package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/seatledger/seatledger/internal/sandbox"
)

// impactLine is one line of `prices impact --output json`, as much of it as the
// sandbox's truth states.
type impactLine struct {
	Change struct {
		Kind      string    `json:"kind"`
		Effective time.Time `json:"effective"`
	} `json:"change"`
	Holding struct {
		TenantID       string `json:"tenantId"`
		SubscriptionID string `json:"subscriptionId"`
		ProductSKU     string `json:"productSku"`
		Term           string `json:"term"`
		BillingPlan    string `json:"billingPlan"`
		Seats          int    `json:"seats"`
		Currency       string `json:"currency"`
	} `json:"holding"`
	Reaches        time.Time        `json:"reaches"`
	CostChange     *decimal.Decimal `json:"costChange"`
	CustomerChange *decimal.Decimal `json:"customerChange"`
	Margin         *decimal.Decimal `json:"margin"`
	MarginPercent  *decimal.Decimal `json:"marginPercent"`
	BelowFloor     bool             `json:"belowFloor"`
	Note           string           `json:"note"`
}

// describe writes an impact line and a truth line alike, so that they compare as text.
func describe(tenant, sub, productSKU, term, plan string, seats int, currency, kind string, effective, reaches time.Time,
	cost, customer, margin, pct *decimal.Decimal, below bool) string {
	day := func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		return t.Format(time.DateOnly)
	}
	amount := func(d *decimal.Decimal, places int32) string {
		if d == nil {
			return "-"
		}
		return d.StringFixed(places)
	}
	return fmt.Sprintf("%s %s %s %s/%s %d seats in %s: %s effective %s reaches %s, cost %s, customer %s, margin %s (%s %%), below floor %v",
		tenant, sub, productSKU, term, strings.ToLower(plan), seats, currency, kind, day(effective), day(reaches),
		amount(cost, 2), amount(customer, 2), amount(margin, 2), amount(pct, 2), below)
}

// End to end against the simulated cloud: the world's three months of price lists for
// its five markets, fetched from Partner Center's price sheet API, give the impact the world's
// own truth states for every subscription the changes reach, to the day and the cent,
// with the retired offer and the customers of a market without a list reported.
//
// On day 0 (2026-11-02) the preview month's rise is still to come; 51 days later
// (2026-12-23) the monthly terms that renewed on or after 2026-12-01 began under it
// and pay it from their term's start, as a subscription bought after it would.
func TestPriceImpactEqualsTheSandboxTruth(t *testing.T) {
	for _, days := range []int{0, 51} {
		t.Run(fmt.Sprintf("day %d", days), func(t *testing.T) { priceImpactEqualsTruth(t, days) })
	}
}

func priceImpactEqualsTruth(t *testing.T, days int) {
	// Eight tenants: every market, the cost-plus customer, an annual term billed
	// monthly, a monthly term renewing on the day a change takes effect, an annual term
	// that will not renew, and the holder of the retired offer.
	srv, world, files := sandboxEnv(t, 8)
	for range days {
		srv.Advance()
	}
	// Partner Center states the terms, billing plans and auto-renewal the truth rests on.
	t.Setenv("SEATLEDGER_PARTNER_TENANT_ID", sandbox.PartnerTenantID)
	t.Setenv("SEATLEDGER_PARTNER_CENTER_ENABLED", "true")
	t.Setenv("SEATLEDGER_PARTNER_CENTER_BASE_URL", srv.PartnerCenterBaseURL())
	partnerAPIEnv(t, srv)
	mustRun(t, "partner-center", "login")
	floor := decimal.Zero
	truth := world.PriceImpactTruth(floor)
	kinds := map[string]int{}
	for _, im := range truth {
		kinds[im.Kind]++
	}
	if kinds[sandbox.ImpactUp] == 0 || kinds[sandbox.ImpactRetired] == 0 || kinds[sandbox.ImpactNoList] == 0 {
		t.Fatalf("the world's truth lacks a case: %v", kinds)
	}
	startedAfter := 0
	for _, im := range truth {
		if im.Kind == sandbox.ImpactUp && im.Effective.Equal(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)) && !im.Reaches.After(srv.Now()) {
			startedAfter++
		}
	}
	if days > 0 && startedAfter == 0 {
		t.Fatal("no term began under the rise of 2026-12-01")
	}
	var want []string
	for _, im := range truth {
		kind := im.Kind
		if kind == sandbox.ImpactNoList {
			kind = "-"
		}
		want = append(want, describe(im.TenantID, im.SubscriptionID, im.ProductSKU, im.Term, im.BillingPlan, im.Seats, im.Currency, kind,
			im.Effective, im.Reaches, im.CostChange, im.CustomerChange, im.Margin, im.MarginPercent, im.BelowFloor))
	}
	slices.Sort(want)

	eachDatabase(t, func(t *testing.T, db string) {
		syncedWorld(t, db, files)
		downloads := fetchPriceSheets(t, db, world)

		var rep struct {
			Impacts []impactLine `json:"impacts"`
		}
		out := mustRun(t, "--db", db, "prices", "impact", "--output", "json", "--margin-floor", floor.String())
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		var got []string
		for _, im := range rep.Impacts {
			h := im.Holding
			kind := im.Change.Kind
			if kind == "" {
				kind = "-"
				if !strings.Contains(im.Note, "no price list") {
					t.Errorf("%s %s: no change named and the note says %q", h.TenantID, h.SubscriptionID, im.Note)
				}
			}
			if kind == sandbox.ImpactRetired && !strings.Contains(im.Note, "retired") {
				t.Errorf("%s %s: retired, noted %q", h.TenantID, h.SubscriptionID, im.Note)
			}
			got = append(got, describe(h.TenantID, h.SubscriptionID, h.ProductSKU, h.Term, h.BillingPlan, h.Seats, h.Currency, kind,
				im.Change.Effective, im.Reaches, im.CostChange, im.CustomerChange, im.Margin, im.MarginPercent, im.BelowFloor))
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			for _, g := range got {
				if !slices.Contains(want, g) {
					t.Errorf("seatledger, not the truth: %s", g)
				}
			}
			for _, w := range want {
				if !slices.Contains(got, w) {
					t.Errorf("the truth, not seatledger: %s", w)
				}
			}
		}
		// In the order the impacts land.
		for i := 1; i < len(rep.Impacts); i++ {
			a, b := rep.Impacts[i-1].Reaches, rep.Impacts[i].Reaches
			if !a.IsZero() && !b.IsZero() && b.Before(a) || a.IsZero() && !b.IsZero() {
				t.Errorf("impact %d reaches %s after one reaching %s", i, b.Format(time.DateOnly), a.Format(time.DateOnly))
			}
		}

		// The months imported again, in any order, change nothing: no price written, no
		// change recorded twice, the same impact lines.
		changes := mustRun(t, "--db", db, "prices", "changes", "--output", "json")
		months := world.PriceSheetMonths()
		for _, k := range []int{1, 2, 0, 2, 1} {
			var files []string
			name := months[k].Format("2006-01")
			if now := srv.Now(); months[k].After(time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)) {
				name += "-preview" // next month's preview is kept apart from the list proper
			}
			for _, m := range sandbox.PriceSheetMarkets {
				files = append(files, filepath.Join(downloads, "pricesheet-"+m+"-"+name+".csv"))
			}
			res := mustRun(t, append([]string{"--db", db, "prices", "import"}, files...)...)
			if n := strings.Count(res, " 0 written, ") + strings.Count(res, " 0 ranges closed, 0 changes"); n != 2*len(files) {
				t.Errorf("re-import of %s:\n%s", months[k].Format("2006-01"), res)
			}
		}
		again := mustRun(t, "--db", db, "prices", "changes", "--output", "json")
		if again != changes {
			t.Errorf("re-imports changed the recorded changes:\n%s\nbefore:\n%s", again, changes)
		}
		var listed struct {
			Changes []map[string]any `json:"changes"`
		}
		if err := json.Unmarshal([]byte(again), &listed); err != nil || len(listed.Changes) == 0 {
			t.Fatalf("prices changes: %v\n%s", err, again)
		}
		seen := map[string]bool{}
		for _, c := range listed.Changes {
			delete(c, "id")
			line := fmt.Sprint(c)
			if seen[line] {
				t.Errorf("change listed twice: %s", line)
			}
			seen[line] = true
		}
		if again := mustRun(t, "--db", db, "prices", "impact", "--output", "json", "--margin-floor", floor.String()); again != out {
			t.Errorf("re-imports changed the price impact:\n%s\nbefore:\n%s", again, out)
		}
	})
}
