package main

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/seatledger/seatledger/internal/advice"
	"github.com/seatledger/seatledger/internal/app"
	"github.com/seatledger/seatledger/internal/config"
	"github.com/seatledger/seatledger/internal/i18n"
	"github.com/seatledger/seatledger/internal/privfile"
	"github.com/seatledger/seatledger/internal/sandbox"
)

func newDemoCmd(g *globals) *cobra.Command {
	var wf worldFlags
	var dir string
	var days int
	var fresh bool
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the whole job on the embedded database against the simulated Microsoft cloud",
		Long: "demo starts the simulated Microsoft cloud in-process, registers its tenants as customers in a fresh\n" +
			"embedded database in --dir, syncs them, then advances simulated time day by day, syncing each day,\n" +
			"and prints what it found. The database stays behind for exploring with the other commands.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if days < 0 {
				return fmt.Errorf("--days: %d is not a number of days to advance (0 or more)", days)
			}
			return runDemo(cmd, g, wf, dir, days, fresh)
		},
	}
	wf.register(cmd)
	cmd.Flags().StringVar(&dir, "dir", "seatledger-demo", "folder for the demo database and files")
	cmd.Flags().BoolVar(&fresh, "fresh", false, "replace the database a previous demo left in --dir (its acknowledgements and suppressions are lost)")
	cmd.Flags().IntVar(&days, "days", 10, "simulated days to advance after the first sync, syncing each day")
	return cmd
}

func runDemo(cmd *cobra.Command, g *globals, wf worldFlags, dir string, days int, fresh bool) error {
	ctx := cmd.Context()
	w := g.stdout
	dbPath := filepath.Join(dir, "seatledger.db")
	// A previous demo's database may hold decisions made by hand (acknowledged and
	// suppressed findings, exclusions); replacing it must be asked for.
	if _, err := os.Stat(dbPath); err == nil && !fresh {
		return fmt.Errorf("%s holds the database of an earlier demo, with any findings acknowledged or suppressed since: "+
			"run `seatledger demo --fresh` to replace it, or choose another folder with --dir", dbPath)
	}
	// The last simulated day is today, so that the database left behind can be
	// explored by hand with the real clock.
	world, err := wf.generate(today().AddDate(0, 0, -days))
	if err != nil {
		return err
	}
	srv, err := sandbox.NewServer(world, sandbox.ServerOptions{})
	if err != nil {
		return err
	}
	defer srv.Close()
	files, err := writeSandboxFiles(dir, srv, world)
	if err != nil {
		return err
	}
	// The configuration is written first, so that an interrupted demo still leaves the
	// database it got to usable by the other commands.
	configFile, err := writeDemoConfig(dir, dbPath, srv.PartnerCenterBaseURL())
	if err != nil {
		return err
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(dbPath + suffix); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	// The demo is self-contained: it ignores the configuration file and environment.
	cfg, err := config.Load("", nil, map[string]string{
		"database.url": "sqlite:" + dbPath, "log.level": "warn",
		"graph.client_id": srv.ClientID(), "graph.client_secret": srv.ClientSecret(),
		"graph.base_url": srv.GraphBaseURL(), "graph.authority_host": srv.AuthorityHost(), "graph.ca_file": files.CA,
		"partner.tenant_id": sandbox.PartnerTenantID, "partner_center.enabled": "true", "partner_center.base_url": srv.PartnerCenterBaseURL(),
		// The Partner API's price lists take a signed-in user; the demo's sign-in is kept
		// under a key of its own, which ends with it.
		"partner_center.partner_api_base_url": srv.PartnerCenterBaseURL(), "partner_center.token_cache_key": demoCacheKey(),
		// Notices go to the outbox folder beside the database, signed by a made-up partner.
		"notices.transport": "outbox", "notices.from": "notices@cloudpartner.example", "notices.partner_name": "Cloud Partner BV",
		"notices.partner_address": "Stationsplein 1 | 3511 ED Utrecht | Nederland", "notices.partner_signature": "Team Licenties | Cloud Partner BV",
		"notices.partner_email": "licenties@cloudpartner.example", "notices.partner_phone": "+31 30 123 4567",
	})
	if err != nil {
		return err
	}
	a, err := app.Open(ctx, cfg, app.Options{Actor: "demo", Log: slog.New(slog.NewTextHandler(g.stderr, &slog.HandlerOptions{Level: slog.LevelWarn})), Migrating: true, Create: true})
	if err != nil {
		return err
	}
	defer a.Close()
	if _, err := a.MigrateUp(ctx); err != nil {
		return err
	}
	if _, err := a.ImportCustomerList(ctx, world.Customers(), "demo"); err != nil {
		return err
	}
	// The offer matrix links Partner Center's subscriptions to Graph's where their ids differ.
	offers, err := a.ImportOffersFile(ctx, files.Offers)
	if err != nil {
		return err
	}
	contracts, err := a.ImportContracts(ctx, files.Contracts)
	if err != nil {
		return err
	}
	reader, err := newGraphReader(a)
	if err != nil {
		return err
	}
	partner, err := newPartnerReader(a)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "seatledger demo: %s in the simulated Microsoft cloud at %s\n", i18n.N(len(world.Tenants), "customer_tenant"), srv.URL())
	fmt.Fprintf(w, "database: %s\ncontracts: %s (%s)\noffer matrix: %s (%s)\nPartner Center: %s\n\n", dbPath, files.Contracts, i18n.N(contracts.Lines, "line"),
		files.Offers, i18n.N(offers, "offer"), srv.PartnerCenterBaseURL())

	fmt.Fprintf(w, "== first sync, simulated day %s ==\n", srv.Now().Format(time.DateOnly))
	sum, err := a.Sync(ctx, reader, app.SyncOptions{Partner: partner, Now: srv.Now, Progress: newProgress(io.Discard)})
	if err != nil {
		return err
	}
	if err := printSyncSummary(g, sum); err != nil {
		return err
	}

	if days > 0 {
		fmt.Fprintf(w, "\n== %s, one sync each ==\n", i18n.N(days, "simulated_day"))
	}
	for range days {
		events := srv.Advance()
		sum, err := a.Sync(ctx, reader, app.SyncOptions{Partner: partner, Now: srv.Now})
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%s: %s ok, %d failed, %s written", srv.Now().Format(time.DateOnly), i18n.N(sum.OK, "tenant"), sum.Failed, i18n.N(sum.Changes, "change"))
		for i, e := range events {
			if i == 0 {
				fmt.Fprint(w, " —")
			}
			fmt.Fprintf(w, " %s %s in %s;", e.Kind, e.Detail, world.Tenant(e.Tenant).Name)
		}
		fmt.Fprintln(w)
	}

	fmt.Fprintf(w, "\n== advice, simulated day %s ==\n", srv.Now().Format(time.DateOnly))
	results, err := a.Advise(ctx, app.AdviseOptions{Now: srv.Now})
	if err != nil {
		return err
	}
	printAdvice(g, results)
	rep, err := a.Findings(ctx, app.FindingsQuery{})
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "\n== top 10 savings ==")
	top := app.FindingsReport{Findings: rep.Findings[:min(10, len(rep.Findings))], Totals: rep.Totals}
	if err := printFindings(g, top, false); err != nil {
		return err
	}
	soon, err := a.Findings(ctx, app.FindingsQuery{Sort: app.SortActBy})
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "\n== due soonest ==")
	if err := printFindingRows(g, soon.Findings[:min(5, len(soon.Findings))], false); err != nil {
		return err
	}
	// Only Partner Center tells that a subscription will not renew.
	ending, err := a.Findings(ctx, app.FindingsQuery{Kind: advice.SubscriptionExpiring, Sort: app.SortActBy})
	if err != nil {
		return err
	}
	if len(ending.Findings) > 0 {
		fmt.Fprintln(w, "\n== ending without renewal (auto-renew off in Partner Center) ==")
		if err := printFindingRows(g, ending.Findings, false); err != nil {
			return err
		}
	}
	rows, err := a.Reconcile(ctx, "", srv.Now)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "\n== reconciliation: tenant, subscriptions and contract ==")
	if err := printReconcile(g, rows, false); err != nil {
		return err
	}
	a.Now = srv.Now
	if err := demoPrices(ctx, g, a, cfg, world, srv.Now()); err != nil {
		return err
	}
	if err := demoBilling(ctx, g, a, world, dir, srv.Now()); err != nil {
		return err
	}
	if err := demoNotices(ctx, g, a, dir, srv.Now()); err != nil {
		return err
	}
	sl := "bin/seatledger --config " + configFile
	fmt.Fprintf(w, "\nexplore further, for example:\n  %s findings list --customer %s\n", sl, world.Customers()[0].ExternalRef)
	fmt.Fprintf(w, "  %s findings list --sort act-by --limit 20\n", sl)
	fmt.Fprintf(w, "  %s findings list --kind inactive-user --output csv\n", sl)
	fmt.Fprintf(w, "  %s reconcile --customer %s\n", sl, world.Customers()[0].ExternalRef)
	fmt.Fprintf(w, "  %s inventory user --tenant %s %s\n", sl, world.Tenants[0].ID, world.Tenants[0].Users[0].UPN)
	fmt.Fprintf(w, "  %s inventory subscriptions --tenant %s\n", sl, world.Customers()[0].ExternalRef)
	fmt.Fprintf(w, "  %s customers status\n", sl)
	fmt.Fprintf(w, "  %s prices changes --since %s\n", sl, srv.Now().Format(time.DateOnly))
	fmt.Fprintf(w, "  %s prices impact --customer %s\n", sl, world.Customers()[0].ExternalRef)
	fmt.Fprintf(w, "  %s notices list\n", sl)
	fmt.Fprintf(w, "  %s notices preview 1 --html notice-1.html\n", sl)
	return nil
}

