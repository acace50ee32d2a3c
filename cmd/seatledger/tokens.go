package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/seatledger/seatledger/internal/app"
	"github.com/seatledger/seatledger/internal/store"
)

func newTokensCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "tokens", Short: "Bearer tokens of the HTTP API: create, list, revoke"}
	cmd.AddCommand(tokensCreateCmd(g), tokensListCmd(g), tokensRevokeCmd(g))
	return cmd
}

func tokensCreateCmd(g *globals) *cobra.Command {
	var name, role string
	cmd := &cobra.Command{
		Use:   "create --name N --role " + strings.Join(store.Roles, "|"),
		Short: "Make a token; it is shown once, only its hash is kept",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.withApp(cmd, false, func(a *app.App) error {
				t, token, err := a.CreateToken(cmd.Context(), name, role)
				if err != nil {
					return err
				}
				if g.output == "json" {
					return writeJSON(g.stdout, struct {
						store.APIToken
						Token string `json:"token"`
					}{t, token})
				}
				fmt.Fprintln(g.stdout, token)
				textf(g.stderr, "token %s (%s) created; it is shown this once and cannot be shown again: keep it now\n", t.Name, t.Role)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "the token's name, written to the audit log as token:NAME")
	cmd.Flags().StringVar(&role, "role", "", "what the token may do: "+strings.Join(store.Roles, ", "))
	_ = cmd.MarkFlagRequired("name")
	_ = cmd.MarkFlagRequired("role")
	return cmd
}

func tokensListCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "Every token with its role, creation, last use and revocation; never the token",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.withApp(cmd, false, func(a *app.App) error {
				list, err := a.Tokens(cmd.Context())
				if err != nil {
					return err
				}
				if g.output == "json" {
					return writeJSON(g.stdout, list)
				}
				t := newTable(g.stdout, "ID", "NAME", "ROLE", "CREATED", "BY", "LAST USED", "REVOKED")
				for _, k := range list {
					t.row(strconv.FormatInt(k.ID, 10), k.Name, k.Role, k.CreatedAt.Format(time.RFC3339), k.CreatedBy, timeOrDash(k.LastUsedAt), timeOrDash(k.RevokedAt))
				}
				return t.flush()
			})
		},
	}
}

func tokensRevokeCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "revoke NAME|ID",
		Short: "End a token: requests bearing it are refused from now on",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.withApp(cmd, false, func(a *app.App) error {
				t, err := a.RevokeToken(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				if g.output == "json" {
					return writeJSON(g.stdout, t)
				}
				textf(g.stdout, "token %s revoked at %s\n", t.Name, t.RevokedAt.Format(time.RFC3339))
				return nil
			})
		},
	}
}

func timeOrDash(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.Format(time.RFC3339)
}
