package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/seatledger/seatledger/internal/advice"
	"github.com/seatledger/seatledger/internal/app"
	"github.com/seatledger/seatledger/internal/csvout"
	"github.com/seatledger/seatledger/internal/i18n"
	"github.com/seatledger/seatledger/internal/money"
	"github.com/seatledger/seatledger/internal/reconcile"
	"github.com/seatledger/seatledger/internal/store"
)

func newAdviseCmd(g *globals) *cobra.Command {
	var tenants []string
	cmd := &cobra.Command{
		Use:   "advise [--tenant ID ...]",
		Short: "Run the licence advice rules over the synced tenants and record the findings",
		Long: "Findings are kept across runs by a stable fingerprint: new ones open, known ones are updated,\n" +
			"ones whose condition is gone resolve; acknowledgements and suppressions stay. Thresholds are\n" +
			"in the advice section of the configuration. List the result with `seatledger findings list`.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.withApp(cmd, false, func(a *app.App) error {
				results, err := a.Advise(cmd.Context(), app.AdviseOptions{Customers: tenants})
				if err != nil {
					return err
				}
				if g.output == "json" {
					return writeJSON(g.stdout, results)
				}
				printAdvice(g, results)
				return nil
			})
		},
	}
	cmd.Flags().StringSliceVar(&tenants, "tenant", nil, "only this customer (tenant id, external reference or name; repeatable)")
	return cmd
}

func printAdvice(g *globals, results []app.AdviceResult) {
	var total store.FindingCounts
	findings, notSynced := 0, 0
	for _, r := range results {
		if r.NotSynced != "" {
			// Never "0 findings": nothing was judged.
			textf(g.stdout, "%s: not judged, %s\n", r.Customer, r.NotSynced)
			notSynced++
			continue
		}
		textf(g.stdout, "%s: %s (%d new, %d resolved)\n", r.Customer, i18n.N(r.Findings, "finding"), r.Counts.New, r.Counts.Resolved)
		for _, n := range r.Notes {
			textf(g.stdout, "  note: %s\n", n)
		}
		findings += r.Findings
		total.New += r.Counts.New
		total.Resolved += r.Counts.Resolved
		total.Reopened += r.Counts.Reopened
	}
	fmt.Fprintf(g.stdout, "%s, %s: %d new, %d reopened, %d resolved\n", i18n.N(len(results)-notSynced, "tenant"), i18n.N(findings, "finding"), total.New, total.Reopened, total.Resolved)
	if notSynced > 0 {
		fmt.Fprintf(g.stdout, "%s not judged: no successful sync (seatledger customers status tells why)\n", i18n.N(notSynced, "customer"))
	}
}

func newFindingsCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "findings", Short: "What the advice found: list, acknowledge, suppress, exclude"}
	var q app.FindingsQuery
	var limit int
	var wide bool
	list := &cobra.Command{
		Use:         "list [--customer X] [--kind K] [--all]",
		Short:       "List findings, largest monthly saving first, with totals per customer",
		Annotations: map[string]string{csvOutput: "yes"},
		Args:        cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if limit < 0 {
				return fmt.Errorf("--limit: %d is negative", limit)
			}
			return g.withApp(cmd, false, func(a *app.App) error {
				rep, err := a.Findings(cmd.Context(), q)
				if err != nil {
					return err
				}
				if limit > 0 && len(rep.Findings) > limit {
					rep.Findings = rep.Findings[:limit]
				}
				switch g.output {
				case "json":
					return writeJSON(g.stdout, rep)
				case "csv":
					return writeFindingsCSV(g, rep.Findings)
				}
				return printFindings(g, rep, wide)
			})
		},
	}
	list.Flags().StringVar(&q.Customer, "customer", "", "only this customer (tenant id, external reference or name)")
	list.Flags().StringVar(&q.Kind, "kind", "", "only this kind: "+strings.Join(advice.Kinds, ", "))
	list.Flags().BoolVar(&q.All, "all", false, "include resolved and suppressed findings")
	list.Flags().BoolVar(&wide, "wide", false, "show each finding's evidence, what it lacks and its saving note on lines of their own, and the whole action")
	list.Flags().IntVar(&limit, "limit", 0, "show at most this many findings (totals still cover all)")
	list.Flags().StringVar(&q.Sort, "sort", app.SortSaving, "order: saving (largest first) or act-by (soonest first)")
	cmd.AddCommand(list,
		statusCmd(g, "ack FINGERPRINT --reason TEXT", "Acknowledge a finding: known and accepted for now; it stays listed and counted", store.StatusAcknowledged),
		statusCmd(g, "suppress FINGERPRINT --reason TEXT", "Suppress a finding: hidden from lists and totals across runs", store.StatusSuppressed),
		statusCmd(g, "reopen FINGERPRINT", "Undo an acknowledgement or suppression", store.StatusOpen),
		excludeCmd(g), exclusionsCmd(g))
	return cmd
}

