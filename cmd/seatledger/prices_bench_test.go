package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/seatledger/seatledger/internal/store/storetest"
)

// writePriceList writes a price list of n rows shaped like Partner Center's: offers
// in ten markets, each with five term and billing plan combinations.
func writePriceList(b *testing.B, path string, n int) {
	b.Helper()
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, `"ProductTitle","ProductId","SkuId","SkuTitle","Publisher","SkuDescription","UnitOfMeasure","TermDuration","BillingPlan","Market","Currency","UnitPrice","PricingTierRangeMin","PricingTierRangeMax","EffectiveStartDate","EffectiveEndDate","Tags","ERP Price`+"\u201c")
	markets := [][2]string{{"NL", "EUR"}, {"DE", "EUR"}, {"IT", "EUR"}, {"HR", "EUR"}, {"FR", "EUR"}, {"GB", "GBP"}, {"CH", "CHF"}, {"DK", "DKK"}, {"NO", "NOK"}, {"SE", "SEK"}}
	terms := [][2]string{{"P1M", "Monthly"}, {"P1Y", "Annual"}, {"P1Y", "Monthly"}, {"P3Y", "Annual"}, {"P3Y", "Triennial"}}
	for i := 0; i < n; i++ {
		offer, rest := i/(len(markets)*len(terms)), i%(len(markets)*len(terms))
		m, t := markets[rest/len(terms)], terms[rest%len(terms)]
		price := strconv.Itoa(10+offer%500) + "." + fmt.Sprintf("%02d", offer%100)
		fmt.Fprintf(w, "\"Product %d\",\"CFQ7TTC%05d\",\"0001\",\"Product %d\",\"Microsoft Corporation\",\"A product for the benchmark.\",\"\",\"%s\",\"%s\",\"%s\",\"%s\",\"%s\",\"\",\"\",\"4/1/2023 12:00:00 AM\",\"12/31/9999 11:59:59 PM\",\"License\",\"%s\"\n",
			offer, offer, offer, t[0], t[1], m[0], m[1], price, price)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
}

// peakRSS reads the process's peak resident memory in MB; resetPeakRSS starts a new
// peak (Linux: clear_refs 5).
func peakRSS(b *testing.B) float64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Skipf("no /proc: %v", err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return float64(kb) / 1024
		}
	}
	return 0
}

// cpuTime is the CPU time the process has used, user and system: on a shared machine
// it tells the import's own cost from the wait for the processor.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func resetPeakRSS(b *testing.B) {
	debug.FreeOSMemory()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Logf("cannot reset the peak RSS (%v): it includes what ran before", err)
	}
}

// BenchmarkImportPrices200k imports a 200,000-row price list into PostgreSQL, then the
// same file again, which must write no price rows. make bench-prices runs it.
func BenchmarkImportPrices200k(b *testing.B) {
	b.Setenv("SEATLEDGER_CONFIG", "")
	const rows = 200_000
	path := filepath.Join(b.TempDir(), "prices.csv")
	writePriceList(b, path, rows)
	st, _ := os.Stat(path)
	for range b.N {
		db := storetest.PostgresURL(b)
		ctx := context.Background()
		var out, errOut bytes.Buffer
		if code := run(ctx, []string{"--db", db, "migrate", "up"}, &out, &errOut); code != 0 {
			b.Fatalf("migrate: %s%s", out.String(), errOut.String())
		}
		resetPeakRSS(b)
		start, cpu := time.Now(), cpuTime(b)
		out.Reset()
		if code := run(ctx, []string{"--db", db, "prices", "import", path}, &out, &errOut); code != 0 {
			b.Fatalf("import: %s%s", out.String(), errOut.String())
		}
		first, firstRSS, firstCPU := time.Since(start), peakRSS(b), cpuTime(b)-cpu
		if !strings.Contains(out.String(), fmt.Sprintf("%d prices read, %d written", rows, rows)) {
			b.Fatalf("first import: %s", out.String())
		}
		resetPeakRSS(b)
		start, cpu = time.Now(), cpuTime(b)
		out.Reset()
		if code := run(ctx, []string{"--db", db, "prices", "import", path}, &out, &errOut); code != 0 {
			b.Fatalf("re-import: %s%s", out.String(), errOut.String())
		}
		again, againRSS, againCPU := time.Since(start), peakRSS(b), cpuTime(b)-cpu
		if !strings.Contains(out.String(), "0 written") {
			b.Fatalf("re-import wrote prices: %s", out.String())
		}
		b.Logf("%d rows, %.1f MB file: import %.2f s (CPU %.2f s), peak RSS %.0f MB; unchanged re-import %.2f s (CPU %.2f s), peak RSS %.0f MB, 0 rows written",
			rows, float64(st.Size())/(1<<20), first.Seconds(), firstCPU.Seconds(), firstRSS, again.Seconds(), againCPU.Seconds(), againRSS)
		b.ReportMetric(first.Seconds(), "import-s")
		b.ReportMetric(firstRSS, "import-peak-MB")
		b.ReportMetric(again.Seconds(), "reimport-s")
		b.ReportMetric(againRSS, "reimport-peak-MB")
		b.ReportMetric(firstCPU.Seconds(), "import-cpu-s")
		b.ReportMetric(againCPU.Seconds(), "reimport-cpu-s")
	}
}
