package main

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/seatledger/seatledger/internal/app"
)

func newMigrateCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "migrate", Short: "Bring the database schema up to date, or show where it stands"}
	cmd.AddCommand(&cobra.Command{
		Use:   "up",
		Short: "Apply every pending migration (safe to run from several processes at once on PostgreSQL)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.withNewApp(cmd, func(a *app.App) error {
				applied, err := a.MigrateUp(cmd.Context())
				if err != nil {
					return err
				}
				if g.output == "json" {
					return writeJSON(g.stdout, map[string]any{"applied": applied})
				}
				if len(applied) == 0 {
					fmt.Fprintf(g.stdout, "%s database is up to date\n", a.Store.Dialect())
					return nil
				}
				for _, m := range applied {
					fmt.Fprintf(g.stdout, "applied %04d %s\n", m.Version, m.Name)
				}
				return nil
			})
		},
	}, &cobra.Command{
		Use:   "status",
		Short: "List the migrations and whether each is applied",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.withApp(cmd, true, func(a *app.App) error {
				st, err := a.MigrationStatus(cmd.Context())
				if err != nil {
					return err
				}
				if g.output == "json" {
					return writeJSON(g.stdout, st)
				}
				t := newTable(g.stdout, "VERSION", "NAME", "STATE", "APPLIED AT")
				for _, m := range st {
					state, at := "pending", ""
					if m.Applied {
						state, at = "applied", m.AppliedAt.Format("2006-01-02 15:04:05Z")
					}
					t.row(strconv.FormatInt(m.Version, 10), m.Name, state, at)
				}
				return t.flush()
			})
		},
	})
	return cmd
}