func statusCmd(g *globals, use, short, status string) *cobra.Command {
	var reason string
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Long:  short + ".\nA fingerprint may be shortened to its first 8 characters, as `findings list` shows it.",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.withApp(cmd, false, func(a *app.App) error {
				f, err := a.SetFindingStatus(cmd.Context(), args[0], status, reason)
				if err != nil {
					return err
				}
				if g.output == "json" {
					return writeJSON(g.stdout, f)
				}
				state := f.Status
				if f.ResolvedAt != nil {
					state += " (its condition is resolved; the status applies if it comes back)"
				}
				textf(g.stdout, "%s %s %s %s: %s\n", f.Fingerprint[:8], f.Kind, f.SKUs, strings.TrimSpace(f.Subject), state)
				return nil
			})
		},
	}
	if status != store.StatusOpen {
		cmd.Flags().StringVar(&reason, "reason", "", "why (written to the finding and the audit log)")
	}
	return cmd
}

func excludeCmd(g *globals) *cobra.Command {
	var customer, sku, user, reason string
	cmd := &cobra.Command{
		Use:   "exclude [--customer X] [--sku S] [--user UPN] --reason TEXT",
		Short: "Keep findings away from a customer, a SKU, a user or a combination (non-profit grants, service accounts)",
		Long:  "Takes effect at the next `seatledger advise`, which then resolves the findings it no longer makes.",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.withApp(cmd, false, func(a *app.App) error {
				e, err := a.AddExclusion(cmd.Context(), customer, sku, user, reason)
				if err != nil {
					return err
				}
				for _, w := range e.Warnings {
					textf(g.stderr, "warning: %s\n", w)
				}
				if g.output == "json" {
					return writeJSON(g.stdout, e)
				}
				fmt.Fprintf(g.stdout, "exclusion %d added: the next `seatledger advise` takes its findings out of lists and totals (listed as excluded with --all)\n", e.ID)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&customer, "customer", "", "tenant id, external reference or name")
	cmd.Flags().StringVar(&sku, "sku", "", "part number, GUID or Partner Center ProductId:SkuId")
	cmd.Flags().StringVar(&user, "user", "", "user principal name")
	cmd.Flags().StringVar(&reason, "reason", "", "why")
	return cmd
}

func exclusionsCmd(g *globals) *cobra.Command {
	var remove int64
	cmd := &cobra.Command{
		Use:   "exclusions [--remove ID]",
		Short: "List the exclusions, or remove one",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.withApp(cmd, false, func(a *app.App) error {
				if remove > 0 {
					if err := a.RemoveExclusion(cmd.Context(), remove); err != nil {
						return err
					}
					fmt.Fprintf(g.stdout, "exclusion %d removed\n", remove)
					return nil
				}
				list, err := a.Exclusions(cmd.Context())
				if err != nil {
					return err
				}
				if g.output == "json" {
					return writeJSON(g.stdout, list)
				}
				name, err := a.SKUName(cmd.Context())
				if err != nil {
					return err
				}
				t := newTable(g.stdout, "ID", "CUSTOMER", "SKU", "USER", "REASON")
				for _, e := range list {
					sku := "*"
					if e.SKUID != "" {
						sku = name(e.SKUID)
					}
					t.row(strconv.FormatInt(e.ID, 10), orAny(e.Customer), sku, orAny(e.UPN), e.Reason)
				}
				return t.flush()
			})
		},
	}
	cmd.Flags().Int64Var(&remove, "remove", 0, "remove the exclusion with this id")
	return cmd
}

func orAny(s string) string {
	if s == "" {
		return "*"
	}
	return s
}

// moneyText shows a monthly amount for people: "unknown" when a price is missing,
// "-" when there is no money in it, "≥" when it covers only part of the seats.
func moneyText(amount *money.Amount, note, currency string) string {
	switch {
	case amount != nil:
		return atLeast(note) + currency + " " + amount.StringFixed(2)
	case strings.HasPrefix(note, "unknown"):
		return "unknown"
	}
	return "-"
}

// atLeast marks an amount that covers only part of the seats.
func atLeast(note string) string {
	if strings.HasPrefix(note, "at least") {
		return "≥ "
	}
	return ""
}

func printFindings(g *globals, rep app.FindingsReport, wide bool) error {
	if err := printFindingRows(g, rep.Findings, wide); err != nil {
		return err
	}
	listed := i18n.N(len(rep.Findings), "finding")
	if rep.Total > len(rep.Findings) {
		listed = fmt.Sprintf("%d of %s listed", len(rep.Findings), i18n.N(rep.Total, "finding"))
	}
	fmt.Fprintf(g.stdout, "\n%s\n\nsavings per month of the open and acknowledged findings:\n", listed)
	return printTotals(g, rep.Totals)
}

// actionWidth keeps the ACTION column within a terminal; --wide shows it whole.
const actionWidth = 60

func printFindingRows(g *globals, list []app.FindingLine, wide bool) error {
	if wide {
		for _, f := range list {
			textf(g.stdout, "%s  %s  %s %s %s  seats %d  saving %s  act by %s  %s  confidence %s\n", f.Fingerprint[:8], f.Customer, f.Kind, f.SKUs,
				shortSubject(f.Subject), f.Seats, moneyText(f.MonthlySaving, f.SavingNote, f.Currency), dateText(f.ActBy), f.State, confidenceText(f.Finding))
			textf(g.stdout, "    evidence: %s\n    action:   %s\n", f.Evidence, f.Action)
			if f.SavingNote != "" || f.SavingFor != "" {
				textf(g.stdout, "    saving:   %s\n", strings.TrimPrefix(strings.Join(nonEmpty(savingForText(f.SavingFor), f.SavingNote), "; "), "; "))
			}
			if len(f.Missing) > 0 {
				textf(g.stdout, "    missing:  %s\n", strings.Join(f.Missing, "; "))
			}
		}
		return nil
	}
	t := newTable(g.stdout, "ID", "CUSTOMER", "KIND", "SKU", "SUBJECT", "SEATS", "SAVING/MONTH", "ACT BY", "STATE", "CONFIDENCE", "ACTION")
	for _, f := range list {
		t.row(f.Fingerprint[:8], f.Customer, f.Kind, f.SKUs, shortSubject(f.Subject), strconv.Itoa(f.Seats), moneyText(f.MonthlySaving, f.SavingNote, f.Currency),
			dateText(f.ActBy), f.State, confidenceText(f.Finding), clip(f.Action, actionWidth))
	}
	return t.flush()
}

// confidenceText marks findings that rest on too little to act on unreviewed.
func confidenceText(f advice.Finding) string {
	if f.ReviewOnly() {
		return "low: review"
	}
	return f.Confidence
}

func savingForText(whose string) string {
	switch whose {
	case advice.ForPartner:
		return "the partner's money"
	case advice.ForCustomer:
		return "the customer's money"
	}
	return ""
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// clip shortens text to n characters, marking the cut.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func printTotals(g *globals, totals []app.CustomerSavings) error {
	t := newTable(g.stdout, "CUSTOMER", "FINDINGS", "SAVING/MONTH", "OF WHICH REVIEW-ONLY", "SAVING UNKNOWN")
	for _, c := range totals {
		if c.NotSynced != "" {
			t.row(c.Customer, "-", c.NotSynced, "-", "-")
			continue
		}
		saving := "unknown"
		if c.Monthly != nil {
			saving = c.Currency + " " + c.Monthly.String()
		}
		review := "-"
		if !c.ReviewOnly.IsZero() {
			review = c.Currency + " " + c.ReviewOnly.StringFixed(2)
		}
		t.row(c.Customer, strconv.Itoa(c.Findings), saving, review, strconv.Itoa(c.Unpriced)+" findings")
	}
	return t.flush()
}

// shortSubject keeps subscription ids readable in a table.
func shortSubject(s string) string {
	if len(s) == 36 && strings.Count(s, "-") == 4 {
		return "subscription " + s[:8]
	}
	return s
}

func writeFindingsCSV(g *globals, list []app.FindingLine) error {
	w := csvout.NewWriter(g.stdout)
	_ = w.Write("fingerprint", "customer", "tenant_id", "kind", "skus", "subject", "user_id", "seats", "monthly_saving", "currency",
		"saving_note", "saving_for", "confidence", "missing", "act_by", "state", "status_reason", "status_by", "evidence", "action", "first_seen", "last_seen")
	for _, f := range list {
		saving := ""
		if f.MonthlySaving != nil {
			saving = f.MonthlySaving.StringFixed(2)
		}
		actBy := ""
		if f.ActBy != nil {
			actBy = f.ActBy.Format(time.DateOnly)
		}
		_ = w.Write(f.Fingerprint, f.Customer, f.TenantID, f.Kind, f.SKUs, f.Subject, f.UserID, strconv.Itoa(f.Seats), saving, f.Currency,
			f.SavingNote, f.SavingFor, f.Confidence, strings.Join(f.Missing, "; "), actBy, f.State, f.StatusReason, f.StatusBy, f.Evidence, f.Action, f.FirstSeen.Format(time.RFC3339), f.LastSeen.Format(time.RFC3339))
	}
	return w.Flush()
}

func newReconcileCmd(g *globals) *cobra.Command {
	var customer string
	var all bool
	cmd := &cobra.Command{
		Use:   "reconcile [--customer X]",
		Short: "Compare per customer and SKU the seats assigned, the subscriptions and the contract",
		Long: "Mismatches: under-billed (the partner pays for seats the contract does not bill), over-billed\n" +
			"(the contract bills seats that do not exist), unassigned seats, subscriptions with no contract\n" +
			"line, contract lines with no subscription, subscriptions held with another partner or direct.",
		Annotations: map[string]string{csvOutput: "yes"},
		Args:        cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.withApp(cmd, false, func(a *app.App) error {
				rows, err := a.Reconcile(cmd.Context(), customer, nil)
				if err != nil {
					return err
				}
				switch g.output {
				case "json":
					return writeJSON(g.stdout, rows)
				case "csv":
					return writeReconcileCSV(g, rows)
				}
				return printReconcile(g, rows, all)
			})
		},
	}
	cmd.Flags().StringVar(&customer, "customer", "", "only this customer (tenant id, external reference or name)")
	cmd.Flags().BoolVar(&all, "all", false, "show SKUs that agree too")
	cmd.AddCommand(newReconcileInvoiceCmd(g))
	return cmd
}

