package main

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/seatledger/seatledger/internal/app"
	"github.com/seatledger/seatledger/internal/catalog"
	"github.com/seatledger/seatledger/internal/i18n"
	"github.com/seatledger/seatledger/internal/redact"
)

func newCatalogCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "catalog", Short: "Microsoft's SKU catalogue: products and their service plans"}

	var file, url string
	importCmd := &cobra.Command{
		Use:   "import",
		Short: "Import Microsoft's \"Product names and service plan identifiers for licensing\" CSV",
		Long: "Reads the CSV from --file, from --url, or (with neither) from catalog.url, Microsoft's download.\n" +
			"The whole file is checked before anything is written. SKUs the file does not mention are kept.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if file != "" && url != "" {
				return errors.New("give --file or --url, not both")
			}
			return g.withApp(cmd, false, func(a *app.App) error {
				var (
					source = file
					res    app.CatalogImport
					err    error
				)
				if file != "" {
					res, err = a.ImportCatalogFile(cmd.Context(), file)
				} else {
					if url == "" {
						url = a.Config.Catalog.URL
					}
					source = redact.URL(url)
					res, err = a.ImportCatalogURL(cmd.Context(), url)
				}
				if err != nil {
					return err
				}
				if g.output == "json" {
					warnings := make([]string, len(res.Warnings))
					for i, w := range res.Warnings {
						warnings[i] = w.String()
					}
					return writeJSON(g.stdout, map[string]any{"source": source, "result": res.Counts, "warnings": warnings})
				}
				counts := res.Counts
				fmt.Fprintf(g.stdout, "imported %s: %s new, %d updated, %d unchanged\n", source, i18n.N(counts.Created, "sku"), counts.Updated, counts.Unchanged)
				if len(res.Warnings) > 0 {
					fmt.Fprintf(g.stdout, "%s repaired on the way; check them against Microsoft's page:\n", i18n.N(len(res.Warnings), "line"))
					for _, w := range res.Warnings {
						textf(g.stdout, "  warning: %s\n", w.String())
					}
				}
				return nil
			})
		},
	}
	importCmd.Flags().StringVar(&file, "file", "", "path of the CSV")
	importCmd.Flags().StringVar(&url, "url", "", "URL of the CSV (default: catalog.url)")

	showCmd := &cobra.Command{
		Use:   "show <skuPartNumber|GUID>",
		Short: "Show one SKU: name, part number, GUID, free or paid, and its service plans",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.withApp(cmd, false, func(a *app.App) error {
				c, source, err := a.Catalog(cmd.Context())
				if err != nil {
					return err
				}
				sku, err := c.Lookup(args[0])
				if err != nil {
					return err
				}
				includedIn := c.ContainedIn(sku)
				// Microsoft's file lists plans in no order; by name they can be found.
				sku.Plans = slices.SortedFunc(slices.Values(sku.Plans), func(x, y catalog.ServicePlan) int {
					return cmp.Or(cmp.Compare(x.Name, y.Name), cmp.Compare(x.ID, y.ID))
				})
				if g.output == "json" {
					return writeJSON(g.stdout, map[string]any{"catalogue": source, "sku": sku, "includedIn": partNumbers(includedIn)})
				}
				price := "paid"
				if sku.Free {
					price = "free"
				}
				textf(g.stdout, "%s\n  part number  %s\n  GUID         %s\n  price        %s\n  catalogue    %s\n  service plans (%d):\n",
					sku.DisplayName, sku.PartNumber, sku.ID, price, source, len(sku.Plans))
				t := newTable(g.stdout, "    NAME", "ID", "FRIENDLY NAME")
				for _, p := range sku.Plans {
					t.row("    "+p.Name, p.ID, p.FriendlyName)
				}
				if err := t.flush(); err != nil {
					return err
				}
				if len(includedIn) > 0 {
					if len(includedIn) > 12 {
						fmt.Fprintf(g.stdout, "  everything that matters in it is also in %s, among them:\n", i18n.N(len(includedIn), "sku"))
					} else {
						fmt.Fprintln(g.stdout, "  everything that matters in it is also in:")
					}
					for _, s := range includedIn[:min(len(includedIn), 12)] {
						textf(g.stdout, "    %s (%s)\n", s.PartNumber, s.DisplayName)
					}
				}
				return nil
			})
		},
	}

	listCmd := &cobra.Command{
		Use:   "list",
		Short: "List every SKU in the catalogue",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.withApp(cmd, false, func(a *app.App) error {
				c, source, err := a.Catalog(cmd.Context())
				if err != nil {
					return err
				}
				if g.output == "json" {
					return writeJSON(g.stdout, map[string]any{"catalogue": source, "skus": c.SKUs()})
				}
				t := newTable(g.stdout, "PART NUMBER", "GUID", "FREE", "PLANS", "NAME")
				for _, s := range c.SKUs() {
					free := ""
					if s.Free {
						free = "free"
					}
					t.row(s.PartNumber, s.ID, free, strconv.Itoa(len(s.Plans)), s.DisplayName)
				}
				if err := t.flush(); err != nil {
					return err
				}
				fmt.Fprintf(g.stdout, "%s (%s catalogue)\n", i18n.N(c.Len(), "sku"), source)
				return nil
			})
		},
	}
	var (
		offersFile, offersMonth string
		offersFetch             bool
	)
	offersCmd := &cobra.Command{
		Use:   "offers (--file FILE | --fetch [--month 2026-12])",
		Short: "Import Partner Center's offer matrix: which Graph SKU each ProductId:SkuId provisions",
		Long: "Contract lines and price lists may name a SKU by its Partner Center id (CFQ7TTC0LCHC:0002);\n" +
			"the offer matrix links it to the Graph SKU. The whole file is checked before anything is written.\n" +
			"--fetch downloads the month's matrix from Partner Center as the user signed in with\n" +
			"`partner-center login` and keeps it as offermatrix-2026-12.csv in partner_center.download_dir.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case offersFetch == (offersFile != ""):
				return errors.New("give --file FILE, or --fetch to download the offer matrix from Partner Center")
			case offersMonth != "" && !offersFetch:
				return errors.New("--month goes with --fetch")
			}
			month, err := monthFlag(offersMonth)
			if err != nil {
				return err
			}
			return g.withApp(cmd, false, func(a *app.App) error {
				if offersFetch {
					api, err := newPartnerAPI(a.Config, a.Log)
					if err != nil {
						return err
					}
					res, err := a.FetchOffers(cmd.Context(), api, month)
					if err != nil {
						return err
					}
					if g.output == "json" {
						return writeJSON(g.stdout, res)
					}
					note := ""
					if !res.Saved {
						note = ", unchanged since it was last downloaded"
					}
					textf(g.stdout, "fetched the offer matrix %s: %s, %d bytes%s\nimported %s: %s\n", res.Month, res.File, res.Bytes, note, res.File, i18n.N(res.Offers, "offer"))
					return nil
				}
				n, err := a.ImportOffersFile(cmd.Context(), offersFile)
				if err != nil {
					return err
				}
				if g.output == "json" {
					return writeJSON(g.stdout, map[string]int{"offers": n})
				}
				fmt.Fprintf(g.stdout, "imported %s: %s\n", offersFile, i18n.N(n, "offer"))
				return nil
			})
		},
	}
	offersCmd.Flags().StringVar(&offersFile, "file", "", "path of the offer matrix CSV")
	offersCmd.Flags().BoolVar(&offersFetch, "fetch", false, "download the offer matrix from Partner Center (needs `partner-center login`)")
	offersCmd.Flags().StringVar(&offersMonth, "month", "", "month of the matrix to fetch, 2026-12 (default: the current month)")
	cmd.AddCommand(importCmd, showCmd, listCmd, offersCmd)
	return cmd
}

func partNumbers(skus []catalog.SKU) []string {
	out := make([]string, len(skus))
	for i, s := range skus {
		out[i] = s.PartNumber
	}
	return out
}
