package main

import (
	"cmp"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"github.com/seatledger/seatledger/internal/app"
	"github.com/seatledger/seatledger/internal/csvout"
	"github.com/seatledger/seatledger/internal/i18n"
	"github.com/seatledger/seatledger/internal/money"
	"github.com/seatledger/seatledger/internal/pricing"
	"github.com/seatledger/seatledger/internal/store"
)

func newPricesCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "prices", Short: "Partner Center's New Commerce price lists: prices in force, their history and changes"}
	cmd.AddCommand(newPricesImportCmd(g), newPricesFetchCmd(g), newPricesListCmd(g), newPricesShowCmd(g), newPricesChangesCmd(g), newPricesImpactCmd(g))
	return cmd
}

func newPricesImportCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "import FILE [FILE...]",
		Short: "Import Partner Center's New Commerce licence-based price list (CSV or XLSX)",
		Long: "Every file is checked before anything is written. Files are stored in the order given: give\n" +
			"an earlier month before a later one. A re-imported file writes nothing, in any order; a price a list\n" +
			"restates unchanged continues its range. Next month's list closes the ranges it supersedes and\n" +
			"records each change against the prices in force before it; an earlier month's list imported after\n" +
			"a later one changes nothing from the later one's first day. A file is read as XLSX or CSV by its\n" +
			"content; in a workbook, the first sheet with a ProductId and SkuId header.",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.withApp(cmd, false, func(a *app.App) error {
				res, err := a.ImportPriceFiles(cmd.Context(), args)
				if err != nil {
					return err
				}
				if g.output == "json" {
					return writeJSON(g.stdout, map[string]any{"imports": res})
				}
				for _, r := range res {
					textf(g.stdout, "imported %s: %s read, %d written, %d unchanged, %d ranges closed, %s\n",
						r.File, i18n.N(r.Read, "price"), r.Written, r.Unchanged, r.Closed, i18n.N(r.Changes, "change"))
					if r.Overridden > 0 {
						fmt.Fprintf(g.stdout, "  %d rows overridden in the file by a row of the same key starting later\n", r.Overridden)
					}
				}
				return nil
			})
		},
	}
}

func newPricesListCmd(g *globals) *cobra.Command {
	var f store.PriceFilter
	c := &cobra.Command{
		Use:         "list",
		Short:       "List stored prices, every range, by product, market and currency",
		Args:        cobra.NoArgs,
		Annotations: map[string]string{csvOutput: "yes"},
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.withApp(cmd, false, func(a *app.App) error {
				prices, err := a.Prices(cmd.Context(), f)
				if err != nil {
					return err
				}
				return writePrices(g, prices, fmt.Sprintf("%s stored", i18n.N(len(prices), "price")))
			})
		},
	}
	c.Flags().StringVar(&f.ProductID, "product", "", "Partner Center ProductId")
	c.Flags().StringVar(&f.Market, "market", "", "market (country code)")
	c.Flags().StringVar(&f.Currency, "currency", "", "currency (ISO 4217)")
	return c
}

func newPricesShowCmd(g *globals) *cobra.Command {
	var (
		q  app.PriceQuery
		at string
	)
	c := &cobra.Command{
		Use:         "show SKU",
		Short:       "Show a SKU's prices per term and billing plan, with their history and changes",
		Long:        "SKU is a part number, a Graph SKU GUID (reached through the offer matrix of catalog offers) or a\nPartner Center ProductId:SkuId. UnitPrice is for the whole term; per month is that spread over its months.",
		Args:        cobra.ExactArgs(1),
		Annotations: map[string]string{csvOutput: "yes"},
		RunE: func(cmd *cobra.Command, args []string) error {
			if at != "" {
				d, err := time.Parse(time.DateOnly, at)
				if err != nil {
					return fmt.Errorf("--at: %q is not a date (2026-12-01)", at)
				}
				q.At = d
			}
			return g.withApp(cmd, false, func(a *app.App) error {
				res, err := a.SKUPrices(cmd.Context(), args[0], q)
				if err != nil {
					return err
				}
				switch g.output {
				case "json":
					return writeJSON(g.stdout, res)
				case "csv":
					return writePricesCSV(g.stdout, res.History)
				}
				for _, o := range res.Offers {
					textf(g.stdout, "%s:%s  %s  %s\n", o.ProductID, o.SKU, o.PartNumber, o.Title)
				}
				fmt.Fprintf(g.stdout, "\nin force on %s:\n", res.At.Format(time.DateOnly))
				if err := priceTable(g.stdout, res.InForce); err != nil {
					return err
				}
				fmt.Fprintln(g.stdout, "\nhistory:")
				if err := priceTable(g.stdout, res.History); err != nil {
					return err
				}
				if len(res.Changes) > 0 {
					fmt.Fprintln(g.stdout, "\nchanges:")
					return changeTable(g.stdout, res.Changes)
				}
				return nil
			})
		},
	}
	c.Flags().StringVar(&q.Market, "market", "", "market (country code)")
	c.Flags().StringVar(&q.Currency, "currency", "", "currency (ISO 4217)")
	c.Flags().StringVar(&q.Segment, "segment", "", "segment (commercial, education, ...)")
	c.Flags().StringVar(&at, "at", "", "the day whose prices are in force (default today)")
	return c
}

