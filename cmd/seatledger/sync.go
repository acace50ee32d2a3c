package main

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/seatledger/seatledger/internal/app"
	"github.com/seatledger/seatledger/internal/graph"
	"github.com/seatledger/seatledger/internal/i18n"
	"github.com/seatledger/seatledger/internal/partnercenter"
)

func newSyncCmd(g *globals) *cobra.Command {
	var tenants []string
	var all bool
	var concurrency int
	cmd := &cobra.Command{
		Use:   "sync [--tenant ID ...] [--all]",
		Short: "Read customer tenants' licences, subscriptions and assignments from Microsoft Graph and store what changed",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case all && len(tenants) > 0:
				return fmt.Errorf("--all and --tenant cannot be combined: --all reads every customer")
			case !all && len(tenants) == 0:
				return fmt.Errorf("name the tenants with --tenant ID, or read every customer with --all")
			}
			return g.withApp(cmd, false, func(a *app.App) error {
				reader, err := newGraphReader(a)
				if err != nil {
					return err
				}
				opts := app.SyncOptions{Tenants: tenants, Concurrency: concurrency, Progress: newProgress(g.stderr)}
				if a.Config.PartnerCenter.Enabled {
					if opts.Partner, err = newPartnerReader(a); err != nil {
						return err
					}
				}
				sum, err := a.Sync(cmd.Context(), reader, opts)
				if sum == nil {
					return err
				}
				if perr := printSyncSummary(g, sum); perr != nil {
					return perr
				}
				if errors.Is(err, app.ErrInterrupted) {
					return fmt.Errorf("the sync was interrupted: %d of %s were stored; %d cut short and %d never started keep their previous state; run the sync again to read them",
						sum.OK, i18n.N(len(sum.Tenants)+sum.NotStarted, "tenant"), sum.Interrupted, sum.NotStarted)
				}
				if err != nil {
					return err
				}
				if sum.Failed > 0 {
					kept := "their previous state is kept"
					if sum.Failed == 1 {
						kept = "its previous state is kept"
					}
					return fmt.Errorf("%d of %s failed; %s", sum.Failed, i18n.N(sum.OK+sum.Failed, "tenant"), kept)
				}
				return nil
			})
		},
	}
	cmd.Flags().StringSliceVar(&tenants, "tenant", nil, "customer tenant id to read (repeatable)")
	cmd.Flags().BoolVar(&all, "all", false, "read every registered customer")
	cmd.Flags().IntVar(&concurrency, "concurrency", 0, "tenants read at once (default graph.concurrency)")
	return cmd
}

// newGraphReader builds the Graph adapter from the application's configuration.
func newGraphReader(a *app.App) (*graph.Client, error) { return graph.New(graphConfig(a)) }

func graphConfig(a *app.App) graph.Config {
	c := a.Config.Graph
	return graph.Config{
		ClientID: c.ClientID, ClientSecret: c.ClientSecret, CertificateFile: c.CertificateFile, Cloud: c.Cloud,
		BaseURL: c.BaseURL, AuthorityHost: c.AuthorityHost, CAFile: c.CAFile,
		RequestTimeout: c.RequestTimeout, PageSize: c.PageSize, Log: a.Log,
	}
}

// newPartnerReader builds the Partner Center adapter from the application's
// configuration: the same app registration as Graph, signed in to the partner's
// own tenant.
func newPartnerReader(a *app.App) (*partnercenter.Client, error) {
	return partnercenter.New(partnerConfig(a))
}

func partnerConfig(a *app.App) partnercenter.Config {
	c, pc := a.Config.Graph, a.Config.PartnerCenter
	return partnercenter.Config{
		PartnerTenantID: a.Config.Partner.TenantID, ClientID: c.ClientID, ClientSecret: c.ClientSecret, CertificateFile: c.CertificateFile,
		Cloud: c.Cloud, BaseURL: pc.BaseURL, AuthorityHost: cmp.Or(pc.AuthorityHost, c.AuthorityHost), CAFile: c.CAFile,
		RequestTimeout: c.RequestTimeout, Log: a.Log,
	}
}