func printReconcile(g *globals, rows []reconcile.Row, all bool) error {
	t := newTable(g.stdout, "CUSTOMER", "SKU", "ASSIGNED", "PARTNER", "OTHER", "DIRECT", "UNKNOWN", "TRIAL", "GRACE", "PURCHASED", "CONTRACT", "MISMATCH", "SEATS", "MONEY/MONTH", "REASON")
	mismatches := 0
	for _, r := range rows {
		contract := strconv.Itoa(r.ContractSeats)
		if r.AsAssigned {
			contract += " (as assigned)"
		}
		cells := []string{r.Customer, r.PartNumber, strconv.Itoa(r.Assigned), strconv.Itoa(r.PartnerSeats), strconv.Itoa(r.OtherPartnerSeats),
			strconv.Itoa(r.DirectSeats), strconv.Itoa(r.UnknownSeats), strconv.Itoa(r.TrialSeats), strconv.Itoa(r.GraceSeats), purchased(r), contract}
		if len(r.Mismatches) == 0 && all {
			t.row(append(cells, "ok", "", "", "")...)
		}
		for _, m := range r.Mismatches {
			t.row(append(cells, m.Kind, strconv.Itoa(m.Seats), moneyText(m.Monthly, m.MoneyNote, r.Currency), m.Reason)...)
			mismatches++
		}
	}
	if err := t.flush(); err != nil {
		return err
	}
	fmt.Fprintf(g.stdout, "\n%s compared, %s\n", i18n.N(len(rows), "sku"), i18n.N(mismatches, "mismatch"))
	if mismatches > 0 {
		fmt.Fprintln(g.stdout, "money is per mismatch and per month; under-billed and unassigned seats can be the same seats, so the column does not add up")
	}
	return nil
}

