package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/seatledger/seatledger/internal/sandbox"
)

// A price rise on an offer a customer holds on an annual term reaches its
// subscription at the first renewal on or after the rise, and costs the seats times
// the monthly difference.
func TestPriceImpact(t *testing.T) {
	_, world, files := sandboxEnv(t, 6)
	t.Setenv("SEATLEDGER_PARTNER_TENANT_ID", sandbox.PartnerTenantID)
	cust := world.Customers()[0]
	var sub *sandbox.Subscription
	for _, s := range world.Tenants[0].Subscriptions {
		if s.OwnerTenantID == sandbox.PartnerTenantID && !s.Trial && s.Status == "Enabled" && s.Term == "P1Y" && s.AppliesTo == "" {
			sub = s
			break
		}
	}
	if sub == nil {
		t.Fatal("the first tenant has no annual subscription")
	}
	ps := strings.SplitN(sandbox.ProductSKU(sub.SKUID), ":", 2)
	effective := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 10)
	dir := t.TempDir()
	header := "ProductTitle,ProductId,SkuId,SkuTitle,TermDuration,BillingPlan,Market,Currency,UnitPrice,PricingTierRangeMin,PricingTierRangeMax,EffectiveStartDate,EffectiveEndDate,ERP Price\n"
	row := func(price, from, to string) string {
		return fmt.Sprintf("%s,%s,%s,%s,P1Y,Annual,%s,%s,%s,,,%s,%s,\n", sub.PartNumber, ps[0], ps[1], sub.PartNumber, cust.Market, cust.Currency, price, from, to)
	}
	first := filepath.Join(dir, "m1.csv")
	second := filepath.Join(dir, "m2.csv")
	if err := os.WriteFile(first, []byte(header+row("120", "2020-01-01", "")), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(second, []byte(header+row("120", "2020-01-01", effective.AddDate(0, 0, -1).Format(time.DateOnly))+
		row("156", effective.Format(time.DateOnly), "")), 0o600); err != nil {
		t.Fatal(err)
	}
	eachDatabase(t, func(t *testing.T, db string) {
		mustRun(t, "--db", db, "migrate", "up")
		mustRun(t, "--db", db, "customers", "import", files.Customers)
		mustRun(t, "--db", db, "contracts", "import", files.Contracts)
		mustRun(t, "--db", db, "sync", "--all")
		mustRun(t, "--db", db, "catalog", "offers", "--file", files.Offers)
		mustRun(t, "--db", db, "prices", "import", first, second)

		var subs struct {
			Subscriptions []struct {
				ID   string `json:"id"`
				Term struct {
					Renewal time.Time `json:"renewal"`
				} `json:"term"`
			} `json:"subscriptions"`
		}
		if err := json.Unmarshal([]byte(mustRun(t, "--db", db, "-o", "json", "inventory", "subscriptions", "--tenant", cust.TenantID)), &subs); err != nil {
			t.Fatal(err)
		}
		var renewal time.Time
		for _, s := range subs.Subscriptions {
			if s.ID == sub.ID {
				renewal = s.Term.Renewal
			}
		}
		want := renewal
		for want.Before(effective) {
			want = want.AddDate(1, 0, 0)
		}
		var rep struct {
			Impacts []struct {
				Holding struct {
					SubscriptionID string `json:"subscriptionId"`
				} `json:"holding"`
				Reaches    time.Time `json:"reaches"`
				CostChange string    `json:"costChange"`
			} `json:"impacts"`
		}
		if err := json.Unmarshal([]byte(mustRun(t, "--db", db, "-o", "json", "prices", "impact", "--customer", cust.ExternalRef)), &rep); err != nil {
			t.Fatal(err)
		}
		cost := decimal.NewFromInt(int64(sub.Seats * 3)).StringFixed(2) // (156 - 120) / 12 a seat a month
		found := false
		for _, im := range rep.Impacts {
			if im.Holding.SubscriptionID != sub.ID {
				continue
			}
			found = true
			if !im.Reaches.Equal(want) || im.CostChange != cost {
				t.Errorf("reaches %s costing %s a month, want %s and %s", im.Reaches.Format(time.DateOnly), im.CostChange, want.Format(time.DateOnly), cost)
			}
		}
		if !found {
			t.Errorf("the rise reaches no subscription %s of %s: %+v", sub.ID, cust.Name, rep)
		}
		if out := mustRun(t, "--db", db, "prices", "impact"); !strings.Contains(out, "subscriptions reached") {
			t.Errorf("prices impact:\n%s", out)
		}

		// With the price list in, no saving of that offer waits for it any more.
		mustRun(t, "--db", db, "advise")
		var findings struct {
			Findings []struct {
				Kind       string `json:"kind"`
				SKUs       string `json:"skus"`
				SavingNote string `json:"savingNote"`
			} `json:"findings"`
		}
		if err := json.Unmarshal([]byte(mustRun(t, "--db", db, "-o", "json", "findings", "list", "--customer", cust.ExternalRef)), &findings); err != nil {
			t.Fatal(err)
		}
		for _, f := range findings.Findings {
			if f.SKUs == sub.PartNumber && strings.Contains(f.SavingNote, "until price lists are imported") {
				t.Errorf("%s %s still waits for a price list: %s", f.Kind, f.SKUs, f.SavingNote)
			}
		}
	})
}
