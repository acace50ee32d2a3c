package main

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/seatledger/seatledger/internal/app"
	"github.com/seatledger/seatledger/internal/billing"
	"github.com/seatledger/seatledger/internal/csvout"
)

func newBillCmd(g *globals) *cobra.Command {
	var lines bool
	cmd := periodCmd(g, &cobra.Command{
		Use:   "bill --period YYYY-MM [--lines]",
		Short: "Work out a month's billing and store it as the month's draft, replacing an earlier draft",
		Long: "Bills every customer for the month from the contracts, the seat history and the price lists,\n" +
			"and stores the result as the month's draft run (an earlier draft is replaced; an approved month\n" +
			"is refused). When last month is approved, what the history now says for it and what was approved\n" +
			"are compared, and differences go into this draft as correction lines. Prints the totals per\n" +
			"customer and the grand total per currency; --lines prints every line.",
		Annotations: map[string]string{csvOutput: "yes"},
	}, "billed", func(cmd *cobra.Command, a *app.App, p billing.Period) error {
		res, err := a.Bill(cmd.Context(), p)
		if err != nil {
			return err
		}
		return printBill(g, res, lines)
	})
	cmd.Flags().BoolVar(&lines, "lines", false, "print every line, not only the totals")
	cmd.AddCommand(newBillShowCmd(g), newBillDiffCmd(g), newBillApproveCmd(g), newBillListCmd(g))
	return cmd
}

// periodCmd gives cmd the required --period flag ("the month <what>, as YYYY-MM") and
// runs run with the month parsed, in the application, once the flags are read.
func periodCmd(g *globals, cmd *cobra.Command, what string, run func(cmd *cobra.Command, a *app.App, p billing.Period) error) *cobra.Command {
	var period string
	cmd.Args = cobra.NoArgs
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		p, err := app.ParsePeriod(period)
		if err != nil {
			return err
		}
		return g.withApp(cmd, false, func(a *app.App) error { return run(cmd, a, p) })
	}
	cmd.Flags().StringVar(&period, "period", "", "the month "+what+", as YYYY-MM (required)")
	_ = cmd.MarkFlagRequired("period")
	return cmd
}

func newBillShowCmd(g *globals) *cobra.Command {
	var lines bool
	cmd := periodCmd(g, &cobra.Command{
		Use:         "show --period YYYY-MM [--lines]",
		Short:       "Show a month's stored run, as it was stored",
		Annotations: map[string]string{csvOutput: "yes"},
	}, "shown", func(cmd *cobra.Command, a *app.App, p billing.Period) error {
		res, err := a.StoredBill(cmd.Context(), p)
		if err != nil {
			return err
		}
		return printBill(g, res, lines)
	})
	cmd.Flags().BoolVar(&lines, "lines", false, "print every line, not only the totals")
	return cmd
}

func newBillDiffCmd(g *globals) *cobra.Command {
	return periodCmd(g, &cobra.Command{
		Use:         "diff --period YYYY-MM",
		Short:       "What changed in a month's run against last month's, line by line, and why",
		Annotations: map[string]string{csvOutput: "yes"},
	}, "reviewed", func(cmd *cobra.Command, a *app.App, p billing.Period) error {
		d, err := a.DiffBill(cmd.Context(), p)
		if err != nil {
			return err
		}
		return printBillDiff(g, d, 0)
	})
}

func newBillApproveCmd(g *globals) *cobra.Command {
	return periodCmd(g, &cobra.Command{
		Use:   "approve --period YYYY-MM",
		Short: "Approve a month's draft: it never changes again; later corrections go into the next month's draft",
	}, "approved", func(cmd *cobra.Command, a *app.App, p billing.Period) error {
		r, err := a.ApproveBill(cmd.Context(), p)
		if err != nil {
			return err
		}
		if g.output == "json" {
			return writeJSON(g.stdout, r)
		}
		textf(g.stdout, "%s approved by %s on %s: %d lines, %s\n", r.Period, r.ApprovedBy, r.ApprovedAt.Format(time.RFC3339), r.Lines, grandTotalText(r.Totals))
		return nil
	})
}

func newBillListCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:         "list",
		Short:       "List the stored runs with their status and totals, newest month first",
		Annotations: map[string]string{csvOutput: "yes"},
		Args:        cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.withApp(cmd, false, func(a *app.App) error {
				runs, err := a.BillRuns(cmd.Context())
				if err != nil {
					return err
				}
				switch g.output {
				case "json":
					return writeJSON(g.stdout, runs)
				case "csv":
					w := csvout.NewWriter(g.stdout)
					_ = w.Write("period", "status", "lines", "created_at", "created_by", "approved_at", "approved_by", "currency", "amount", "cost", "margin")
					for _, r := range runs {
						approved := ""
						if r.ApprovedAt != nil {
							approved = r.ApprovedAt.Format(time.RFC3339)
						}
						for _, t := range grandTotals(r.Totals) {
							_ = w.Write(r.Period, r.Status, strconv.Itoa(r.Lines), r.CreatedAt.Format(time.RFC3339), r.CreatedBy, approved, r.ApprovedBy,
								t.Currency, t.Amount.String(), t.Cost.String(), t.Margin.String())
						}
					}
					return w.Flush()
				}
				t := newTable(g.stdout, "PERIOD", "STATUS", "LINES", "CREATED", "BY", "APPROVED", "BY", "TOTAL")
				for _, r := range runs {
					approved := "-"
					if r.ApprovedAt != nil {
						approved = r.ApprovedAt.Format(time.DateOnly)
					}
					t.row(r.Period, r.Status, strconv.Itoa(r.Lines), r.CreatedAt.Format(time.DateOnly), r.CreatedBy, approved, cmp.Or(r.ApprovedBy, "-"),
						grandTotalText(r.Totals))
				}
				return t.flush()
			})
		},
	}
}

// grandTotals sums customers' totals per currency, in currency order.
func grandTotals(totals []billing.Total) []billing.Total {
	by := map[string]*billing.Total{}
	for _, t := range totals {
		g := by[t.Currency]
		if g == nil {
			g = &billing.Total{Currency: t.Currency, Amount: billing.Zero(t.Amount.Places()), Cost: billing.Zero(t.Amount.Places()),
				Margin: billing.Zero(t.Amount.Places())}
			by[t.Currency] = g
		}
		g.Lines += t.Lines
		g.Amount, g.Cost, g.Margin = g.Amount.Add(t.Amount), g.Cost.Add(t.Cost), g.Margin.Add(t.Margin)
		g.CostUnknown += t.CostUnknown
	}
	out := make([]billing.Total, 0, len(by))
	for _, t := range by {
		out = append(out, *t)
	}
	slices.SortFunc(out, func(x, y billing.Total) int { return cmp.Compare(x.Currency, y.Currency) })
	return out
}

func grandTotalText(totals []billing.Total) string {
	var parts []string
	for _, t := range grandTotals(totals) {
		parts = append(parts, t.Currency+" "+t.Amount.String())
	}
	if len(parts) == 0 {
		return "nothing billed"
	}
	return strings.Join(parts, ", ")
}

func printBill(g *globals, res app.BillResult, withLines bool) error {
	switch g.output {
	case "json":
		if !withLines {
			res.Lines = nil
		}
		return writeJSON(g.stdout, res)
	case "csv":
		if withLines {
			return writeBillLinesCSV(g.stdout, res.Lines)
		}
		w := csvout.NewWriter(g.stdout)
		_ = w.Write("period", "status", "customer", "tenant_id", "currency", "lines", "amount", "cost", "margin", "lines_cost_unknown")
		for _, t := range res.Run.Totals {
			_ = w.Write(res.Run.Period, res.Run.Status, t.Customer, t.TenantID, t.Currency, strconv.Itoa(t.Lines), t.Amount.String(), t.Cost.String(),
				t.Margin.String(), strconv.Itoa(t.CostUnknown))
		}
		return w.Flush()
	}
	r := res.Run
	status := r.Status
	if r.ApprovedAt != nil {
		status += " by " + r.ApprovedBy + " on " + r.ApprovedAt.Format(time.DateOnly)
	}
	textf(g.stdout, "billing run %s (%s): %d lines, stored %s by %s\n", r.Period, status, r.Lines, r.CreatedAt.Format(time.RFC3339), r.CreatedBy)
	if res.Corrections > 0 {
		textf(g.stdout, "%d correction lines of the approved run of %s\n", res.Corrections, res.Corrects)
	}
	if withLines {
		fmt.Fprintln(g.stdout)
		t := newTable(g.stdout, "ID", "CUSTOMER", "SKU", "KIND", "FROM", "TO", "QUANTITY", "UNIT", "UNIT PRICE", "AMOUNT", "COST", "MARGIN", "CORRECTS")
		for _, l := range res.Lines {
			corrects := ""
			if l.Corrects != 0 {
				corrects = strconv.FormatInt(l.Corrects, 10)
			}
			t.row(strconv.FormatInt(l.ID, 10), l.Customer, l.PartNumber, l.Kind, l.From.Format(time.DateOnly), l.To.Format(time.DateOnly),
				l.Quantity.StringFixed(6), l.Unit, l.UnitPrice.StringFixed(6), l.Currency+" "+l.Amount.String(), moneyOrDash(l.Cost), moneyOrDash(l.Margin), corrects)
		}
		if err := t.flush(); err != nil {
			return err
		}
	}
	fmt.Fprintln(g.stdout)
	t := newTable(g.stdout, "CUSTOMER", "CURRENCY", "LINES", "AMOUNT", "COST", "MARGIN", "COST UNKNOWN")
	for _, c := range r.Totals {
		t.row(c.Customer, c.Currency, strconv.Itoa(c.Lines), c.Amount.String(), c.Cost.String(), c.Margin.String(), strconv.Itoa(c.CostUnknown))
	}
	for _, c := range grandTotals(r.Totals) {
		t.row("TOTAL", c.Currency, strconv.Itoa(c.Lines), c.Amount.String(), c.Cost.String(), c.Margin.String(), strconv.Itoa(c.CostUnknown))
	}
	if err := t.flush(); err != nil {
		return err
	}
	if len(r.NotBilled) > 0 {
		textf(g.stdout, "\nnot billed (%d):\n", len(r.NotBilled))
		t := newTable(g.stdout, "CUSTOMER", "SKU", "SUBSCRIPTION", "SEAT-DAYS", "WHY")
		for _, n := range r.NotBilled {
			t.row(n.Customer, n.PartNumber, cmp.Or(n.SubscriptionID, "-"), strconv.FormatInt(n.SeatDays, 10), n.Reason)
		}
		return t.flush()
	}
	return nil
}

