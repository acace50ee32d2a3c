package main

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/seatledger/seatledger/internal/app"
	"github.com/seatledger/seatledger/internal/billing"
	"github.com/seatledger/seatledger/internal/export"
	"github.com/seatledger/seatledger/internal/i18n"
)

// demoBilling bills last month and approves it, exports it for accounting into dir
// (XLSX, and CSV for Excel in Dutch, German or Italian), reports its margins, then
// drafts this month and reviews the draft against last month.
func demoBilling(ctx context.Context, g *globals, a *app.App, dir string, today time.Time) error {
	w := g.stdout
	this := billing.PeriodOf(today)
	last := this.Prev()
	fmt.Fprintf(w, "\n== billing: %s ==\n", last)
	res, err := a.Bill(ctx, last)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%s drafted: %s, %d not billed (held without a contract line, or unpriced); total %s\n", last,
		i18n.N(len(res.Lines), "line"), len(res.Run.NotBilled), grandTotalText(res.Run.Totals))
	run, err := a.ApproveBill(ctx, last)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%s approved by %s: it never changes again; later differences become corrections in %s\n", last, run.ApprovedBy, this)
	for _, f := range []struct {
		format  export.Format
		profile string
	}{{export.XLSX, ""}, {export.CSV, "excel-eu"}} {
		e, err := a.PrepareExport(ctx, last, f.format, f.profile)
		if err != nil {
			return err
		}
		path, err := writeExport(e, filepath.Join(dir, e.FileName()))
		if err != nil {
			return err
		}
		how := string(f.format)
		if f.profile != "" {
			how += ", profile " + f.profile
		}
		fmt.Fprintf(w, "exported %s (%s)\n", path, how)
	}
	margins, err := a.Margins(ctx, last)
	if err != nil {
		return err
	}
	fmt.Fprintln(w)
	if err := printMargins(g, app.MarginReport{Period: margins.Period, Status: margins.Status, Totals: margins.Totals}); err != nil {
		return err
	}

	fmt.Fprintf(w, "\n== billing: %s, the draft so far, reviewed against %s ==\n", this, last)
	cur, err := a.Bill(ctx, this)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%s drafted: %s, total %s\n", this, i18n.N(len(cur.Lines), "line"), grandTotalText(cur.Run.Totals))
	diff, err := a.DiffBill(ctx, this)
	if err != nil {
		return err
	}
	if err := printBillDiff(g, diff, 10); err != nil {
		return err
	}
	if len(diff.Changes) > 10 {
		fmt.Fprintf(w, "(the first 10 of %d; all with `seatledger bill diff --period %s`)\n", len(diff.Changes), this)
	}
	return nil
}
