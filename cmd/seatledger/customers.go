package main

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/seatledger/seatledger/internal/app"
	"github.com/seatledger/seatledger/internal/customers"
	"github.com/seatledger/seatledger/internal/i18n"
)

func newCustomersCmd(g *globals) *cobra.Command {
	var status string
	cmd := &cobra.Command{Use: "customers", Short: "The customer registry: tenants, billing currency, notice language and contacts"}
	list := &cobra.Command{
		Use:   "list [--status active|discovered|ended]",
		Short: "List the customers",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if status != "" && !slices.Contains([]string{customers.StatusActive, customers.StatusDiscovered, customers.StatusEnded}, status) {
				return fmt.Errorf("--status %q: use active, discovered or ended", status)
			}
			return g.withApp(cmd, false, func(a *app.App) error {
				all, err := a.Customers(cmd.Context())
				if err != nil {
					return err
				}
				list := slices.DeleteFunc(all, func(c customers.Customer) bool { return status != "" && c.Status != status })
				if g.output == "json" {
					return writeJSON(g.stdout, list)
				}
				t := newTable(g.stdout, "NAME", "TENANT ID", "DOMAIN", "STATUS", "CURRENCY", "LOCALE", "MARKET", "SEGMENT", "REF", "CONTACTS")
				for _, c := range list {
					emails := make([]string, len(c.Contacts))
					for i, ct := range c.Contacts {
						emails[i] = ct.Email
					}
					t.row(c.Name, c.TenantID, c.PrimaryDomain, c.Status, c.Currency, c.Locale, c.Market, c.Segment, c.ExternalRef, strings.Join(emails, ", "))
				}
				if err := t.flush(); err != nil {
					return err
				}
				fmt.Fprintf(g.stdout, "%s\n", i18n.N(len(list), "customer"))
				return nil
			})
		},
	}
	list.Flags().StringVar(&status, "status", "", "only customers of this status: active, discovered (found in Partner Center, not yet completed) or ended")
	discover := &cobra.Command{
		Use:   "discover",
		Short: "Register the customers Partner Center lists that the registry lacks (as discovered) and mark ended those it no longer lists",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.withApp(cmd, false, func(a *app.App) error {
				if !a.Config.PartnerCenter.Enabled {
					return fmt.Errorf("Partner Center is not enabled: set partner_center.enabled (and partner.tenant_id)")
				}
				reader, err := newPartnerReader(a)
				if err != nil {
					return err
				}
				d, err := a.DiscoverCustomers(cmd.Context(), reader)
				if err != nil {
					return err
				}
				if g.output == "json" {
					return writeJSON(g.stdout, d)
				}
				fmt.Fprintf(g.stdout, "Partner Center lists %s: %d discovered, %d ended, %d listed again\n", i18n.N(d.Listed, "customer"), len(d.Discovered), len(d.Ended), len(d.Relisted))
				for _, n := range d.Discovered {
					fmt.Fprintf(g.stdout, "  discovered %s\n", n)
				}
				for _, n := range d.Ended {
					fmt.Fprintf(g.stdout, "  ended      %s\n", n)
				}
				for _, n := range d.Relisted {
					fmt.Fprintf(g.stdout, "  listed again %s\n", n)
				}
				return nil
			})
		},
	}
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
	}, list, discover, customersStatusCmd(g))
	return cmd
}

func customersStatusCmd(g *globals) *cobra.Command {
	var customer string
	cmd := &cobra.Command{
		Use:   "status [--customer X]",
		Short: "How ready each customer is: the app's consent, the permissions Graph refused, the Partner Center relationship, the age of each part's last sync",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.withApp(cmd, false, func(a *app.App) error {
				list, err := a.CustomersStatus(cmd.Context(), customer)
				if err != nil {
					return err
				}
				if g.output == "json" {
					return writeJSON(g.stdout, list)
				}
				return printCustomersStatus(g, list)
			})
		},
	}
	cmd.Flags().StringVar(&customer, "customer", "", "only this customer (tenant id, external reference or name)")
	return cmd
}

func printCustomersStatus(g *globals, list []app.CustomerStatus) error {
	t := newTable(g.stdout, "CUSTOMER", "STATE", "CONSENT", "SIGN-IN ACTIVITY", "REPORTS", "REPORT SETTINGS", "MAILBOX SETTINGS", "PARTNER CENTER",
		"GRAPH READ", "USAGE READ", "PARTNER CENTER READ")
	ready := 0
	var notes []string
	for _, c := range list {
		if c.Ready {
			ready++
		}
		// The state's reason can be long: it goes to the notes.
		state, reason, _ := strings.Cut(c.State, ": ")
		if reason != "" {
			notes = append(notes, fmt.Sprintf("%s: %s", c.Customer, c.State))
		}
		cells := []string{c.Customer, state, c.Consent.State}
		for _, p := range c.Permissions {
			cells = append(cells, p.State)
			// Before a successful sync every permission is unknown for the same reason
			// the state gives.
			if p.State == app.PermissionRefused || p.State == app.PermissionUnknown && c.LastSync.Graph != nil {
				notes = append(notes, fmt.Sprintf("%s: %s %s: %s", c.Customer, p.Call, p.State, p.Note))
			}
		}
		if c.Partner.Note != "" && c.Partner.State != app.RelationNotRead {
			notes = append(notes, fmt.Sprintf("%s: Partner Center %s: %s", c.Customer, c.Partner.State, c.Partner.Note))
		}
		now := c.LastSync.Now
		t.row(append(cells, c.Partner.State, ago(c.LastSync.Graph, now), ago(c.LastSync.UsageReports, now), ago(c.LastSync.PartnerCenter, now))...)
	}
	if err := t.flush(); err != nil {
		return err
	}
	fmt.Fprintf(g.stdout, "%s, %d ready\n", i18n.N(len(list), "customer"), ready)
	if len(notes) > 0 {
		fmt.Fprintln(g.stdout, "\nnotes:")
		for _, n := range notes {
			textf(g.stdout, "  %s\n", n)
		}
	}
	return nil
}

// ago is how long before now a part was last read: minutes, hours, then days.
func ago(at *time.Time, now time.Time) string {
	if at == nil {
		return "never"
	}
	switch d := now.Sub(*at); {
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", max(int(d.Minutes()), 0))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h ago", int(d.Hours()))
	default:
		return fmt.Sprintf("%d days ago", int(d.Hours()/24))
	}
}
