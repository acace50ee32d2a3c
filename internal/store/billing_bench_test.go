package store_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/seatledger/seatledger/internal/app"
	"github.com/seatledger/seatledger/internal/billing"
	"github.com/seatledger/seatledger/internal/contracts"
	"github.com/seatledger/seatledger/internal/customers"
	"github.com/seatledger/seatledger/internal/store"
	"github.com/seatledger/seatledger/internal/store/storetest"
)

// benchSKUs are five paid SKUs of the built-in catalogue: SPE_E3, SPB,
// EXCHANGESTANDARD, POWER_BI_PRO and O365_BUSINESS_PREMIUM.
var benchSKUs = []string{e3, "cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46", "4b9405b0-7788-4568-add1-99614e613b69",
	"f8a1db68-be16-40ed-86d5-cb42ce701560", "f245ecc8-75af-4f8e-b61f-27d8114de5f3"}

// insertRows writes rows with multi-row INSERTs of up to 1,000 rows.
func insertRows(b *testing.B, s *store.Store, table string, cols []string, rows [][]any) {
	b.Helper()
	db := s.DB()
	for start := 0; start < len(rows); start += 1000 {
		batch := rows[start:min(start+1000, len(rows))]
		var sql strings.Builder
		args := make([]any, 0, len(batch)*len(cols))
		fmt.Fprintf(&sql, "INSERT INTO %s (%s) VALUES ", table, strings.Join(cols, ", "))
		for i, r := range batch {
			if i > 0 {
				sql.WriteByte(',')
			}
			sql.WriteByte('(')
			for j := range r {
				if j > 0 {
					sql.WriteByte(',')
				}
				sql.WriteByte('?')
			}
			sql.WriteByte(')')
			args = append(args, r...)
		}
		if err := db.Exec(sql.String(), args...).Error; err != nil {
			b.Fatalf("insert into %s: %v", table, err)
		}
	}
}

// BenchmarkBillingRun bills November 2026 for SEATLEDGER_BENCH_CUSTOMERS customers
// (10,000) with five contract lines each — seats purchased, prorated, in advance —
// and a subscription and licence pool per line whose seats change on October 15
// (October's adjustment) and on November 10 and 20.
func BenchmarkBillingRun(b *testing.B) {
	n := 10000
	if v := os.Getenv("SEATLEDGER_BENCH_CUSTOMERS"); v != "" {
		n, _ = strconv.Atoi(v)
	}
	s := storetest.Postgres(b)
	ctx := context.Background()
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	list := make([]customers.Customer, n)
	var lines []contracts.Line
	var subs, subHistory, poolHistory [][]any
	tenantOf := func(i int) string { return fmt.Sprintf("%08x-0000-4000-8000-%012x", i+1, i+1) }
	for i := range n {
		t := tenantOf(i)
		list[i] = customers.Customer{TenantID: t, Name: fmt.Sprintf("Customer %05d", i), Currency: "EUR", Locale: "nl", Market: "NL"}
		for j, sku := range benchSKUs {
			price := decimal.New(int64(500+100*j), -2)
			lines = append(lines, contracts.Line{TenantID: t, SKUID: sku, Term: "P1M", BillingPlan: "monthly", AsPurchased: true, UnitPrice: &price,
				Policy: contracts.PolicyProrated, Timing: contracts.TimingAdvance, Start: start, NoticeDays: 30, SourceLine: j + 2})
			id := fmt.Sprintf("%08x-%04x-4000-8000-000000000000", i+1, j+1)
			seats := 5 + (i+j)%40
			next := time.Date(2026, 12, 15, 0, 0, 0, 0, time.UTC)
			subs = append(subs, []any{t, id, "", sku, "SKU" + strconv.Itoa(j), "Enabled", seats + 1, false, start.AddDate(0, 0, 14), next, "partner", "Partner"})
			steps := []struct {
				from   time.Time
				to     any
				change int
			}{
				{time.Date(2026, 8, 20, 6, 0, 0, 0, time.UTC), time.Date(2026, 10, 15, 6, 0, 0, 0, time.UTC), 0},
				{time.Date(2026, 10, 15, 6, 0, 0, 0, time.UTC), time.Date(2026, 11, 10, 6, 0, 0, 0, time.UTC), 1},
				{time.Date(2026, 11, 10, 6, 0, 0, 0, time.UTC), time.Date(2026, 11, 20, 6, 0, 0, 0, time.UTC), 2},
				{time.Date(2026, 11, 20, 6, 0, 0, 0, time.UTC), nil, 1},
			}
			for _, st := range steps {
				subHistory = append(subHistory, []any{t, id, sku, st.from, st.to, "Enabled", seats + st.change})
				poolHistory = append(poolHistory, []any{t, sku, st.from, st.to, seats + st.change, 0, 0, 0, seats + st.change - 1})
			}
		}
	}
	if _, err := s.ImportCustomers(ctx, list, "bench", "bench"); err != nil {
		b.Fatal(err)
	}
	if _, err := s.ReplaceContracts(ctx, lines, "bench", "bench.csv"); err != nil {
		b.Fatal(err)
	}
	insertRows(b, s, "subscriptions", []string{"tenant_id", "subscription_id", "commerce_id", "sku_id", "part_number", "status", "total_licenses",
		"is_trial", "created_at", "next_lifecycle_at", "owner_tenant_id", "owner_type"}, subs)
	insertRows(b, s, "subscription_history", []string{"tenant_id", "subscription_id", "sku_id", "valid_from", "valid_to", "status", "total_licenses"}, subHistory)
	insertRows(b, s, "licence_pool_history", []string{"tenant_id", "sku_id", "valid_from", "valid_to", "enabled", "warning", "suspended", "locked_out",
		"consumed"}, poolHistory)

	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	a := &app.App{Store: s, Log: slog.New(slog.NewTextHandler(benchLog(), &slog.HandlerOptions{Level: slog.LevelDebug})), Actor: "bench", Now: func() time.Time { return now }}
	p := billing.Period{Year: 2026, Month: 11}
	b.ResetTimer()
	// The machine is shared: the process's CPU time (user and system, every core)
	// says what the run cost when the wall time is stretched by others' work.
	cpu := cpuTime(b)
	for b.Loop() {
		res, err := a.Bill(ctx, p)
		if err != nil {
			b.Fatal(err)
		}
		// Per contract line: November split at the monthly renewal on the 15th (each
		// term has its own price lock), and October's adjustment from the 15th.
		if len(res.Lines) != 15*n {
			b.Fatalf("%d lines for %d customers", len(res.Lines), n)
		}
		b.ReportMetric(float64(len(res.Lines)), "lines")
	}
	b.ReportMetric((cpuTime(b)-cpu).Seconds()/float64(b.N), "cpu-s/op")
}

// cpuTime is the CPU time the process has used so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchLog is where the run's phase timings go: stderr with -v, else nowhere.
func benchLog() io.Writer {
	if testing.Verbose() {
		return os.Stderr
	}
	return io.Discard
}
