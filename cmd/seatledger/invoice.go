package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"github.com/seatledger/seatledger/internal/app"
	"github.com/seatledger/seatledger/internal/csvout"
	"github.com/seatledger/seatledger/internal/i18n"
	"github.com/seatledger/seatledger/internal/invoice"
)

func newReconcileInvoiceCmd(g *globals) *cobra.Command {
	var fetch bool
	var invoiceID string
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "invoice {FILE [FILE...] | --fetch --invoice ID}",
		Short: "Check Microsoft's invoice (reconciliation line items) against what seatledger says the partner bought",
		Long: "Reads Microsoft's New Commerce billed or unbilled reconciliation line items — Partner Center's CSV,\n" +
			"the JSON of its line-item APIs, or Graph's gzip'd JSON-lines export blobs — and checks every charge\n" +
			"against the subscriptions, seat history and locked prices seatledger holds for the months the charges\n" +
			"start in. Prints the totals per customer and currency, then the differences, largest first, each with\n" +
			"its reasons. Differences are findings: the exit status is 0 when the files could be read.\n\n" +
			"With --fetch --invoice ID, Graph exports the billed invoice's line items (application permission\n" +
			"PartnerBilling.Read.All in partner.tenant_id); the blobs are kept in the download folder, named on\n" +
			"stderr, so that the check can be rerun from the files.",
		Annotations: map[string]string{csvOutput: "yes"},
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case fetch && len(args) > 0:
				return errors.New("either name invoice files or fetch one with --fetch --invoice ID, not both")
			case !fetch && len(args) == 0:
				return errors.New("name the invoice files to check, or fetch one from Graph with --fetch --invoice ID")
			case fetch && invoiceID == "":
				return errors.New("--fetch needs --invoice ID: the number of Microsoft's invoice (G016907411, say)")
			case !fetch && invoiceID != "":
				return errors.New("--invoice goes with --fetch: without it, name the invoice files to check")
			case fetch && !validInvoiceID(invoiceID):
				return fmt.Errorf("--invoice %q: an invoice number is letters and digits (G016907411, say)", invoiceID)
			}
			var items []invoice.LineItem
			if !fetch {
				var err error
				if items, err = readInvoiceFiles(args); err != nil {
					return err
				}
			}
			return g.withApp(cmd, false, func(a *app.App) error {
				if fetch {
					files, err := fetchInvoice(cmd.Context(), a, invoiceID, timeout)
					if err != nil {
						return err
					}
					textf(g.stderr, "invoice %s: %s kept in %s\n", invoiceID, i18n.N(len(files), "blob"), filepath.Dir(files[0]))
					if items, err = readInvoiceFiles(files); err != nil {
						return err
					}
				}
				rep, err := a.CheckInvoice(cmd.Context(), items)
				if err != nil {
					return err
				}
				out := invoiceOutputOf(rep)
				switch g.output {
				case "json":
					return writeJSON(g.stdout, out)
				case "csv":
					return writeInvoiceCSV(g, out.Differences)
				}
				return printInvoice(g, out)
			})
		},
	}
	cmd.Flags().BoolVar(&fetch, "fetch", false, "fetch the invoice's line items from Microsoft Graph (with --invoice)")
	cmd.Flags().StringVar(&invoiceID, "invoice", "", "number of Microsoft's invoice to fetch (with --fetch)")
	cmd.Flags().DurationVar(&timeout, "timeout", 30*time.Minute, "how long to wait for Graph's export")
	return cmd
}

// readInvoiceFiles reads every file before anything is checked: a broken one stops
// the check.
func readInvoiceFiles(paths []string) ([]invoice.LineItem, error) {
	var items []invoice.LineItem
	var errs []error
	for _, path := range paths {
		lines, err := invoice.ParseFile(path)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		items = append(items, lines...)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("nothing checked: %w", errors.Join(errs...))
	}
	return items, nil
}

// invoiceOutput is a checked invoice as `reconcile invoice --output json` writes it.
type invoiceOutput struct {
	Lines       int               `json:"lines"`
	Charges     int               `json:"charges"`
	Totals      []invoiceTotal    `json:"totals"`
	Differences []invoiceDiffLine `json:"differences"`
}

// invoiceTotal is one customer's invoice in one currency: Microsoft's subtotals, the
// amounts seatledger expects, and Microsoft's less seatledger's.
type invoiceTotal struct {
	TenantID   string          `json:"tenantId"`
	Customer   string          `json:"customer"`
	Currency   string          `json:"currency"`
	Lines      int             `json:"lines"`
	Microsoft  decimal.Decimal `json:"microsoft"`
	Expected   decimal.Decimal `json:"expected"`
	Difference decimal.Decimal `json:"difference"`
}