// newProgress reports each finished tenant: a bar redrawn in place on a terminal,
// one plain line per tenant otherwise (logs, CI).
func newProgress(w io.Writer) func(done, total int, r app.TenantResult) {
	if isTerminal(w) {
		return func(done, total int, r app.TenantResult) {
			const width = 30
			filled := width * done / max(total, 1)
			textf(w, "\r[%s%s] %d/%d tenants %-30.30s", strings.Repeat("#", filled), strings.Repeat(".", width-filled), done, total, r.Customer)
			if done == total {
				fmt.Fprintln(w)
			}
		}
	}
	return func(done, total int, r app.TenantResult) {
		switch {
		case r.OK:
			textf(w, "[%d/%d] %s (%s): ok, %s, %s\n", done, total, r.Customer, r.TenantID, i18n.N(r.Users, "user"), i18n.N(r.Changes, "change"))
		case r.Interrupted:
			textf(w, "[%d/%d] %s (%s): %s\n", done, total, r.Customer, r.TenantID, r.Error)
		default:
			textf(w, "[%d/%d] %s (%s): FAILED: %s\n", done, total, r.Customer, r.TenantID, r.Error)
		}
	}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func printSyncSummary(g *globals, sum *app.SyncSummary) error {
	if g.output == "json" {
		return writeJSON(g.stdout, sum)
	}
	w := g.stdout
	fmt.Fprintf(w, "sync run %d: %s in %s\n", sum.RunID, sum.Status, sum.Elapsed.Round(time.Millisecond))
	fmt.Fprintf(w, "  tenants ok      %d\n  tenants failed  %d\n  users           %d\n  SKUs            %d\n  paid seats      %d\n  changes written %d\n  Graph requests  %d\n",
		sum.OK, sum.Failed, sum.Users, sum.SKUs, sum.Seats, sum.Changes, sum.Requests)
	if d := sum.Discovery; d != nil {
		fmt.Fprintf(w, "  Partner Center  %d customers listed, %d discovered, %d ended\n", d.Listed, len(d.Discovered), len(d.Ended))
		for _, name := range d.Discovered {
			fmt.Fprintf(w, "  discovered %s: synced and advised; complete it with `seatledger customers import`\n", name)
		}
	}
	read, subs := 0, 0
	for _, r := range sum.Tenants {
		if r.PartnerCenterRead {
			read, subs = read+1, subs+r.PartnerCenterSubscriptions
		}
	}
	if read+sum.PartnerCenterFailed > 0 {
		fmt.Fprintf(w, "  Partner Center  %s read, %s\n", i18n.N(read, "tenant"), i18n.N(subs, "subscription"))
	}
	if sum.DiscoveryError != "" {
		fmt.Fprintf(w, "  Partner Center customer discovery FAILED: %s\n", sum.DiscoveryError)
	}
	if sum.PartnerCenterFailed > 0 {
		fmt.Fprintf(w, "  Partner Center failed for %s; their previous Partner Center data is kept\n", i18n.N(sum.PartnerCenterFailed, "tenant"))
	}
	if sum.Interrupted+sum.NotStarted > 0 {
		fmt.Fprintf(w, "  tenants cut short %d\n  never started   %d\n", sum.Interrupted, sum.NotStarted)
	}
	for _, r := range sum.Tenants {
		switch {
		case r.Interrupted:
			textf(w, "  INTERRUPTED %s (%s): %s\n", r.Customer, r.TenantID, r.Error)
		case !r.OK:
			textf(w, "  FAILED %s (%s): %s\n", r.Customer, r.TenantID, r.Error)
		}
	}
	for _, r := range sum.Tenants {
		if r.OK && !r.SignInData {
			textf(w, "  note: %s has no sign-in data (%s)\n", r.Customer, r.SignInNote)
		}
		if r.OK && r.UsageNote != "" {
			textf(w, "  note: %s: %s\n", r.Customer, r.UsageNote)
		}
		if r.OK && r.PartnerCenterNote != "" {
			fmt.Fprintf(w, "  note: %s: Partner Center not read (%s)\n", r.Customer, r.PartnerCenterNote)
		}
		if r.OK && !r.MailboxPurposeData {
			textf(w, "  note: %s: mailbox types unknown (%s)\n", r.Customer, r.MailboxNote)
		}
	}
	return nil
}
