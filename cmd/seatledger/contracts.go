package main

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/seatledger/seatledger/internal/app"
	"github.com/seatledger/seatledger/internal/contracts"
	"github.com/seatledger/seatledger/internal/i18n"
	"github.com/seatledger/seatledger/internal/store"
)

func newContractsCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "contracts", Short: "What the partner agreed with each customer: SKU, term, seats, price, billing"}
	cmd.AddCommand(&cobra.Command{
		Use:   "import FILE",
		Short: "Import contract lines from CSV or YAML; each customer named gets exactly the file's lines",
		Long: "The whole file is checked against the customer registry and the SKU catalogue before anything\n" +
			"is written; every problem is reported as FILE:LINE: field: problem. Customers the file does not\n" +
			"name keep their contracts. See config/contracts.example.csv.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.withApp(cmd, false, func(a *app.App) error {
				counts, err := a.ImportContracts(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				if g.output == "json" {
					return writeJSON(g.stdout, counts)
				}
				before := "these customers had " + i18n.N(counts.LinesBefore, "line") + " before"
				if counts.Customers == 1 {
					before = "the customer had " + i18n.N(counts.LinesBefore, "line") + " before"
				}
				fmt.Fprintf(g.stdout, "imported %s: %s for %s (%d changed, %d unchanged); %s\n",
					args[0], i18n.N(counts.Lines, "line"), i18n.N(counts.Customers, "customer"), counts.CustomersChanged, counts.CustomersUnchanged, before)
				return printContractChanges(cmd, g, a, counts.Changes)
			})
		},
	})
	var customer string
	list := &cobra.Command{
		Use:   "list [--customer X]",
		Short: "List contract lines, of one customer (tenant id, external reference or name) or all",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.withApp(cmd, false, func(a *app.App) error {
				lines, err := a.ContractLines(cmd.Context(), customer)
				if err != nil {
					return err
				}
				if g.output == "json" {
					return writeJSON(g.stdout, lines)
				}
				t := newTable(g.stdout, "CUSTOMER", "SKU", "TERM", "PLAN", "SEATS", "PRICE/MONTH", "BILLING", "START", "END", "NOTICE")
				slices.SortStableFunc(lines, func(x, y app.ContractLineView) int {
					return cmp.Or(cmp.Compare(x.Customer, y.Customer), cmp.Compare(x.PartNumber, y.PartNumber), cmp.Compare(x.Term, y.Term))
				})
				for _, v := range lines {
					l := v.Line
					price := priceText(l)
					if l.UnitPrice != nil {
						price = v.Currency + " " + price
					}
					t.row(v.Customer, l.PartNumber, l.Term, l.BillingPlan, seatsText(l), price, billingText(l),
						l.Start.Format(time.DateOnly), dateText(l.End), strconv.Itoa(l.NoticeDays)+"d")
				}
				if err := t.flush(); err != nil {
					return err
				}
				fmt.Fprintf(g.stdout, "%s\n", i18n.N(len(lines), "contract_line"))
				return nil
			})
		},
	}
	list.Flags().StringVar(&customer, "customer", "", "tenant id, external reference or name")
	cmd.AddCommand(list)
	return cmd
}

func customerNames(cmd *cobra.Command, a *app.App) (map[string]string, error) {
	list, err := a.Customers(cmd.Context())
	if err != nil {
		return nil, err
	}
	names := make(map[string]string, len(list))
	for _, c := range list {
		names[c.TenantID] = c.Name
	}
	return names, nil
}

func seatsText(l contracts.Line) string {
	switch {
	case l.AsPurchased:
		return "as purchased"
	case l.AsAssigned():
		return "as assigned"
	}
	return strconv.Itoa(*l.Quantity)
}

// priceText shows a unit price with every decimal it has (up to 6), at least 2, or
// how the price list prices the line.
func priceText(l contracts.Line) string { return l.PriceText() }

func billingText(l contracts.Line) string {
	text := "day " + strconv.Itoa(l.BillingDay)
	if l.Policy == contracts.PolicyProrated {
		text = "prorated"
	}
	if l.Arrears() {
		text += ", arrears"
	}
	return text
}

func dateText(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.Format(time.DateOnly)
}

// printContractChanges lists, per customer, the lines an import removed (-) and
// added (+).
func printContractChanges(cmd *cobra.Command, g *globals, a *app.App, changes []store.ContractChange) error {
	if len(changes) == 0 {
		return nil
	}
	names, err := customerNames(cmd, a)
	if err != nil {
		return err
	}
	t := newTable(g.stdout, "", "CUSTOMER", "SKU", "TERM", "PLAN", "SEATS", "PRICE/MONTH", "BILLING", "START", "END")
	for _, c := range changes {
		for _, side := range []struct {
			mark  string
			lines []contracts.Line
		}{{"-", c.Removed}, {"+", c.Added}} {
			for _, l := range side.lines {
				t.row(side.mark, names[c.TenantID], l.PartNumber, l.Term, l.BillingPlan, seatsText(l), priceText(l), billingText(l),
					l.Start.Format(time.DateOnly), dateText(l.End))
			}
		}
	}
	return t.flush()
}