func newPricesChangesCmd(g *globals) *cobra.Command {
	var since, market string
	c := &cobra.Command{
		Use:         "changes",
		Short:       "List the price changes recorded by imports: up, down, added, retired",
		Args:        cobra.NoArgs,
		Annotations: map[string]string{csvOutput: "yes"},
		RunE: func(cmd *cobra.Command, args []string) error {
			var from time.Time
			if since != "" {
				d, err := time.Parse(time.DateOnly, since)
				if err != nil {
					return fmt.Errorf("--since: %q is not a date (2026-12-01)", since)
				}
				from = d
			}
			return g.withApp(cmd, false, func(a *app.App) error {
				changes, err := a.PriceChanges(cmd.Context(), from, market)
				if err != nil {
					return err
				}
				switch g.output {
				case "json":
					return writeJSON(g.stdout, map[string]any{"changes": changesJSON(changes)})
				case "csv":
					w := csvout.NewWriter(g.stdout)
					_ = w.Write("id", "effective", "kind", "productId", "skuId", "termDuration", "billingPlan", "market", "currency", "segment", "tierMin", "old", "new", "percent", "source")
					for _, c := range changes {
						_ = w.Write(strconv.FormatInt(c.ID, 10), c.Effective.Format(time.DateOnly), c.Kind, c.ProductID, c.SKUID, c.TermDuration, c.BillingPlan,
							c.Market, c.Currency, c.Segment, strconv.Itoa(c.TierMin), decString(c.Old), decString(c.New), percent(c), c.Source)
					}
					return w.Flush()
				}
				if err := changeTable(g.stdout, changes); err != nil {
					return err
				}
				fmt.Fprintln(g.stdout, i18n.N(len(changes), "change"))
				return nil
			})
		},
	}
	c.Flags().StringVar(&since, "since", "", "only changes effective on or after this day (2026-12-01)")
	c.Flags().StringVar(&market, "market", "", "market (country code)")
	return c
}

func writePrices(g *globals, prices []pricing.Price, summary string) error {
	switch g.output {
	case "json":
		return writeJSON(g.stdout, map[string]any{"prices": prices})
	case "csv":
		return writePricesCSV(g.stdout, prices)
	}
	if err := priceTable(g.stdout, prices); err != nil {
		return err
	}
	fmt.Fprintln(g.stdout, summary)
	return nil
}

func priceTable(w io.Writer, prices []pricing.Price) error {
	t := newTable(w, "PRODUCT:SKU", "TERM", "PLAN", "MARKET", "CURRENCY", "SEGMENT", "TIER", "PER TERM", "PER MONTH", "ERP", "FROM", "TO", "SOURCE", "TITLE")
	for _, p := range prices {
		t.row(p.ProductID+":"+p.SKUID, p.TermDuration, p.BillingPlan, p.Market, p.Currency, p.Segment, tierRange(p), amount(p.UnitPrice),
			monthly(p), decString(p.ERPPrice), dayString(p.From), endString(p.To), p.Source, p.SKUTitle)
	}
	return t.flush()
}

