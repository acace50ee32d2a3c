package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/seatledger/seatledger/internal/app"
	"github.com/seatledger/seatledger/internal/i18n"
	"github.com/seatledger/seatledger/internal/store"
	"github.com/seatledger/seatledger/internal/terms"
)

func newInventoryCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "inventory", Short: "What the customer tenants hold, as the last sync read it, and its history"}
	var tenants []string
	var withFree bool
	seats := &cobra.Command{
		Use:   "seats [--tenant ID ...]",
		Short: "Seats per customer and SKU: enabled, consumed, idle",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.withApp(cmd, false, func(a *app.App) error {
				lines, err := a.Seats(cmd.Context(), tenants)
				if err != nil {
					return err
				}
				if !withFree {
					lines = paidOnly(lines)
				}
				if g.output == "json" {
					return writeJSON(g.stdout, lines)
				}
				return printSeats(g, lines)
			})
		},
	}
	seats.Flags().StringSliceVar(&tenants, "tenant", nil, "only this customer tenant (repeatable)")
	seats.Flags().BoolVar(&withFree, "free", false, "include free and viral SKUs")

	var tenant string
	user := &cobra.Command{
		Use:   "user --tenant ID UPN|MAIL|OBJECT-ID",
		Short: "What a user holds and held, and from when",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return fmt.Errorf("name one user by principal name, mail address or object id: inventory user --tenant ID UPN (inventory users --tenant ID lists them)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.withApp(cmd, false, func(a *app.App) error {
				rec, err := a.UserHistory(cmd.Context(), tenant, args[0])
				if err != nil {
					return err
				}
				if g.output == "json" {
					return writeJSON(g.stdout, rec)
				}
				name, err := a.SKUName(cmd.Context())
				if err != nil {
					return err
				}
				signIn, _, err := a.SignInState(cmd.Context(), tenant)
				if err != nil {
					return err
				}
				return printUser(g, args[0], rec, name, signIn)
			})
		},
	}
	user.Flags().StringVar(&tenant, "tenant", "", "customer tenant id")
	_ = user.MarkFlagRequired("tenant")
	var usersTenant string
	users := &cobra.Command{
		Use:   "users --tenant ID",
		Short: "A tenant's users: account, type, licences and last sign-in",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.withApp(cmd, false, func(a *app.App) error {
				list, err := a.Users(cmd.Context(), usersTenant)
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
				signIn, note, err := a.SignInState(cmd.Context(), usersTenant)
				if err != nil {
					return err
				}
				t := newTable(g.stdout, "UPN", "NAME", "ACCOUNT", "TYPE", "LICENCES", "LAST SIGN-IN")
				for _, u := range list {
					state := accountState(u.Enabled)
					skus := make([]string, len(u.Assignments))
					for i, as := range u.Assignments {
						skus[i] = name(as.SKUID)
					}
					last := "never"
					switch at := u.LastActivity(); {
					case !signIn:
						last = "unknown"
					case !at.IsZero():
						last = day(&at)
					}
					t.row(u.Name(), u.DisplayName, state, u.UserType, strings.Join(skus, ", "), last)
				}
				if err := t.flush(); err != nil {
					return err
				}
				fmt.Fprintf(g.stdout, "%s\n", i18n.N(len(list), "user"))
				if !signIn {
					fmt.Fprintf(g.stdout, "last sign-ins unknown: %s\n", note)
				}
				return nil
			})
		},
	}
	users.Flags().StringVar(&usersTenant, "tenant", "", "customer tenant id")
	_ = users.MarkFlagRequired("tenant")
	var subsTenant string
	subs := &cobra.Command{
		Use:   "subscriptions --tenant X",
		Short: "A tenant's subscriptions: SKU, seats, status, trial, who sells them, term and where it came from, renewal, act-by",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.withApp(cmd, false, func(a *app.App) error {
				list, err := a.Subscriptions(cmd.Context(), subsTenant)
				if err != nil {
					return err
				}
				if g.output == "json" {
					return writeJSON(g.stdout, list)
				}
				return printSubscriptions(g, list)
			})
		},
	}
	subs.Flags().StringVar(&subsTenant, "tenant", "", "customer tenant id, external reference or name")
	_ = subs.MarkFlagRequired("tenant")
	cmd.AddCommand(seats, users, user, subs)
	return cmd
}