func moneyOrDash(m *billing.Money) string {
	if m == nil {
		return "-"
	}
	return m.String()
}

func writeBillLinesCSV(w io.Writer, lines []billing.Line) error {
	cw := csvout.NewWriter(w)
	_ = cw.Write("id", "period", "customer", "tenant_id", "sku", "sku_part_number", "term", "billing_plan", "kind", "from", "to", "quantity", "unit",
		"unit_price", "amount", "cost", "margin", "currency", "contract_line", "subscription_id", "partner_center_id", "price_source", "corrects", "counting")
	for _, l := range lines {
		cost, margin := "", ""
		if l.Cost != nil {
			cost, margin = l.Cost.String(), l.Margin.String()
		}
		price, corrects := "", ""
		if l.Source.Price != nil {
			price = l.Source.Price.Source
		}
		if l.Corrects != 0 {
			corrects = strconv.FormatInt(l.Corrects, 10)
		}
		_ = cw.Write(strconv.FormatInt(l.ID, 10), l.Period.String(), l.Customer, l.TenantID, l.SKUID, l.PartNumber, l.Term, l.BillingPlan, l.Kind,
			l.From.Format(time.DateOnly), l.To.Format(time.DateOnly), l.Quantity.StringFixed(6), l.Unit, l.UnitPrice.StringFixed(6), l.Amount.String(),
			cost, margin, l.Currency, strconv.Itoa(l.Source.ContractLine), l.Source.SubscriptionID, l.Source.PartnerCenterID, price, corrects, l.Source.Counting)
	}
	return cw.Flush()
}

func figuresText(f *billing.Figures, currency string) string {
	if f == nil {
		return "-"
	}
	return fmt.Sprintf("%s × %s = %s %s", f.Quantity.StringFixed(2), f.UnitPrice.StringFixed(2), currency, f.Amount)
}

// printBillDiff writes the review of a run against the previous month's; text output
// shows the first limit changes (all when limit is 0) after the count of them all.
func printBillDiff(g *globals, d app.BillDiff, limit int) error {
	switch g.output {
	case "json":
		return writeJSON(g.stdout, d)
	case "csv":
		w := csvout.NewWriter(g.stdout)
		_ = w.Write("period", "customer", "tenant_id", "sku_part_number", "term", "subscription_id", "kind", "currency", "quantity_before", "quantity_after",
			"amount_before", "amount_after", "amount_change", "reasons")
		for _, c := range d.Changes {
			qb, qa, ab, aa := "", "", "", ""
			if c.Before != nil {
				qb, ab = c.Before.Quantity.StringFixed(6), c.Before.Amount.String()
			}
			if c.After != nil {
				qa, aa = c.After.Quantity.StringFixed(6), c.After.Amount.String()
			}
			_ = w.Write(d.Period, c.Customer, c.TenantID, c.PartNumber, c.Term, c.SubscriptionID, c.Kind, c.Currency, qb, qa, ab, aa, c.AmountChange.String(),
				strings.Join(c.Reasons, "; "))
		}
		return w.Flush()
	}
	against := d.Previous + " (no run)"
	if d.PreviousStatus != "" {
		against = d.Previous + " (" + d.PreviousStatus + ")"
	}
	textf(g.stdout, "%s (%s) against %s: %d lines changed\n", d.Period, d.Status, against, len(d.Changes))
	if len(d.Changes) == 0 {
		return nil
	}
	shown := d.Changes
	if limit > 0 {
		shown = shown[:min(limit, len(shown))]
	}
	t := newTable(g.stdout, "CUSTOMER", "SKU", "SUBSCRIPTION", "KIND", "BEFORE", "AFTER", "CHANGE", "WHY")
	for _, c := range shown {
		t.row(c.Customer, c.PartNumber, cmp.Or(c.SubscriptionID, "-"), c.Kind, figuresText(c.Before, c.Currency), figuresText(c.After, c.Currency),
			c.Currency+" "+c.AmountChange.String(), strings.Join(c.Reasons, "; "))
	}
	return t.flush()
}