func writeReconcileCSV(g *globals, rows []reconcile.Row) error {
	w := csvout.NewWriter(g.stdout)
	_ = w.Write("customer", "tenant_id", "sku", "assigned", "partner_seats", "other_partner_seats", "direct_seats", "unknown_seats", "trial_seats",
		"grace_seats", "capacity", "purchased_seats", "contract_seats", "as_assigned", "mismatch", "seats", "monthly", "currency", "reason", "money_note")
	for _, r := range rows {
		for _, m := range r.Mismatches {
			money := ""
			if m.Monthly != nil {
				money = m.Monthly.StringFixed(2)
			}
			_ = w.Write(r.Customer, r.TenantID, r.PartNumber, strconv.Itoa(r.Assigned), strconv.Itoa(r.PartnerSeats), strconv.Itoa(r.OtherPartnerSeats),
				strconv.Itoa(r.DirectSeats), strconv.Itoa(r.UnknownSeats), strconv.Itoa(r.TrialSeats), strconv.Itoa(r.GraceSeats), strconv.FormatBool(r.Capacity),
				purchasedCell(r), strconv.Itoa(r.ContractSeats), strconv.FormatBool(r.AsAssigned),
				m.Kind, strconv.Itoa(m.Seats), money, r.Currency, m.Reason, m.MoneyNote)
		}
	}
	return w.Flush()
}

// purchased is Partner Center's count of seats bought, "-" where it said nothing.
func purchased(r reconcile.Row) string {
	if !r.PartnerCenter {
		return "-"
	}
	return strconv.Itoa(r.PurchasedSeats)
}

// purchasedCell is purchased for spreadsheets: empty where Partner Center said nothing.
func purchasedCell(r reconcile.Row) string {
	if !r.PartnerCenter {
		return ""
	}
	return strconv.Itoa(r.PurchasedSeats)
}