func printSubscriptions(g *globals, subs app.TenantSubscriptions) error {
	list := subs.Subscriptions
	t := newTable(g.stdout, "ID", "SKU", "SEATS", "STATUS", "TRIAL", "OWNER", "TERM", "RENEWAL", "AUTO-RENEW", "REFUND UNTIL", "ACT BY", "NEXT LIFECYCLE", "PARTNER CENTER")
	for _, s := range list {
		trial := "no"
		if s.IsTrial {
			trial = "yes"
		}
		term := "unknown"
		switch s.Term.Source {
		case terms.SourceGraph:
			term = s.Term.Length + " (inferred from Graph's dates)"
		case terms.SourceContract:
			term = s.Term.Length + " (from the contract)"
		case terms.SourcePartnerCenter:
			term = s.Term.Length + " (Partner Center)"
		}
		autoRenew, refund, link := "-", "-", "not linked"
		if pl := s.Partner; pl != nil {
			autoRenew, link = "off", pl.Subscription.ID[:min(8, len(pl.Subscription.ID))]+" ("+pl.Rule+")"
			if pl.Subscription.AutoRenew {
				autoRenew = "on"
			}
			if s.Partner.Subscription.BillingCycle != "" {
				term += ", billed " + pl.Subscription.BillingCycle
			}
			if s.Reduction.Open {
				refund = closingTime(s.Reduction.Until)
				if s.Reduction.Seats > 0 {
					refund += " (" + i18n.N(s.Reduction.Seats, "seat") + ")"
				}
			}
		}
		renewal := "-"
		switch {
		case !s.Term.Renewal.IsZero():
			renewal = s.Term.Renewal.Format(time.DateOnly)
		case s.Status != terms.StatusEnabled:
			renewal = "none: " + strings.ToLower(s.Status)
		}
		next := "-"
		if s.NextLifecycle != nil {
			next = s.NextLifecycle.UTC().Format(time.DateOnly)
		}
		t.row(s.ID[:min(8, len(s.ID))], s.PartNumber, strconv.Itoa(s.TotalLicenses), s.Status, trial, s.Owner, term, renewal, autoRenew, refund, dateText(s.ActBy), next, link)
	}
	if err := t.flush(); err != nil {
		return err
	}
	if len(subs.UnlinkedPartner) > 0 {
		fmt.Fprintf(g.stdout, "\nPartner Center subscriptions no subscription above matches:\n")
		u := newTable(g.stdout, "PARTNER CENTER ID", "OFFER", "NAME", "TYPE", "QUANTITY", "STATUS", "TERM", "BILLED", "COMMITMENT END", "AUTO-RENEW")
		for _, p := range subs.UnlinkedPartner {
			end, renew := "-", "off"
			if p.CommitmentEnd != nil {
				end = p.CommitmentEnd.UTC().Format(time.DateOnly)
			}
			if p.AutoRenew {
				renew = "on"
			}
			u.row(p.ID, p.OfferID, p.OfferName, p.ProductType, strconv.Itoa(p.Quantity), p.Status, p.TermDuration, p.BillingCycle, end, renew)
		}
		return u.flush()
	}
	return nil
}

func paidOnly(lines []app.SeatLine) []app.SeatLine {
	out := lines[:0:0]
	for _, l := range lines {
		if !l.Free {
			out = append(out, l)
		}
	}
	return out
}

func printSeats(g *globals, lines []app.SeatLine) error {
	t := newTable(g.stdout, "CUSTOMER", "SKU", "NAME", "STATUS", "ENABLED", "WARNING", "SUSPENDED", "CONSUMED", "PAID", "TRIAL", "IDLE", "OVER")
	var enabled, warning, suspended, consumed, paid, trial, idle, over int
	for _, l := range lines {
		if l.NotSynced != "" {
			t.row(l.Customer, "-", "", l.NotSynced, "-", "-", "-", "-", "-", "-", "-", "-")
			continue
		}
		if l.Capacity {
			// Units of tenant-level capacity are not seats: shown, never counted as such.
			t.row(l.Customer, l.PartNumber, l.DisplayName, l.CapabilityStatus+" (capacity)", strconv.Itoa(l.Enabled)+" units", "-", "-", "-", "-", "-", "-", "-")
			continue
		}
		t.row(l.Customer, l.PartNumber, l.DisplayName, l.CapabilityStatus, strconv.Itoa(l.Enabled), strconv.Itoa(l.Warning), strconv.Itoa(l.Suspended+l.LockedOut),
			strconv.Itoa(l.Consumed), strconv.Itoa(l.Paid), strconv.Itoa(l.Trial), strconv.Itoa(l.Idle), strconv.Itoa(l.OverAssigned))
		enabled, warning, suspended, consumed = enabled+l.Enabled, warning+l.Warning, suspended+l.Suspended+l.LockedOut, consumed+l.Consumed
		paid, trial, idle, over = paid+l.Paid, trial+l.Trial, idle+l.Idle, over+l.OverAssigned
	}
	t.row("TOTAL", "", "", "", strconv.Itoa(enabled), strconv.Itoa(warning), strconv.Itoa(suspended), strconv.Itoa(consumed), strconv.Itoa(paid),
		strconv.Itoa(trial), strconv.Itoa(idle), strconv.Itoa(over))
	if err := t.flush(); err != nil {
		return err
	}
	fmt.Fprintln(g.stdout, "PAID: running seats bought (no trials, none in grace); IDLE: paid seats nobody holds; WARNING: seats in grace until suspended; OVER: users beyond every seat")
	return nil
}