// invoiceDiffLine is one charge that differs. Days are inclusive; quantities are
// seats (negative: credited); unit prices per seat per billing cycle; amounts in
// Currency; Difference is Microsoft's amount less the expected one.
type invoiceDiffLine struct {
	TenantID          string           `json:"tenantId"`
	Customer          string           `json:"customer"`
	SubscriptionID    string           `json:"subscriptionId"`
	ProductSKU        string           `json:"productSku"`
	ChargeType        string           `json:"chargeType,omitempty"`
	From              string           `json:"from,omitempty"`
	To                string           `json:"to,omitempty"`
	Quantity          decimal.Decimal  `json:"quantity"`
	UnitPrice         decimal.Decimal  `json:"unitPrice"`
	Amount            decimal.Decimal  `json:"amount"`
	ExpectedFrom      string           `json:"expectedFrom,omitempty"`
	ExpectedTo        string           `json:"expectedTo,omitempty"`
	ExpectedQuantity  *decimal.Decimal `json:"expectedQuantity,omitempty"`
	ExpectedUnitPrice *decimal.Decimal `json:"expectedUnitPrice,omitempty"`
	ExpectedAmount    decimal.Decimal  `json:"expectedAmount"`
	Difference        decimal.Decimal  `json:"difference"`
	Currency          string           `json:"currency"`
	Reasons           []string         `json:"reasons"`
	Note              string           `json:"note"`
	// Lines are where Microsoft's lines were read (FILE:LINE), none for a charge it
	// did not invoice; ExpectedSource where seatledger's numbers came from.
	Lines          []string `json:"lines"`
	ExpectedSource string   `json:"expectedSource,omitempty"`
}

func invoiceOutputOf(rep invoice.Report) invoiceOutput {
	out := invoiceOutput{Lines: rep.Lines, Charges: len(rep.Charges), Totals: []invoiceTotal{}, Differences: []invoiceDiffLine{}}
	for _, t := range rep.Totals {
		out.Totals = append(out.Totals, invoiceTotal{TenantID: t.TenantID, Customer: t.Customer, Currency: t.Currency, Lines: t.Lines,
			Microsoft: t.Microsoft, Expected: t.Expected, Difference: t.Microsoft.Sub(t.Expected)})
	}
	for _, c := range rep.Differences() {
		d := invoiceDiffLine{TenantID: c.TenantID, Customer: c.Customer, SubscriptionID: c.SubscriptionID, ProductSKU: c.ProductSKU,
			ChargeType: c.ChargeType, From: dayText(c.From), To: dayText(c.To), Quantity: c.Quantity, UnitPrice: c.UnitPrice, Amount: c.Amount,
			ExpectedAmount: c.ExpectedAmount, Difference: c.Difference(), Currency: c.Currency, Note: c.Note, Lines: c.Lines,
			ExpectedSource: c.ExpectedSource}
		if d.Lines == nil {
			d.Lines = []string{}
		}
		if c.Expected {
			q, p := c.ExpectedQuantity, c.ExpectedUnitPrice.Round(6)
			d.ExpectedFrom, d.ExpectedTo, d.ExpectedQuantity, d.ExpectedUnitPrice = dayText(c.ExpectedFrom), dayText(c.ExpectedTo), &q, &p
		}
		for _, r := range c.Reasons {
			d.Reasons = append(d.Reasons, string(r))
		}
		out.Differences = append(out.Differences, d)
	}
	return out
}

func dayText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

func printInvoice(g *globals, out invoiceOutput) error {
	t := newTable(g.stdout, "CUSTOMER", "CURRENCY", "LINES", "MICROSOFT", "EXPECTED", "DIFFERENCE")
	for _, tot := range out.Totals {
		t.row(tot.Customer, tot.Currency, fmt.Sprint(tot.Lines), tot.Microsoft.StringFixed(2), tot.Expected.StringFixed(2), tot.Difference.StringFixed(2))
	}
	if err := t.flush(); err != nil {
		return err
	}
	fmt.Fprintf(g.stdout, "\n%s read, %s checked, %s\n", i18n.N(out.Lines, "line"), i18n.N(out.Charges, "charge"), i18n.N(len(out.Differences), "difference"))
	if len(out.Differences) == 0 {
		return nil
	}
	fmt.Fprintln(g.stdout)
	d := newTable(g.stdout, "DIFFERENCE", "CUSTOMER", "SUBSCRIPTION", "CHARGE", "DAYS", "SEATS", "REASONS", "NOTE")
	for _, c := range out.Differences {
		days, seats := c.From+".."+c.To, c.Quantity.String()
		if len(c.Lines) == 0 {
			days, seats = c.ExpectedFrom+".."+c.ExpectedTo, "-"
		}
		if c.ExpectedQuantity != nil {
			seats += " (expected " + c.ExpectedQuantity.String() + ")"
		}
		d.row(c.Currency+" "+c.Difference.StringFixed(2), c.Customer, c.SubscriptionID, c.ChargeType, days, seats, strings.Join(c.Reasons, ", "), c.Note)
	}
	return d.flush()
}

func writeInvoiceCSV(g *globals, diffs []invoiceDiffLine) error {
	w := csvout.NewWriter(g.stdout)
	_ = w.Write("customer", "tenant_id", "subscription_id", "product_sku", "charge_type", "from", "to", "quantity", "unit_price", "amount",
		"expected_from", "expected_to", "expected_quantity", "expected_unit_price", "expected_amount", "difference", "currency", "reasons", "note",
		"lines", "expected_source")
	opt := func(d *decimal.Decimal) string {
		if d == nil {
			return ""
		}
		return d.String()
	}
	for _, c := range diffs {
		_ = w.Write(c.Customer, c.TenantID, c.SubscriptionID, c.ProductSKU, c.ChargeType, c.From, c.To, c.Quantity.String(), c.UnitPrice.String(),
			c.Amount.StringFixed(2), c.ExpectedFrom, c.ExpectedTo, opt(c.ExpectedQuantity), opt(c.ExpectedUnitPrice), c.ExpectedAmount.StringFixed(2),
			c.Difference.StringFixed(2), c.Currency, strings.Join(c.Reasons, "; "), c.Note, strings.Join(c.Lines, " "), c.ExpectedSource)
	}
	return w.Flush()
}
