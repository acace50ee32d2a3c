package main

import (
	"fmt"

	"github.com/spf13/cobra"
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
			if g.output == "json" {
				return writeJSON(g.stdout, map[string]any{"file": cfg.File, "settings": settings})
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
			fmt.Fprintln(g.stdout, "configuration OK")
			return nil
		},
	})
	return cmd
}