func printUser(g *globals, upn string, rec *store.UserRecord, skuName func(string) string, signInKnown bool) error {
	w := g.stdout
	if u := rec.User; u != nil {
		state := accountState(u.Enabled)
		textf(w, "%s (%s), %s %s account, id %s\n", u.Name(), u.DisplayName, state, u.UserType, u.ID)
		if u.Mail != "" && !strings.EqualFold(u.Mail, u.UPN) {
			textf(w, "mail %s\n", u.Mail)
		}
		if u.Created != nil {
			fmt.Fprintf(w, "created %s\n", u.Created.UTC().Format(time.RFC3339))
		}
		switch at := u.LastActivity(); {
		case !signInKnown:
			fmt.Fprintln(w, "last sign-in unknown: the tenant gives no sign-in activity (Entra ID P1/P2 or AuditLog.Read.All missing)")
		case at.IsZero():
			fmt.Fprintln(w, "never signed in (as far as Graph knows: it keeps no sign-in before April 2020, and none where the tenant has no Entra ID P1/P2)")
		case u.LastSuccessfulSignIn != nil:
			fmt.Fprintf(w, "last successful sign-in %s\n", at.Format(time.RFC3339))
		default:
			fmt.Fprintf(w, "last sign-in %s (successful or not: Graph gave no successful-sign-in date)\n", at.Format(time.RFC3339))
		}
		// Failed attempts move the other two: say so when they are later.
		if u.LastSuccessfulSignIn != nil {
			for _, other := range []struct {
				what string
				at   *time.Time
			}{{"interactive", u.LastSignIn}, {"non-interactive", u.LastNonInteractive}} {
				if other.at != nil && other.at.After(*u.LastSuccessfulSignIn) {
					fmt.Fprintf(w, "last %s sign-in attempt %s (not successful)\n", other.what, other.at.Format(time.RFC3339))
				}
			}
		}
		if u.MailboxPurpose != "" {
			textf(w, "mailbox: %s\n", u.MailboxPurpose)
		}
	} else {
		textf(w, "%s is no longer in the directory\n", upn)
	}
	if len(rec.Assignments) == 0 {
		fmt.Fprintln(w, "\nholds now: no licences")
	} else {
		fmt.Fprintln(w, "\nholds now:")
		t := newTable(w, "SKU", "VIA", "STATE", "ERROR")
		for _, a := range rec.Assignments {
			t.row(skuName(a.SKUID), via(a.Group), a.State, a.Error)
		}
		if err := t.flush(); err != nil {
			return err
		}
	}
	fmt.Fprintln(w, "\nlicence history:")
	t := newTable(w, "SKU", "VIA", "FROM", "TO")
	for _, h := range rec.Holdings {
		t.row(skuName(h.SKUID), via(h.Group), day(&h.From), day(h.To))
	}
	if err := t.flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\naccount history:")
	t = newTable(w, "ACCOUNT", "FROM", "TO")
	for _, e := range rec.Enabled {
		state := accountState(e.Enabled)
		t.row(state, day(&e.From), day(e.To))
	}
	return t.flush()
}

func via(group string) string {
	if group == "" {
		return "direct"
	}
	return "group " + group
}

func day(t *time.Time) string {
	if t == nil {
		return "now"
	}
	return t.UTC().Format("2006-01-02 15:04")
}

func accountState(enabled bool) string {
	if enabled {
		return "enabled"
	}
	return "disabled"
}

func closingTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04") + " UTC" }
