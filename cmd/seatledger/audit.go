package main

import (
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/seatledger/seatledger/internal/app"
)

func newAuditCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "audit", Short: "The audit log: who changed what, when"}
	var limit int
	list := &cobra.Command{
		Use:   "list [--limit N]",
		Short: "The newest audit entries first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.withApp(cmd, false, func(a *app.App) error {
				entries, err := a.AuditLog(cmd.Context(), 0, limit)
				if err != nil {
					return err
				}
				if g.output == "json" {
					return writeJSON(g.stdout, entries)
				}
				t := newTable(g.stdout, "ID", "AT", "ACTOR", "OS USER", "ACTION", "SUBJECT", "DETAIL")
				for _, e := range entries {
					t.row(strconv.FormatInt(e.ID, 10), e.At.UTC().Format(time.RFC3339), e.Actor, e.OSUser, e.Action, e.Subject, e.Detail)
				}
				return t.flush()
			})
		},
	}
	list.Flags().IntVar(&limit, "limit", 50, "how many entries")
	cmd.AddCommand(list)
	return cmd
}