func changeTable(w io.Writer, changes []pricing.Change) error {
	t := newTable(w, "ID", "EFFECTIVE", "KIND", "PRODUCT:SKU", "TERM", "PLAN", "MARKET", "CURRENCY", "SEGMENT", "OLD", "NEW", "PERCENT", "SOURCE")
	for _, c := range changes {
		t.row(strconv.FormatInt(c.ID, 10), c.Effective.Format(time.DateOnly), c.Kind, c.ProductID+":"+c.SKUID, c.TermDuration, c.BillingPlan,
			c.Market, c.Currency, c.Segment, decString(c.Old), decString(c.New), percent(c), c.Source)
	}
	return t.flush()
}

func writePricesCSV(w io.Writer, prices []pricing.Price) error {
	cw := csvout.NewWriter(w)
	_ = cw.Write("productId", "skuId", "termDuration", "billingPlan", "market", "currency", "segment", "tierMin", "tierMax",
		"unitPrice", "monthly", "erpPrice", "from", "to", "source", "productTitle", "skuTitle")
	for _, p := range prices {
		_ = cw.Write(p.ProductID, p.SKUID, p.TermDuration, p.BillingPlan, p.Market, p.Currency, p.Segment, strconv.Itoa(p.TierMin), strconv.Itoa(p.TierMax),
			amount(p.UnitPrice), monthly(p), decString(p.ERPPrice), dayString(p.From), endString(p.To), p.Source, p.ProductTitle, p.SKUTitle)
	}
	return cw.Flush()
}

// changeJSON adds the percentage, which Change computes rather than stores.
type changeJSON struct {
	pricing.Change
	Percent string `json:"percent,omitempty"`
}

func changesJSON(changes []pricing.Change) []changeJSON {
	out := make([]changeJSON, len(changes))
	for i, c := range changes {
		out[i] = changeJSON{Change: c, Percent: percent(c)}
	}
	return out
}

// monthly shows the per-month price to 6 decimals: a P1Y price divides exactly by 12
// only sometimes, and the full quotient is no use to a person.
func monthly(p pricing.Price) string { return amount(p.Monthly().Round(6)) }

func percent(c pricing.Change) string {
	if p := c.Percent(); p != nil {
		return p.StringFixed(2)
	}
	return ""
}

func decString(d *decimal.Decimal) string {
	if d == nil {
		return ""
	}
	return amount(*d)
}

// amount writes a price with at least cents and every further digit it has:
// decimal's String drops trailing zeros (7.20 becomes 7.2).
func amount(d decimal.Decimal) string {
	s := d.String()
	switch i := strings.IndexByte(s, '.'); {
	case i < 0:
		return s + ".00"
	case len(s)-i == 2:
		return s + "0"
	}
	return s
}

func tierRange(p pricing.Price) string {
	switch {
	case p.TierMin == 0 && p.TierMax == 0:
		return ""
	case p.TierMax == 0:
		return strconv.Itoa(p.TierMin) + "+"
	}
	return strconv.Itoa(p.TierMin) + "-" + strconv.Itoa(p.TierMax)
}

func dayString(t time.Time) string {
	if t.IsZero() {
		return "open"
	}
	return t.Format(time.DateOnly)
}

func endString(t *time.Time) string {
	if t == nil {
		return "open"
	}
	return t.Format(time.DateOnly)
}

