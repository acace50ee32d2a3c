package export

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seatledger/seatledger/internal/billing"
)

// synthetic is a run of n lines: customers of 5 lines each, EUR and GBP in turn,
// every tenth line a credit and every seventh without a cost.
func synthetic(n int) Run {
	nov := billing.Period{Year: 2026, Month: time.November}
	lines := make([]billing.Line, n)
	ids := make([]string, n)
	customers := map[string]Customer{}
	for i := range lines {
		c := i / 5
		tenant := fmt.Sprintf("00000000-0000-4000-8000-%012d", c)
		currency := []string{"EUR", "GBP"}[c%2]
		qty, unit := int64(1+i%40), dec(strconv.Itoa(10+i%30)+".40")
		if i%10 == 9 {
			qty = -qty
		}
		amount := dec(strconv.FormatInt(qty, 10)).Mul(unit)
		l := billing.Line{TenantID: tenant, Customer: fmt.Sprintf("Customer %d B.V.", c), Currency: currency, Period: nov,
			From: nov.First(), To: nov.Last(), Kind: billing.KindMonthly, SKUID: e3, PartNumber: "SPE_E3", Term: "P1Y", BillingPlan: "monthly",
			Quantity: dec(strconv.FormatInt(qty, 10)), Unit: billing.PerMonth, UnitPrice: unit, Amount: billing.Money{Decimal: amount},
			Source: billing.Provenance{ContractLine: 2 + i%5, SubscriptionID: fmt.Sprintf("sub-%d", i), PartnerCenterID: fmt.Sprintf("pc-%d", i)}}
		if i%7 != 0 {
			cost := amount.Mul(dec("0.85")).Round(2)
			l.Cost, l.Margin = &billing.Money{Decimal: cost}, &billing.Money{Decimal: amount.Sub(cost)}
		}
		lines[i], ids[i] = l, fmt.Sprintf("line-%d", i)
		customers[tenant] = Customer{ExternalRef: fmt.Sprintf("DEB-%05d", c)}
	}
	return Run{Run: billing.Run{Period: nov, Lines: lines}, Status: StatusApproved, RunID: "run-bench", LineIDs: ids,
		Customers: customers, SKUNames: map[string]string{e3: "Microsoft 365 E3"}}
}

// countingWriter counts the bytes of the file and throws them away.
type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

// heapPeak samples the heap every millisecond until stop is called, which returns
// the highest seen: of the heap's objects, garbage not yet collected included, and
// of the heap found live by a collection.
func heapPeak() (stop func() (heap, live uint64)) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/live:bytes"}}
	done, peak, peakLive := make(chan struct{}), uint64(0), uint64(0)
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			peak, peakLive = max(peak, sample[0].Value.Uint64()), max(peakLive, sample[1].Value.Uint64())
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	return func() (uint64, uint64) { close(done); wg.Wait(); return peak, peakLive }
}

// vmHWM is the process's peak resident set (Linux), in bytes; 0 elsewhere.
func vmHWM() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
			return kb * 1024
		}
	}
	return 0
}

// BenchmarkXLSXExport writes the XLSX of 10,000 and 50,000 lines (make
// bench-export runs each size in a process of its own, so that peak RSS is that
// size's). It reports, besides time and allocations, the heap the run itself holds,
// the heap's peak growth while exporting (all objects, and those a collection found live), the file's size and the process's peak RSS.
func BenchmarkXLSXExport(b *testing.B) {
	for _, n := range []int{10_000, 50_000} {
		b.Run(fmt.Sprintf("lines=%d", n), func(b *testing.B) {
			var ms runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&ms)
			before := ms.HeapAlloc
			run := synthetic(n)
			runtime.GC()
			runtime.ReadMemStats(&ms)
			input, base := ms.HeapAlloc-before, ms.HeapAlloc
			baseLive := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
			metrics.Read(baseLive)
			var w countingWriter
			b.ReportAllocs()
			b.ResetTimer()
			stop := heapPeak()
			for b.Loop() {
				w.n = 0
				if err := Write(&w, run, XLSX, Profile{}); err != nil {
					b.Fatal(err)
				}
			}
			peak, peakLive := stop()
			b.StopTimer()
			b.ReportMetric(float64(input)/(1<<20), "run-heap-MiB")
			b.ReportMetric(float64(peak-min(peak, base))/(1<<20), "peak-heap-growth-MiB")
			b.ReportMetric(float64(peakLive-min(peakLive, baseLive[0].Value.Uint64()))/(1<<20), "peak-live-growth-MiB")
			b.ReportMetric(float64(w.n)/(1<<20), "file-MiB")
			b.ReportMetric(vmHWM()/(1<<20), "peak-RSS-MiB")
		})
	}
}
