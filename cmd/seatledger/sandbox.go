package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/seatledger/seatledger/internal/i18n"
	"github.com/seatledger/seatledger/internal/privfile"
	"github.com/seatledger/seatledger/internal/sandbox"
)

// worldFlags are the generator's options, shared by serve and truth.
type worldFlags struct {
	seed    uint64
	tenants int
	giant   bool
}

func (f *worldFlags) register(cmd *cobra.Command) {
	cmd.Flags().Uint64Var(&f.seed, "seed", 1, "generator seed: the same seed gives the same world")
	cmd.Flags().IntVar(&f.tenants, "tenants", 25, "number of customer tenants")
	cmd.Flags().BoolVar(&f.giant, "giant", false, "add one tenant of 50,000 users")
}

// generate builds the world; start is its day 0 (zero: the generator's fixed date).
func (f *worldFlags) generate(start time.Time) (*sandbox.World, error) {
	if f.tenants < 1 {
		return nil, fmt.Errorf("--tenants: %d is not a positive number", f.tenants)
	}
	return sandbox.Generate(sandbox.Options{Seed: f.seed, Tenants: f.tenants, Giant: f.giant, Start: start})
}

// today is the current UTC date: a world starting today keeps its simulated clock in
// step with the real one, so that commands run by hand judge its data by the same day.
func today() time.Time { return time.Now().UTC().Truncate(24 * time.Hour) }

func newSandboxCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "sandbox", Short: "The simulated Microsoft cloud: generated customer tenants behind Graph and sign-in endpoints"}

	var wf worldFlags
	var opts sandbox.ServerOptions
	var dir string
	serve := &cobra.Command{
		Use:   "serve",
		Short: "Serve a generated world over HTTPS until interrupted",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			world, err := wf.generate(today())
			if err != nil {
				return err
			}
			srv, err := sandbox.NewServer(world, opts)
			if err != nil {
				return err
			}
			defer srv.Close()
			files, err := writeSandboxFiles(dir, srv, world)
			if err != nil {
				return err
			}
			caFile := files.CA
			w := g.stdout
			fmt.Fprintf(w, "simulated Microsoft cloud: %s, %s, seed %d, simulated time %s\n",
				i18n.N(len(world.Tenants), "tenant"), i18n.N(world.Truth().Totals.Users, "user"), wf.seed, srv.Now().Format(time.DateOnly))
			fmt.Fprintf(w, "  Graph base URL   %s\n  Partner Center   %s\n  authority host   %s\n  CA file to trust %s\n  customers file   %s\n  contracts file   %s\n  offer matrix     %s\n\n",
				srv.GraphBaseURL(), srv.PartnerCenterBaseURL(), srv.AuthorityHost(), caFile, files.Customers, files.Contracts, files.Offers)
			fmt.Fprintf(w, "to sync against it:\n  export SEATLEDGER_GRAPH_BASE_URL=%s SEATLEDGER_GRAPH_AUTHORITY_HOST=%s SEATLEDGER_GRAPH_CA_FILE=%s\n",
				srv.GraphBaseURL(), srv.AuthorityHost(), caFile)
			fmt.Fprintf(w, "  export SEATLEDGER_GRAPH_CLIENT_ID=%s SEATLEDGER_GRAPH_CLIENT_SECRET=%s\n", srv.ClientID(), srv.ClientSecret())
			fmt.Fprintf(w, "  export SEATLEDGER_PARTNER_TENANT_ID=%s\n", sandbox.PartnerTenantID)
			fmt.Fprintf(w, "  export SEATLEDGER_PARTNER_CENTER_ENABLED=true SEATLEDGER_PARTNER_CENTER_BASE_URL=%s\n", srv.PartnerCenterBaseURL())
			fmt.Fprintf(w, "  export SEATLEDGER_PARTNER_CENTER_PARTNER_API_BASE_URL=%s  # price lists and offer matrix: after partner-center login\n", srv.PartnerCenterBaseURL())
			fmt.Fprintf(w, "  seatledger --db sqlite:sandbox.db migrate up\n  seatledger --db sqlite:sandbox.db customers import %s\n", files.Customers)
			fmt.Fprintf(w, "  seatledger --db sqlite:sandbox.db catalog offers --file %s\n", files.Offers)
			fmt.Fprintf(w, "  seatledger --db sqlite:sandbox.db contracts import %s\n  seatledger --db sqlite:sandbox.db sync --all\n", files.Contracts)
			fmt.Fprintf(w, "  seatledger --db sqlite:sandbox.db advise && seatledger --db sqlite:sandbox.db findings list --limit 20\n")
			fmt.Fprintln(w, "(day 0 is today; a restarted sandbox begins again at day 0, and history is dated by this machine's clock)")
			fmt.Fprintf(w, "advance the simulated day: curl --cacert %s -X POST %s/sandbox/advance\n", caFile, srv.URL())
			<-cmd.Context().Done()
			return nil
		},
	}
	wf.register(serve)
	f := serve.Flags()
	f.StringVar(&opts.Addr, "addr", "127.0.0.1:8443", "address to listen on")
	f.StringVar(&opts.URL, "url", "", "root URL clients reach the server at, when not the listening address (a container network): https://HOST:PORT, HOST one the certificate names (example.com, *.example.com, 127.0.0.1)")
	f.StringVar(&dir, "dir", ".", "folder for the CA certificate, the customers and contracts files and the offer matrix")
	f.DurationVar(&opts.Latency, "latency", 0, "added to every Graph request")
	f.Float64Var(&opts.FaultRate, "fault-rate", 0, "share of Graph requests answered 500")
	f.Float64Var(&opts.ResetRate, "reset-rate", 0, "share of Graph requests whose connection is dropped")
	f.Float64Var(&opts.MalformedRate, "malformed-rate", 0, "share of Graph requests answered with JSON cut off")
	f.IntVar(&opts.ThrottleLimit, "throttle-limit", 0, "Graph requests a tenant may make per --throttle-window before 429 (0: no throttling)")
	f.DurationVar(&opts.ThrottleWindow, "throttle-window", time.Second, "throttling window")

	var tf worldFlags
	var day int
	var start string
	truth := &cobra.Command{
		Use:   "truth [--day N] [--start YYYY-MM-DD]",
		Short: "Print, as JSON, what the generator planted in a world, on its day 0 or a later simulated day",
		Long: "truth describes the world of a sandbox served with the same --seed and --tenants (and --giant): on\n" +
			"day 0 by default, or after --day N simulated days, as POST /sandbox/advance would move it. Day 0 is\n" +
			"--start, by default today, as for `sandbox serve` started today. The date it describes is printed\n" +
			"on stderr and is the JSON's \"now\".",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if day < 0 {
				return fmt.Errorf("--day: %d is not a simulated day (0 or more)", day)
			}
			day0 := today()
			if start != "" {
				var err error
				if day0, err = time.Parse(time.DateOnly, start); err != nil {
					return fmt.Errorf("--start: %q is not a date (YYYY-MM-DD)", start)
				}
			}
			world, err := tf.generate(day0)
			if err != nil {
				return err
			}
			for range day {
				world.Advance()
			}
			fmt.Fprintf(g.stderr, "sandbox truth: simulated day %d, %s (day 0 is %s)\n", day, world.Now().Format(time.DateOnly), day0.Format(time.DateOnly))
			return writeJSON(g.stdout, world.Truth())
		},
	}
	tf.register(truth)
	truth.Flags().IntVar(&day, "day", 0, "simulated days after day 0")
	truth.Flags().StringVar(&start, "start", "", "day 0 of the world, YYYY-MM-DD (default today)")
	cmd.AddCommand(serve, truth)
	return cmd
}

// sandboxFiles are what a partner needs to point seatledger at a simulated cloud.
type sandboxFiles struct {
	CA, Customers, Contracts, Offers string
}

// writeSandboxFiles writes the server's CA certificate, the world's customer registry,
// the partner's contracts with them and the offer matrix of what it sells into dir,
// private to the user: the files name customers, and dir may be a shared place such as
// /tmp.
func writeSandboxFiles(dir string, srv *sandbox.Server, world *sandbox.World) (sandboxFiles, error) {
	if err := privfile.Dir(dir); err != nil {
		return sandboxFiles{}, err
	}
	customers, err := yaml.Marshal(map[string]any{"customers": world.Customers()})
	if err != nil {
		return sandboxFiles{}, err
	}
	var files sandboxFiles
	for _, f := range []struct {
		path *string
		name string
		data []byte
	}{
		{&files.CA, "sandbox-ca.pem", srv.CAPEM()},
		{&files.Customers, "sandbox-customers.yaml", customers},
		{&files.Contracts, "sandbox-contracts.csv", srv.ContractsCSV()},
		{&files.Offers, "sandbox-offers.csv", srv.OfferMatrixCSV()},
	} {
		if *f.path, err = privfile.Write(dir, f.name, f.data); err != nil {
			return sandboxFiles{}, err
		}
	}
	return files, nil
}
