package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/seatledger/seatledger/internal/billing"
	"github.com/seatledger/seatledger/internal/sandbox"
	"github.com/seatledger/seatledger/internal/store"
)

// billed is a stored run as `bill show -o json --lines` prints it.
type billed struct {
	Run struct {
		ID         int64  `json:"id"`
		Period     string `json:"period"`
		Status     string `json:"status"`
		ApprovedBy string `json:"approvedBy"`
		Lines      int    `json:"lines"`
	} `json:"run"`
	Lines       []billing.Line `json:"lines"`
	Corrections int            `json:"corrections"`
}

// planted is a monthly-plan subscription of the partner's whose contract line the
// test bills as purchased, prorated, with the given timing.
type planted struct {
	tenant *sandbox.Tenant
	sub    *sandbox.Subscription
	timing string
}

// plantAsPurchased picks, in two tenants, the partner's largest running subscription
// on a monthly billing plan, and rewrites the contracts so that its SKU bills the
// seats purchased, prorated: in arrears in the first tenant, in advance in the second.
func plantAsPurchased(t *testing.T, world *sandbox.World) ([]planted, string) {
	t.Helper()
	var picks []planted
	lines := world.Contracts()
	for _, tn := range world.Tenants {
		var best *sandbox.Subscription
		for _, s := range tn.Subscriptions {
			if s.Trial || s.Status != "Enabled" || s.OwnerTenantID != sandbox.PartnerTenantID || s.AppliesTo != "" || s.Seats >= 10000 {
				continue
			}
			for _, l := range lines {
				if l.TenantID == tn.ID && l.SKU == s.PartNumber && l.Term == s.Term && l.BillingPlan == "monthly" && (best == nil || s.Seats > best.Seats) {
					best = s
				}
			}
		}
		if best != nil {
			picks = append(picks, planted{tenant: tn, sub: best, timing: []string{"arrears", "advance"}[len(picks)]})
		}
		if len(picks) == 2 {
			break
		}
	}
	if len(picks) < 2 {
		t.Fatalf("the world has %d tenants with a monthly subscription of the partner's, want 2", len(picks))
	}
	custs := map[string]string{}
	for _, c := range world.Customers() {
		custs[c.TenantID] = c.ExternalRef
	}
	var b strings.Builder
	b.WriteString("customer,sku,term,billing_plan,quantity,unit_price,markup_percent,billing,timing,start,notice_days\n")
	for _, l := range lines {
		quantity, billingRule, timing := fmt.Sprint(l.Quantity), "day 1", "advance"
		for _, p := range picks {
			if p.tenant.ID == l.TenantID && p.sub.PartNumber == l.SKU && p.sub.Term == l.Term {
				quantity, billingRule, timing = "as-purchased", "prorated", p.timing
			}
		}
		fmt.Fprintf(&b, "%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,30\n", l.Customer, l.SKU, l.Term, l.BillingPlan, quantity, l.UnitPrice, l.Markup, billingRule, timing,
			l.Start.Format(time.DateOnly))
	}
	path := filepath.Join(t.TempDir(), "contracts.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return picks, path
}

func showBill(t *testing.T, db, period string) (billed, string) {
	t.Helper()
	out := mustRun(t, "--db", db, "-o", "json", "bill", "show", "--period", period, "--lines")
	var b billed
	if err := json.Unmarshal([]byte(out), &b); err != nil {
		t.Fatalf("bill show %s: %v\n%s", period, err, out)
	}
	return b, out
}

// findLine is the line of a subscription and kind whose days include day.
func findLine(lines []billing.Line, subscription, kind string, day time.Time) *billing.Line {
	for i, l := range lines {
		if l.Source.SubscriptionID == subscription && l.Kind == kind && !day.Before(l.From) && !day.After(l.To) {
			return &lines[i]
		}
	}
	return nil
}

// October of the simulated world, billed and approved; then a late sync shows seats
// added on October 26 in two tenants. November's draft corrects the approved
// October line of the arrears tenant, pointing at it, and adjusts the advance
// tenant's October; the approved October run stays byte for byte as it was.
func TestBillingRunEndToEnd(t *testing.T) {
	lateDay := time.Date(2026, 10, 26, 0, 0, 0, 0, time.UTC)
	eachDatabase(t, func(t *testing.T, db string) {
		world, err := sandbox.Generate(sandbox.Options{Seed: 3, Tenants: 4, Start: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		srv, files := serveWorld(t, world, sandbox.ServerOptions{})
		t.Setenv("SEATLEDGER_PARTNER_TENANT_ID", sandbox.PartnerTenantID)
		picks, contractsFile := plantAsPurchased(t, world)
		sheets, err := world.PriceSheetFiles(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		at := func(ti time.Time) { t.Setenv("SEATLEDGER_NOW", ti.UTC().Format(time.RFC3339)) }
		syncOn := func(day int) {
			for srv.Now().Before(world.Start.AddDate(0, 0, day)) {
				srv.Advance()
			}
			at(srv.Now())
			mustRun(t, "--db", db, "sync", "--all")
		}

		at(srv.Now())
		mustRun(t, "--db", db, "migrate", "up")
		mustRun(t, "--db", db, "customers", "import", files.Customers)
		mustRun(t, "--db", db, "contracts", "import", contractsFile)
		mustRun(t, "--db", db, "catalog", "offers", "--file", files.Offers)
		mustRun(t, append([]string{"--db", db, "prices", "import"}, sheets...)...)
		for _, day := range []int{0, 3, 20} {
			syncOn(day)
		}

		at(time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC))
		out := mustRun(t, "--db", db, "--actor", "finance", "bill", "--period", "2026-10")
		if !strings.Contains(out, "billing run 2026-10 (draft)") || !strings.Contains(out, "TOTAL") {
			t.Errorf("bill 2026-10:\n%s", out)
		}
		mustRun(t, "--db", db, "--actor", "finance", "bill", "approve", "--period", "2026-10")
		october, approvedJSON := showBill(t, db, "2026-10")
		if october.Run.Status != "approved" || october.Run.ApprovedBy != "finance" || len(october.Lines) == 0 {
			t.Fatalf("approved October = %+v", october.Run)
		}
		arrears := findLine(october.Lines, picks[0].sub.ID, billing.KindMonthly, lateDay)
		if arrears == nil || arrears.Unit != billing.PerMonth || arrears.ID == 0 {
			t.Fatalf("no October line of %s (%s) in:\n%s", picks[0].sub.ID, picks[0].sub.PartNumber, approvedJSON)
		}
		code, _, errOut := seatledger(t, "--db", db, "bill", "--period", "2026-10")
		if want := "2026-10 is approved (by finance on 2026-11-01); corrections go into the next period's draft as adjustments"; code == 0 || !strings.Contains(errOut, want) {
			t.Errorf("billing an approved period: exit %d, want %q, stderr:\n%s", code, want, errOut)
		}

		// November's draft before the late sync, for comparison.
		at(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
		mustRun(t, "--db", db, "bill", "--period", "2026-11")
		before, _ := showBill(t, db, "2026-11")
		if before.Corrections != 0 {
			t.Errorf("corrections with an unchanged history: %d", before.Corrections)
		}

		// The late sync: on October 26 each planted subscription had 3 seats more.
		for srv.Now().Before(world.Start.AddDate(0, 0, 25)) {
			srv.Advance()
		}
		for _, p := range picks {
			p.sub.Seats += 3
		}
		syncOn(25)

		// Two processes bill November at once: one run is left.
		at(time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC))
		var wg sync.WaitGroup
		codes := make([]int, 2)
		errs := make([]string, 2)
		for i := range codes {
			wg.Go(func() { codes[i], _, errs[i] = seatledger(t, "--db", db, "bill", "--period", "2026-11") })
		}
		wg.Wait()
		for i, c := range codes {
			if c != 0 {
				t.Fatalf("concurrent bill %d: exit %d\n%s", i, c, errs[i])
			}
		}
		var runs []struct {
			Period string `json:"period"`
			Lines  int    `json:"lines"`
		}
		if err := json.Unmarshal([]byte(mustRun(t, "--db", db, "-o", "json", "bill", "list")), &runs); err != nil {
			t.Fatal(err)
		}
		if len(runs) != 2 || runs[0].Period != "2026-11" || runs[1].Period != "2026-10" {
			t.Fatalf("runs after two concurrent bills: %+v", runs)
		}
		november, _ := showBill(t, db, "2026-11")
		if len(november.Lines) != runs[0].Lines || november.Run.Lines != runs[0].Lines {
			t.Errorf("November has %d lines stored, its run says %d", len(november.Lines), runs[0].Lines)
		}

		// The arrears tenant: October is corrected by 3 seats × 6 days, at October's price.
		c := findLine(november.Lines, picks[0].sub.ID, billing.KindCorrection, lateDay)
		if c == nil {
			t.Fatalf("no correction of %s in November:\n%+v", picks[0].sub.ID, november.Lines)
		}
		// Rounded once as a whole: what October should have been less what it billed.
		should := decimal.NewFromInt(arrears.SeatDays+18).Mul(arrears.UnitPrice).DivRound(decimal.NewFromInt(31), 16).Round(2)
		if c.Corrects != arrears.ID || c.CorrectsPeriod == nil || c.CorrectsPeriod.String() != "2026-10" || c.SeatDays != 18 ||
			c.Amount.String() != should.Sub(arrears.Amount.Decimal).StringFixed(2) {
			t.Errorf("correction = corrects %d (want %d), %d seat-days (want 18), amount %s (want %s − %s)", c.Corrects, arrears.ID, c.SeatDays, c.Amount,
				should.StringFixed(2), arrears.Amount)
		}
		// The advance tenant: October's adjustment grows by the same 18 seat-days.
		adjBefore := findLine(before.Lines, picks[1].sub.ID, billing.KindAdjustment, lateDay)
		adjAfter := findLine(november.Lines, picks[1].sub.ID, billing.KindAdjustment, lateDay)
		var was int64
		if adjBefore != nil {
			was = adjBefore.SeatDays
		}
		if adjAfter == nil || adjAfter.SeatDays-was != 18 {
			t.Errorf("October adjustment of %s: before %v, after %+v", picks[1].sub.ID, adjBefore, adjAfter)
		}

		if _, again := showBill(t, db, "2026-10"); again != approvedJSON {
			t.Errorf("the approved run changed:\nbefore %s\nafter  %s", approvedJSON, again)
		}

		diff := mustRun(t, "--db", db, "bill", "diff", "--period", "2026-11")
		for _, want := range []string{"2026-11 (draft) against 2026-10 (approved)", "seats: ", "new line: correction of line " + fmt.Sprint(arrears.ID),
			"new line: adjustment for 2026-10"} {
			if !strings.Contains(diff, want) {
				t.Errorf("bill diff lacks %q:\n%s", want, diff)
			}
		}
		checkApprovalAudited(t, db)
	})
}

// checkApprovalAudited finds the approval in the audit log, in the actor's name.
func checkApprovalAudited(t *testing.T, db string) {
	t.Helper()
	s, err := store.Open(context.Background(), db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	entries, err := s.AuditLog(context.Background(), 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Action == "bill approve" && e.Subject == "2026-10" && e.Actor == "finance" && e.OSUser != "" {
			return
		}
	}
	t.Errorf("no audit entry of the approval of 2026-10 by finance in %+v", entries)
}