func newPricesImpactCmd(g *globals) *cobra.Command {
	var since, customer, floor string
	var change int64
	var byCustomer bool
	c := &cobra.Command{
		Use:   "impact [--change ID] [--customer X] [--since DATE] [--margin-floor PERCENT] [--by-customer]",
		Short: "What each recorded price change does to each customer's subscriptions, sorted by the day it lands",
		Long: "A price is locked for a subscription's term: the new price reaches it at its first renewal on or\n" +
			"after the change (monthly terms at their next monthly renewal), or at its start when bought after.\n" +
			"Amounts are per month in the customer's currency: the partner's cost, the customer's price under a\n" +
			"markup, and the margin left by a fixed price (flagged under --margin-floor, default 0 %).",
		Args:        cobra.NoArgs,
		Annotations: map[string]string{csvOutput: "yes"},
		RunE: func(cmd *cobra.Command, args []string) error {
			q := app.ImpactQuery{ChangeID: change, Customer: customer}
			if since != "" {
				d, err := time.Parse(time.DateOnly, since)
				if err != nil {
					return fmt.Errorf("--since: %q is not a date (2026-12-01)", since)
				}
				q.Since = d
			}
			f, err := money.ParsePlain(floor)
			if err != nil {
				return fmt.Errorf("--margin-floor: %w", err)
			}
			q.MarginFloorPercent = f
			return g.withApp(cmd, false, func(a *app.App) error {
				rep, err := a.PriceImpact(cmd.Context(), q)
				if err != nil {
					return err
				}
				if byCustomer {
					return printCustomerImpacts(g, pricing.ByCustomer(rep.Impacts), 0)
				}
				switch g.output {
				case "json":
					return writeJSON(g.stdout, rep)
				case "csv":
					w := csvout.NewWriter(g.stdout)
					_ = w.Write("reaches", "customer", "tenant_id", "sku", "subscription_id", "seats", "term", "billing_plan", "change_id", "kind", "old_term_price", "new_term_price",
						"currency", "cost_change_monthly", "customer_change_monthly", "margin_monthly", "margin_percent", "below_floor", "note")
					for _, im := range rep.Impacts {
						h := im.Holding
						_ = w.Write(dayCell(im.Reaches), h.Customer, h.TenantID, h.PartNumber, h.SubscriptionID, strconv.Itoa(h.Seats), h.Term, h.BillingPlan,
							strconv.FormatInt(im.Change.ID, 10), im.Change.Kind, decString(im.Change.Old), decString(im.Change.New), h.Currency,
							amountCell(im.CostChange), amountCell(im.CustomerChange), amountCell(im.Margin), decString(im.MarginPercent),
							strconv.FormatBool(im.BelowFloor), im.Note)
					}
					return w.Flush()
				}
				t := newTable(g.stdout, "REACHES", "CUSTOMER", "SKU", "SUBSCRIPTION", "SEATS", "CHANGE", "COST/MONTH", "CUSTOMER/MONTH", "MARGIN/SEAT", "NOTE")
				for _, im := range rep.Impacts {
					h := im.Holding
					change := im.Change.Kind
					if im.Change.Old != nil && im.Change.New != nil {
						change = fmt.Sprintf("%s %s → %s per %s", im.Change.Kind, im.Change.Old.String(), im.Change.New.String(), h.Term)
					}
					margin := amountText(im.Margin, h.Currency)
					if im.BelowFloor {
						margin += " (below the floor)"
					}
					reaches := dayCell(im.Reaches)
					if reaches == "" {
						reaches = "unknown"
					}
					t.row(reaches, h.Customer, h.PartNumber, shortSubject(h.SubscriptionID), strconv.Itoa(h.Seats), change,
						amountText(im.CostChange, h.Currency), amountText(im.CustomerChange, h.Currency), margin, im.Note)
				}
				if err := t.flush(); err != nil {
					return err
				}
				fmt.Fprintf(g.stdout, "%d subscriptions reached", len(rep.Impacts))
				if rep.Unmatched > 0 {
					fmt.Fprintf(g.stdout, "; %s not matched to the price list (offer or term unknown: import the offer matrix)", i18n.N(rep.Unmatched, "subscription"))
				}
				fmt.Fprintln(g.stdout)
				return nil
			})
		},
	}
	c.Flags().Int64Var(&change, "change", 0, "one change, by the id `prices changes` shows")
	c.Flags().StringVar(&customer, "customer", "", "one customer (tenant id, external reference or name)")
	c.Flags().StringVar(&since, "since", "", "only changes effective on or after this day (2026-12-01)")
	c.Flags().StringVar(&floor, "margin-floor", "0", "lowest acceptable margin of a fixed-price line, in percent")
	c.Flags().BoolVar(&byCustomer, "by-customer", false, "one line per customer and currency, the most costly first")
	return c
}

