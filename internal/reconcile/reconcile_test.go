package reconcile

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/seatledger/seatledger/internal/catalog"
	"github.com/seatledger/seatledger/internal/contracts"
	"github.com/seatledger/seatledger/internal/inventory"
	"github.com/seatledger/seatledger/internal/terms"
)

func TestReconcile(t *testing.T) {
	c, err := catalog.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	id := func(part string) string { s, _ := c.Lookup(part); return s.ID }
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	price := decimal.RequireFromString("12.35")
	markup := decimal.RequireFromString("15")
	qty := func(n int) *int { return &n }
	line := func(part string, q *int, p *decimal.Decimal) contracts.Line {
		l := contracts.Line{SKUID: id(part), PartNumber: part, Term: "P1Y", Quantity: q, Start: now.AddDate(-1, 0, 0)}
		if p != nil {
			l.UnitPrice = p
		} else {
			l.MarkupPercent = &markup
		}
		return l
	}
	sub := func(part string, seats int, owner string, trial bool) terms.Subscription {
		return terms.Subscription{Subscription: inventory.Subscription{SKUID: id(part), PartNumber: part, Status: "Enabled", TotalLicenses: seats, IsTrial: trial}, Owner: owner}
	}
	pool := func(part string, consumed int) inventory.Pool {
		return inventory.Pool{SKUID: id(part), PartNumber: part, Consumed: consumed}
	}
	cases := []struct {
		name     string
		pools    []inventory.Pool
		subs     []terms.Subscription
		contract []contracts.Line
		held     map[string]int
		want     string
	}{
		{"all agree", []inventory.Pool{pool("SPB", 10)}, []terms.Subscription{sub("SPB", 10, terms.OwnerPartner, false)},
			[]contracts.Line{line("SPB", qty(10), &price)}, nil, "SPB 10/10/10:"},
		{"under-billed and idle", []inventory.Pool{pool("SPB", 10)}, []terms.Subscription{sub("SPB", 12, terms.OwnerPartner, false)},
			[]contracts.Line{line("SPB", qty(10), &price)}, nil, "SPB 10/12/10: under-billed 2 24.70, unassigned 2 24.70"},
		{"over-billed", []inventory.Pool{pool("SPB", 10)}, []terms.Subscription{sub("SPB", 10, terms.OwnerPartner, false)},
			[]contracts.Line{line("SPB", qty(13), &price)}, nil, "SPB 10/10/13: over-billed 3 37.05"},
		{"as assigned at cost plus markup", []inventory.Pool{pool("SPB", 9)}, []terms.Subscription{sub("SPB", 10, terms.OwnerPartner, false)},
			[]contracts.Line{line("SPB", nil, nil)}, nil, "SPB 9/10/9: under-billed 1 ?, unassigned 1 ?"},
		{"no contract line, no subscription", []inventory.Pool{pool("SPB", 5)}, []terms.Subscription{sub("SPB", 5, terms.OwnerPartner, false)},
			[]contracts.Line{line("PROJECTPROFESSIONAL", qty(2), &price)}, nil, "PROJECTPROFESSIONAL 0/0/2: no-subscription 2 24.70 | SPB 5/5/0: no-contract-line 5 ?"},
		{"another partner, direct and a trial", []inventory.Pool{pool("VISIOCLIENT", 4), pool("FLOW_FREE", 50)},
			[]terms.Subscription{sub("VISIOCLIENT", 3, terms.OwnerOtherPartner, false), sub("VISIOCLIENT", 2, terms.OwnerDirect, false), sub("VISIOCLIENT", 25, "", true), sub("FLOW_FREE", 10000, terms.OwnerDirect, false)},
			nil, nil, "VISIOCLIENT 4/0/0: unassigned 1 ?, other-partner 3 -, direct 2 -"},
		// Seats in grace are usable and no longer billed: nothing idle; the contract
		// bills seats the partner no longer buys.
		{"seats in grace", []inventory.Pool{{SKUID: id("SPB"), PartNumber: "SPB", Warning: 1100, Consumed: 1100}},
			[]terms.Subscription{{Subscription: inventory.Subscription{SKUID: id("SPB"), PartNumber: "SPB", Status: "Warning", TotalLicenses: 1100}, Owner: terms.OwnerPartner}},
			[]contracts.Line{line("SPB", qty(1100), &price)}, nil, "SPB 1100/0/1100: no-subscription 1100 13585.00"},
		{"capacity is not seats", []inventory.Pool{{SKUID: "99049c9c-6011-4908-bf17-15f496e6519d", PartNumber: "SHAREPOINTSTORAGE", AppliesTo: "Company", Enabled: 500}},
			[]terms.Subscription{{Subscription: inventory.Subscription{SKUID: "99049c9c-6011-4908-bf17-15f496e6519d", PartNumber: "SHAREPOINTSTORAGE", Status: "Enabled", TotalLicenses: 500}, Owner: terms.OwnerPartner}},
			[]contracts.Line{{SKUID: "99049c9c-6011-4908-bf17-15f496e6519d", PartNumber: "SHAREPOINTSTORAGE", Term: "P1M", Quantity: qty(500), UnitPrice: &price, Start: now.AddDate(-1, 0, 0)}}, nil,
			"SHAREPOINTSTORAGE 0/500/500:"},
		// A pool read without its subscriptions: advice and reconciliation agree on
		// its 11 idle seats.
		{"subscriptions unknown", []inventory.Pool{{SKUID: id("SPB"), PartNumber: "SPB", Enabled: 12, Consumed: 1}}, nil, nil, nil,
			"SPB 1/0/0: unassigned 11 ?, unknown-subscription 12 ?"},
		{"held with no pool", nil, nil, nil, map[string]int{id("VISIOCLIENT"): 2}, "VISIOCLIENT 2/0/0: no-pool 2 ?"},
		{"over-assigned", []inventory.Pool{{SKUID: id("SPB"), PartNumber: "SPB", Enabled: 5, Consumed: 7}}, []terms.Subscription{sub("SPB", 5, terms.OwnerPartner, false)},
			[]contracts.Line{line("SPB", qty(5), &price)}, nil, "SPB 7/5/5: over-assigned 2 ?"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rows := Reconcile(Input{Now: now, Pools: tc.pools, Subscriptions: tc.subs, Contract: tc.contract, Catalog: c, HeldWithoutPool: tc.held})
			var parts []string
			for _, r := range rows {
				var ms []string
				for _, m := range r.Mismatches {
					money := "?"
					if m.Monthly != nil {
						money = m.Monthly.StringFixed(2)
					} else if m.MoneyNote == "" {
						money = "-"
					}
					ms = append(ms, fmt.Sprintf("%s %d %s", m.Kind, m.Seats, money))
				}
				parts = append(parts, fmt.Sprintf("%s %d/%d/%d: %s", r.PartNumber, r.Assigned, r.PartnerSeats, r.ContractSeats, strings.Join(ms, ", ")))
			}
			if got := strings.TrimSpace(strings.Join(parts, " | ")); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

// Assigned (Graph), purchased (Partner Center) and billed (contract), each mismatch
// with its reason.
func TestThreeWay(t *testing.T) {
	c, err := catalog.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	spb, _ := c.Lookup("SPB")
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	price := decimal.RequireFromString("20.60")
	qty := 10
	line := contracts.Line{SKUID: spb.ID, PartNumber: "SPB", Term: "P1M", BillingPlan: "monthly", Quantity: &qty, UnitPrice: &price, Start: now.AddDate(-1, 0, 0)}
	pc := inventory.PartnerSubscription{ID: "pc-annual-billed-monthly", ProductType: "OnlineServicesNCE", Status: "active", Quantity: 12,
		TermDuration: "P1Y", BillingCycle: "monthly", ResellerID: "reseller-1"}
	sub := terms.Subscription{Subscription: inventory.Subscription{ID: "g", SKUID: spb.ID, PartNumber: "SPB", Status: "Enabled", TotalLicenses: 10},
		Owner: terms.OwnerPartner, Line: &line, Partner: &terms.PartnerLink{Subscription: pc, Rule: terms.LinkCommerceID}}
	lost := inventory.PartnerSubscription{ID: "pc-lost", ProductType: "OnlineServicesNCE", Status: "active", Quantity: 3}
	rows := Reconcile(Input{Now: now, Catalog: c, Contract: []contracts.Line{line},
		Pools:           []inventory.Pool{{SKUID: spb.ID, PartNumber: "SPB", Enabled: 10, Consumed: 10}},
		Subscriptions:   []terms.Subscription{sub},
		UnlinkedPartner: []UnlinkedPartner{{SKUID: spb.ID, PartNumber: "SPB", Subscription: lost}}})
	if len(rows) != 1 || !rows[0].PartnerCenter || rows[0].PurchasedSeats != 15 {
		t.Fatalf("%+v", rows)
	}
	var kinds []string
	for _, m := range rows[0].Mismatches {
		kinds = append(kinds, m.Kind)
	}
	if got := strings.Join(kinds, " "); got != "not-in-tenant term-differs indirect-reseller purchase-differs" {
		t.Errorf("mismatches %s", got)
	}
}
