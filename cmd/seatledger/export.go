package main

import (
	"bufio"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/seatledger/seatledger/internal/app"
	"github.com/seatledger/seatledger/internal/privfile"
)

func newExportCmd(g *globals) *cobra.Command {
	var period, format, profile, out string
	cmd := &cobra.Command{
		Use:   "export --period YYYY-MM [--format csv|xlsx|json] [--profile NAME] [--out FILE]",
		Short: "Write a month's stored billing run for accounting: CSV shaped by a profile, XLSX or JSON",
		Long: "Writes the month's stored run, one row per billing line with the customer, external ref, SKU,\n" +
			"quantity, prices, amount, cost, margin and where the numbers came from. CSV is shaped by an\n" +
			"export profile: the built-in default, excel-eu (\";\" and decimal comma) and xero (Xero's\n" +
			"sales-invoice import), or one of export.profiles in the configuration. XLSX has a sheet of\n" +
			"lines and one of totals per customer; JSON is the stored run with its lines and totals.\n" +
			"The file goes to --out, or to billing-YYYY-MM.FORMAT in the working folder (\"-\" writes to\n" +
			"standard output), readable by you only. A run not yet approved says DRAFT in its name and in\n" +
			"the file.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := app.ParsePeriod(period)
			if err != nil {
				return err
			}
			f, err := app.ParseExportFormat(format)
			if err != nil {
				return err
			}
			return g.withApp(cmd, false, func(a *app.App) error {
				e, err := a.PrepareExport(cmd.Context(), p, f, profile)
				if err != nil {
					return err
				}
				if out == "-" {
					w := bufio.NewWriterSize(g.stdout, 64<<10)
					if err := e.Write(w); err != nil {
						return err
					}
					return w.Flush()
				}
				dest := out
				if dest == "" {
					dest = e.FileName()
				}
				path, err := writeExport(e, dest)
				if err != nil {
					return err
				}
				status := e.Run.Status
				if e.Run.Draft() {
					status = "DRAFT, not approved"
				}
				if g.output == "json" {
					return writeJSON(g.stdout, map[string]any{"file": path, "period": p.String(), "status": e.Run.Status, "lines": len(e.Run.Lines)})
				}
				textf(g.stdout, "%s: %d lines of %s (%s)\n", path, len(e.Run.Lines), p.String(), status)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&period, "period", "", "the month exported, as YYYY-MM (required)")
	cmd.Flags().StringVar(&format, "format", "csv", "csv, xlsx or json")
	cmd.Flags().StringVar(&profile, "profile", "", "the CSV export profile: default, excel-eu, xero or one configured under export.profiles")
	cmd.Flags().StringVar(&out, "out", "", "the file written (default billing-YYYY-MM[-DRAFT].FORMAT in the working folder; - for standard output)")
	_ = cmd.MarkFlagRequired("period")
	return cmd
}

// writeExport writes an export to the file dest, readable by its owner only, and
// returns the file's path.
func writeExport(e app.Export, dest string) (string, error) {
	return privfile.WriteFrom(filepath.Dir(dest), filepath.Base(dest), e.Write)
}