// printCustomerImpacts writes the impact per customer, the first limit of them (all
// when limit is 0).
func printCustomerImpacts(g *globals, rows []pricing.CustomerImpact, limit int) error {
	if limit > 0 {
		rows = rows[:min(limit, len(rows))]
	}
	switch g.output {
	case "json":
		return writeJSON(g.stdout, map[string]any{"customers": rows})
	case "csv":
		w := csvout.NewWriter(g.stdout)
		_ = w.Write("first_reaches", "customer", "tenant_id", "currency", "subscriptions", "cost_change_monthly", "customer_change_monthly",
			"retired", "below_floor", "unpriced")
		for _, c := range rows {
			_ = w.Write(dayCell(c.FirstReaches), c.Customer, c.TenantID, c.Currency, strconv.Itoa(c.Subscriptions), c.CostChange.String(),
				amountCell(c.CustomerChange), strconv.Itoa(c.Retired), strconv.Itoa(c.BelowFloor), strconv.Itoa(c.Unpriced))
		}
		return w.Flush()
	}
	t := newTable(g.stdout, "CUSTOMER", "FIRST REACHES", "SUBSCRIPTIONS", "COST/MONTH", "CUSTOMER/MONTH", "ALSO")
	for _, c := range rows {
		var also []string
		if c.Retired > 0 {
			also = append(also, i18n.N(c.Retired, "subscription")+" on a retired offer")
		}
		if c.BelowFloor > 0 {
			also = append(also, i18n.N(c.BelowFloor, "line")+" below the margin floor")
		}
		if c.Unpriced > 0 {
			also = append(also, i18n.N(c.Unpriced, "subscription")+" without a price list in its market or currency")
		}
		first := dayCell(c.FirstReaches)
		if first == "" {
			first = "unknown"
		}
		t.row(c.Customer, first, strconv.Itoa(c.Subscriptions), amountText(&c.CostChange, c.Currency), amountText(c.CustomerChange, c.Currency),
			cmp.Or(strings.Join(also, "; "), "-"))
	}
	return t.flush()
}

func dayCell(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

func amountCell(a *money.Amount) string {
	if a == nil {
		return ""
	}
	return a.String()
}

func amountText(a *money.Amount, currency string) string {
	if a == nil {
		return "-"
	}
	return currency + " " + a.String()
}

func newPricesFetchCmd(g *globals) *cobra.Command {
	var (
		markets []string
		month   string
		preview bool
	)
	c := &cobra.Command{
		Use:   "fetch --market NL [--market DE ...] [--month 2026-12 | --preview]",
		Short: "Download Partner Center's New Commerce price lists and import them",
		Long: "Downloads each market's licence-based price list of the month (default: the current one; --preview:\n" +
			"next month's) from Partner Center's price sheet API as the user signed in with `partner-center\n" +
			"login`, keeps it as pricesheet-NL-2026-12.csv in partner_center.download_dir, and imports it as\n" +
			"`prices import` does. A list already imported, in any order, writes no price and records no change.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			m, err := monthFlag(month)
			if err != nil {
				return err
			}
			return g.withApp(cmd, false, func(a *app.App) error {
				api, err := newPartnerAPI(a.Config, a.Log)
				if err != nil {
					return err
				}
				res, err := a.FetchPrices(cmd.Context(), api, markets, m, preview)
				if g.output == "json" && len(res) > 0 {
					if werr := writeJSON(g.stdout, map[string]any{"fetches": res}); werr != nil {
						return werr
					}
					return err
				}
				for _, r := range res {
					kind := "price list"
					if r.Preview {
						kind = "price list preview"
					}
					note := ""
					if !r.Saved {
						note = ", unchanged since it was last downloaded"
					}
					textf(g.stdout, "fetched the %s %s %s: %s, %d bytes%s\n", kind, r.Market, r.Month, r.File, r.Bytes, note)
					textf(g.stdout, "  imported: %s read, %d written, %d unchanged, %d ranges closed, %s\n",
						i18n.N(r.Import.Read, "price"), r.Import.Written, r.Import.Unchanged, r.Import.Closed, i18n.N(r.Import.Changes, "change"))
					if r.Import.Overridden > 0 {
						fmt.Fprintf(g.stdout, "  %d rows overridden in the file by a row of the same key starting later\n", r.Import.Overridden)
					}
				}
				return err
			})
		},
	}
	c.Flags().StringSliceVar(&markets, "market", nil, "market (two-letter country code); repeat or separate with commas for several")
	c.Flags().StringVar(&month, "month", "", "month of the list, 2026-12 (default: the current month)")
	c.Flags().BoolVar(&preview, "preview", false, "next month's list, as Partner Center previews it")
	_ = c.MarkFlagRequired("market")
	return c
}
