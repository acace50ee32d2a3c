package main

import (
	"cmp"
	"strconv"

	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"github.com/seatledger/seatledger/internal/app"
	"github.com/seatledger/seatledger/internal/billing"
	"github.com/seatledger/seatledger/internal/csvout"
)

func newReportCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Reports over the stored billing runs",
	}
	cmd.AddCommand(newReportMarginCmd(g))
	return cmd
}

func newReportMarginCmd(g *globals) *cobra.Command {
	return periodCmd(g, &cobra.Command{
		Use:   "margin --period YYYY-MM",
		Short: "A month's seats, amount, cost and margin per customer and SKU, in each customer's currency",
		Long: "Sums the month's stored run per customer and SKU (part number), per customer and per currency:\n" +
			"seats (the lines' quantities), amount, the partner's cost, margin and margin %. Sums are of the\n" +
			"lines' rounded amounts. Lines whose cost is unknown (no price-list row gave it) are counted in\n" +
			"COST UNKNOWN and left out of cost, margin and margin %; where no line's cost is known, they show \"?\".",
		Annotations: map[string]string{csvOutput: "yes"},
	}, "reported", func(cmd *cobra.Command, a *app.App, p billing.Period) error {
		r, err := a.Margins(cmd.Context(), p)
		if err != nil {
			return err
		}
		return printMargins(g, r)
	})
}

func printMargins(g *globals, r app.MarginReport) error {
	switch g.output {
	case "json":
		return writeJSON(g.stdout, r)
	case "csv":
		w := csvout.NewWriter(g.stdout)
		_ = w.Write("period", "status", "level", "customer", "tenant_id", "currency", "sku_part_number", "lines", "seats", "amount", "cost", "margin",
			"margin_percent", "lines_cost_unknown", "amount_cost_unknown")
		for _, level := range []struct {
			name string
			rows []app.MarginRow
		}{{"sku", r.Rows}, {"customer", r.Customers}, {"currency", r.Totals}} {
			for _, m := range level.rows {
				_ = w.Write(r.Period, r.Status, level.name, m.Customer, m.TenantID, m.Currency, m.PartNumber, strconv.Itoa(m.Lines), m.Seats.String(),
					m.Amount.String(), moneyOrEmpty(m.Cost), moneyOrEmpty(m.Margin), percentOrEmpty(m.MarginPercent), strconv.Itoa(m.CostUnknown),
					m.AmountCostUnknown.String())
			}
		}
		return w.Flush()
	}
	textf(g.stdout, "margin report %s (%s)\n\n", r.Period, r.Status)
	t := newTable(g.stdout, "CUSTOMER", "SKU", "CURRENCY", "SEATS", "AMOUNT", "COST", "MARGIN", "MARGIN %", "COST UNKNOWN")
	row := func(customer, sku string, m app.MarginRow) {
		unknown := "-"
		if m.CostUnknown > 0 {
			unknown = strconv.Itoa(m.CostUnknown) + " lines, " + m.AmountCostUnknown.String()
		}
		t.row(customer, sku, m.Currency, m.Seats.String(), m.Amount.String(), cmp.Or(moneyOrEmpty(m.Cost), "?"), cmp.Or(moneyOrEmpty(m.Margin), "?"),
			cmp.Or(percentOrEmpty(m.MarginPercent), "?"), unknown)
	}
	// Each customer's SKUs, then the customer's total, in the report's order.
	next := 0
	for _, c := range r.Customers {
		for ; next < len(r.Rows) && r.Rows[next].TenantID == c.TenantID && r.Rows[next].Currency == c.Currency; next++ {
			row(c.Customer, r.Rows[next].PartNumber, r.Rows[next])
		}
		row(c.Customer, "TOTAL", c)
	}
	for _, m := range r.Totals {
		row("TOTAL", "", m)
	}
	return t.flush()
}

func moneyOrEmpty(m *billing.Money) string {
	if m == nil {
		return ""
	}
	return m.String()
}

func percentOrEmpty(d *decimal.Decimal) string {
	if d == nil {
		return ""
	}
	return d.StringFixed(2)
}
