package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/seatledger/seatledger/internal/dburl"
)

func newConfigCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "config", Short: "Inspect the configuration"}
	cmd.AddCommand(&cobra.Command{
		Use:   "check",
		Short: "Validate the configuration and print the effective values, secrets masked",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			settings := cfg.Settings()
			var dbTLS *dburl.TLS
			if dburl.IsPostgres(cfg.Database.URL) {
				t := dburl.EffectiveTLS(cfg.Database.URL, os.Getenv)
				dbTLS = &t
			}
			if g.output == "json" {
				return writeJSON(g.stdout, map[string]any{"file": cfg.File, "settings": settings, "databaseTLS": dbTLS})
			}
			file := cfg.File
			if file == "" {
				file = "(none)"
			}
			fmt.Fprintf(g.stdout, "configuration file: %s\n", file)
			t := newTable(g.stdout, "KEY", "VALUE", "SOURCE", "ENVIRONMENT VARIABLE")
			for _, s := range settings {
				t.row(s.Key, s.Value, string(s.Source), s.Env)
			}
			if err := t.flush(); err != nil {
				return err
			}
			if dbTLS != nil {
				fmt.Fprintf(g.stdout, "database TLS: sslmode=%s (%s)\n", dbTLS.Mode, dbTLS.Why)
			}
			fmt.Fprintln(g.stdout, "configuration OK")
			return nil
		},
	})
	return cmd
}
