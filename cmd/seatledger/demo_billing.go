package main

import (
	"cmp"
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"time"

	"github.com/seatledger/seatledger/internal/app"
	"github.com/seatledger/seatledger/internal/billing"
	"github.com/seatledger/seatledger/internal/export"
	"github.com/seatledger/seatledger/internal/i18n"
	"github.com/seatledger/seatledger/internal/invoice"
	"github.com/seatledger/seatledger/internal/privfile"
	"github.com/seatledger/seatledger/internal/sandbox"
)

// demoBilling bills last month and approves it, exports it for accounting into dir
// (XLSX, and CSV for Excel in Dutch, German or Italian), reports its margins, then
// drafts this month and reviews the draft against last month.
func demoBilling(ctx context.Context, g *globals, a *app.App, world *sandbox.World, dir string, today time.Time) error {
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

	if err := demoInvoice(ctx, g, a, world, dir, this); err != nil {
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

// demoInvoice checks the simulated cloud's invoice of a month, with the differences it
// planted, as `reconcile invoice` does, and prints the totals and the differences.
func demoInvoice(ctx context.Context, g *globals, a *app.App, world *sandbox.World, dir string, p billing.Period) error {
	w := g.stdout
	data, planted := world.InvoiceCSV(p.First())
	path, err := privfile.Write(dir, "sandbox-invoice-"+p.String()+".csv", data)
	if err != nil {
		return err
	}
	items, err := invoice.ParseFile(path)
	if err != nil {
		return err
	}
	rep, err := a.CheckInvoice(ctx, items)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\n== Microsoft's invoice of %s so far, checked: %s ==\n", p, path)
	fmt.Fprintf(w, "the simulated cloud planted %d differences; seatledger's seat history begins with its first sync, so a change of\n"+
		"seats before it shows as a difference too\n", len(planted))
	out := invoiceOutputOf(rep)
	out.Totals = invoiceGrandTotals(out.Totals)
	return printInvoice(g, out)
}

// invoiceGrandTotals sums the per-customer totals per currency.
func invoiceGrandTotals(totals []invoiceTotal) []invoiceTotal {
	var out []invoiceTotal
	for _, t := range totals {
		i := slices.IndexFunc(out, func(o invoiceTotal) bool { return o.Currency == t.Currency })
		if i < 0 {
			out = append(out, invoiceTotal{Customer: "TOTAL", Currency: t.Currency})
			i = len(out) - 1
		}
		out[i].Lines += t.Lines
		out[i].Microsoft = out[i].Microsoft.Add(t.Microsoft)
		out[i].Expected = out[i].Expected.Add(t.Expected)
		out[i].Difference = out[i].Difference.Add(t.Difference)
	}
	slices.SortFunc(out, func(x, y invoiceTotal) int { return cmp.Compare(x.Currency, y.Currency) })
	return out
}