// demoCacheKey is a fresh key for the demo's encrypted Partner Center sign-in.
func demoCacheKey() string {
	key := make([]byte, 32)
	_, _ = rand.Read(key) // since Go 1.24 it never returns an error
	return base64.StdEncoding.EncodeToString(key)
}

// writeDemoConfig keeps what the demo configured beside its database, so that commands
// run by hand see the same database and partner, and that Partner Center was read.
func writeDemoConfig(dir, dbPath, partnerCenterURL string) (string, error) {
	configFile := filepath.Join(dir, "seatledger.yaml")
	demoConfig := fmt.Sprintf("# written by seatledger demo\ndatabase:\n  url: sqlite:%s\npartner:\n  tenant_id: %s\n"+
		"# the demo's simulated Partner Center, gone when the demo ends\npartner_center:\n  enabled: true\n  base_url: %s\n"+
		"# notices are written to the outbox folder, not sent\nnotices:\n  transport: outbox\n  from: notices@cloudpartner.example\n"+
		"  partner_name: Cloud Partner BV\n  partner_address: Stationsplein 1 | 3511 ED Utrecht | Nederland\n"+
		"  partner_signature: Team Licenties | Cloud Partner BV\n  partner_email: licenties@cloudpartner.example\n  partner_phone: +31 30 123 4567\n",
		filepath.Base(dbPath), sandbox.PartnerTenantID, partnerCenterURL)
	if _, err := privfile.Write(dir, filepath.Base(configFile), []byte(demoConfig)); err != nil {
		return "", fmt.Errorf("write demo configuration: %w", err)
	}
	return configFile, nil
}
