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
	"gopkg.in/yaml.v3"

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
		syncedWorld(t, db, files)
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

// An education customer is priced from the education rows of an offer and a
// commercial customer from its commercial rows, both in the same list: a rise of 60 to
// 66 a year costs the school 0.50 a seat a month, one of 120 to 156 costs the other
// customer 3.00, and neither is reached by the other segment's row.
func TestPriceImpactBySegment(t *testing.T) {
	_, world, files := sandboxEnv(t, 6)
	t.Setenv("SEATLEDGER_PARTNER_TENANT_ID", sandbox.PartnerTenantID)
	annual := func(s *sandbox.Subscription) bool {
		return s.OwnerTenantID == sandbox.PartnerTenantID && !s.Trial && s.Status == "Enabled" && s.Term == "P1Y" && s.AppliesTo == "" &&
			s.Case == "" && (s.BillingCycle == "" || strings.EqualFold(s.BillingCycle, "annual"))
	}
	// Two customers holding the same offer on an annual term; the first becomes a
	// school.
	var school, shop int
	var schoolSub, shopSub *sandbox.Subscription
	for i := 0; i < len(world.Tenants) && schoolSub == nil; i++ {
		for _, s := range world.Tenants[i].Subscriptions {
			if !annual(s) {
				continue
			}
			for j := i + 1; j < len(world.Tenants) && schoolSub == nil; j++ {
				for _, o := range world.Tenants[j].Subscriptions {
					if annual(o) && o.SKUID == s.SKUID {
						school, shop, schoolSub, shopSub = i, j, s, o
						break
					}
				}
			}
			if schoolSub != nil {
				break
			}
		}
	}
	if schoolSub == nil {
		t.Fatal("no two tenants hold the same offer on an annual term")
	}
	registry := world.Customers()
	registry[school].Segment = "education"
	data, err := yaml.Marshal(map[string]any{"customers": registry})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	customersFile := filepath.Join(dir, "customers.yaml")
	if err := os.WriteFile(customersFile, data, 0o600); err != nil {
		t.Fatal(err)
	}

	ps := strings.SplitN(sandbox.ProductSKU(schoolSub.SKUID), ":", 2)
	effective := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 10)
	header := "ProductTitle,ProductId,SkuId,SkuTitle,TermDuration,BillingPlan,Market,Currency,Segment,UnitPrice,PricingTierRangeMin,PricingTierRangeMax,EffectiveStartDate,EffectiveEndDate,ERP Price\n"
	var first, second strings.Builder
	first.WriteString(header)
	second.WriteString(header)
	seen := map[string]bool{}
	for _, c := range []int{school, shop} {
		m, cur := registry[c].Market, registry[c].Currency
		if seen[m+cur] {
			continue
		}
		seen[m+cur] = true
		for _, seg := range []struct{ name, old, new string }{{"Commercial", "120", "156"}, {"Education", "60", "66"}} {
			row := func(price, from, to string) string {
				return fmt.Sprintf("%s,%s,%s,%s,P1Y,Annual,%s,%s,%s,%s,,,%s,%s,\n", schoolSub.PartNumber, ps[0], ps[1], schoolSub.PartNumber, m, cur, seg.name, price, from, to)
			}
			first.WriteString(row(seg.old, "2020-01-01", ""))
			second.WriteString(row(seg.old, "2020-01-01", effective.AddDate(0, 0, -1).Format(time.DateOnly)))
			second.WriteString(row(seg.new, effective.Format(time.DateOnly), ""))
		}
	}
	m1, m2 := filepath.Join(dir, "m1.csv"), filepath.Join(dir, "m2.csv")
	if err := os.WriteFile(m1, []byte(first.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(m2, []byte(second.String()), 0o600); err != nil {
		t.Fatal(err)
	}

	eachDatabase(t, func(t *testing.T, db string) {
		mustRun(t, "--db", db, "migrate", "up")
		mustRun(t, "--db", db, "customers", "import", customersFile)
		if out := mustRun(t, "--db", db, "customers", "list"); !strings.Contains(out, "SEGMENT") || !strings.Contains(out, "education") {
			t.Errorf("customers list shows no segments:\n%s", out)
		}
		mustRun(t, "--db", db, "contracts", "import", files.Contracts)
		mustRun(t, "--db", db, "sync", "--all")
		mustRun(t, "--db", db, "catalog", "offers", "--file", files.Offers)
		mustRun(t, "--db", db, "prices", "import", m1, m2)

		var rep struct {
			Impacts []struct {
				Change struct {
					Segment string `json:"segment"`
				} `json:"change"`
				Holding struct {
					SubscriptionID string `json:"subscriptionId"`
					Segment        string `json:"segment"`
				} `json:"holding"`
				CostChange string `json:"costChange"`
			} `json:"impacts"`
		}
		if err := json.Unmarshal([]byte(mustRun(t, "--db", db, "-o", "json", "prices", "impact")), &rep); err != nil {
			t.Fatal(err)
		}
		for _, want := range []struct {
			sub              *sandbox.Subscription
			segment, perSeat string
		}{{schoolSub, "education", "0.50"}, {shopSub, "commercial", "3.00"}} {
			var got []string
			for _, im := range rep.Impacts {
				if im.Holding.SubscriptionID == want.sub.ID {
					got = append(got, im.Change.Segment+" "+im.Holding.Segment+" "+im.CostChange)
				}
			}
			cost := decimal.RequireFromString(want.perSeat).Mul(decimal.NewFromInt(int64(want.sub.Seats))).StringFixed(2)
			if len(got) != 1 || got[0] != want.segment+" "+want.segment+" "+cost {
				t.Errorf("%s customer, %d seats: impacts %q, want one from the %s row costing %s a month", want.segment, want.sub.Seats, got, want.segment, cost)
			}
		}
	})
}
