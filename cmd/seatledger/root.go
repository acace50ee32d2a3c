package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/user"

	"github.com/spf13/cobra"

	"github.com/seatledger/seatledger/internal/app"
	"github.com/seatledger/seatledger/internal/config"
)

const defaultConfigFile = "config/seatledger.yaml"

// csvOutput annotates the commands that can write --output csv.
const csvOutput = "csv"

// globals are the flags every command shares.
type globals struct {
	configFile string
	db         string
	actor      string
	output     string
	stdout     io.Writer
	stderr     io.Writer
}

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	g := &globals{stdout: stdout, stderr: stderr}
	root := &cobra.Command{
		Use:           "seatledger",
		Short:         "Licence inventory, advice, pricing, billing and notices for Microsoft CSP partners",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case g.output == "csv" && cmd.Annotations[csvOutput] == "":
				return fmt.Errorf("--output csv: %s writes text or json only", cmd.CommandPath())
			case g.output != "text" && g.output != "json" && g.output != "csv":
				return fmt.Errorf("--output: %q is not allowed (allowed: text, json; csv for findings list and reconcile)", g.output)
			}
			return nil
		},
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	f := root.PersistentFlags()
	f.StringVar(&g.configFile, "config", "", "configuration file (default $SEATLEDGER_CONFIG, else "+defaultConfigFile+" when present)")
	f.StringVar(&g.db, "db", "", "database: postgres://... or sqlite:PATH (overrides database.url)")
	f.StringVar(&g.actor, "actor", "", "name written to the audit log (default: the operating-system user)")
	f.StringVarP(&g.output, "output", "o", "text", "output format: text, json, or csv for findings list and reconcile")

	root.AddCommand(newConfigCmd(g), newMigrateCmd(g), newCatalogCmd(g), newCustomersCmd(g),
		newSyncCmd(g), newInventoryCmd(g), newContractsCmd(g), newAdviseCmd(g), newFindingsCmd(g), newReconcileCmd(g),
		newSandboxCmd(g), newDemoCmd(g), newPricesCmd(g), newPartnerCenterCmd(g), newBillCmd(g), newExportCmd(g), newReportCmd(g), newNoticesCmd(g),
		newTokensCmd(g), newAuditCmd(g), newServeCmd(g))
	return root
}

// loadConfig reads the configuration the flags and environment point at.
func (g *globals) loadConfig() (*config.Loaded, error) {
	path := g.configFile
	if path == "" {
		path = os.Getenv("SEATLEDGER_CONFIG")
	}
	if path == "" {
		if _, err := os.Stat(defaultConfigFile); err == nil {
			path = defaultConfigFile
		}
	}
	return config.Load(path, os.Environ(), map[string]string{"database.url": g.db})
}

// open loads the configuration and opens the application on its database.
func (g *globals) open(cmd *cobra.Command, migrating, create bool) (*app.App, error) {
	cfg, err := g.loadConfig()
	if err != nil {
		return nil, err
	}
	return app.Open(cmd.Context(), cfg, app.Options{Actor: g.actorName(), Log: newLogger(cfg, g.stderr), Migrating: migrating, Create: create})
}

// withApp opens the application for one command, runs fn with it and closes it.
func (g *globals) withApp(cmd *cobra.Command, migrating bool, fn func(a *app.App) error) error {
	return g.runApp(cmd, migrating, false, fn)
}

// withNewApp is withApp for the one command that may create the database.
func (g *globals) withNewApp(cmd *cobra.Command, fn func(a *app.App) error) error {
	return g.runApp(cmd, true, true, fn)
}

func (g *globals) runApp(cmd *cobra.Command, migrating, create bool, fn func(a *app.App) error) error {
	a, err := g.open(cmd, migrating, create)
	if err != nil {
		return err
	}
	defer a.Close()
	return fn(a)
}

func (g *globals) actorName() string {
	if g.actor != "" {
		return g.actor
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "unknown"
}

func newLogger(cfg *config.Loaded, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.Log.Level))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Log.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
