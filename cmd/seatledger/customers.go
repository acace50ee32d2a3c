package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/seatledger/seatledger/internal/app"
	"github.com/seatledger/seatledger/internal/i18n"
)

func newCustomersCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "customers", Short: "The customer registry: tenants, billing currency, notice language and contacts"}
	cmd.AddCommand(&cobra.Command{
		Use:   "import FILE",
		Short: "Import customers from CSV or YAML (by extension); the whole file is checked before anything is written",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.withApp(cmd, false, func(a *app.App) error {
				counts, err := a.ImportCustomers(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				if g.output == "json" {
					return writeJSON(g.stdout, counts)
				}
				fmt.Fprintf(g.stdout, "imported %s: %d created, %d updated, %d unchanged\n", args[0], counts.Created, counts.Updated, counts.Unchanged)
				return nil
			})
		},
	}, &cobra.Command{
		Use:   "list",
		Short: "List the customers",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.withApp(cmd, false, func(a *app.App) error {
				list, err := a.Customers(cmd.Context())
				if err != nil {
					return err
				}
				if g.output == "json" {
					return writeJSON(g.stdout, list)
				}
				t := newTable(g.stdout, "NAME", "TENANT ID", "DOMAIN", "CURRENCY", "LOCALE", "MARKET", "REF", "CONTACTS")
				for _, c := range list {
					emails := make([]string, len(c.Contacts))
					for i, ct := range c.Contacts {
						emails[i] = ct.Email
					}
					t.row(c.Name, c.TenantID, c.PrimaryDomain, c.Currency, c.Locale, c.Market, c.ExternalRef, strings.Join(emails, ", "))
				}
				if err := t.flush(); err != nil {
					return err
				}
				fmt.Fprintf(g.stdout, "%s\n", i18n.N(len(list), "customer"))
				return nil
			})
		},
	})
	return cmd
}
