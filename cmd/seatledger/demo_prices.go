package main

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/seatledger/seatledger/internal/app"
	"github.com/seatledger/seatledger/internal/config"
	"github.com/seatledger/seatledger/internal/i18n"
	"github.com/seatledger/seatledger/internal/pricing"
	"github.com/seatledger/seatledger/internal/sandbox"
)

// demoPrices signs the simulated Partner Center user in with a device code, fetches
// the world's three months of price lists for each of its markets as `prices fetch`
// does, and shows the changes still to come and the ten customers they cost most.
func demoPrices(ctx context.Context, g *globals, a *app.App, cfg *config.Loaded, world *sandbox.World, today time.Time) error {
	w := g.stdout
	fmt.Fprintln(w, "\n== prices: Partner Center's New Commerce price lists ==")
	api, err := newPartnerAPI(cfg, a.Log)
	if err != nil {
		return err
	}
	// A previous demo's sign-in was kept under a key that ended with it.
	if _, err := api.Logout(); err != nil {
		return err
	}
	user, err := api.Login(ctx, func(message string) {
		fmt.Fprintf(w, "%s\n(the simulated Partner Center user enters the code)\n", message)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "signed in as %s; the sign-in is kept encrypted in %s\n", user, api.CacheFile())
	for _, month := range world.PriceSheetMonths() {
		fetched, err := a.FetchPrices(ctx, api, sandbox.PriceSheetMarkets, month, false)
		if err != nil {
			return err
		}
		read, written, changes := 0, 0, 0
		preview := false
		for _, f := range fetched {
			read += f.Import.Read
			written += f.Import.Written
			changes += f.Import.Changes
			preview = preview || f.Preview
		}
		label := month.Format("2006-01")
		if preview {
			label += " (preview)"
		}
		fmt.Fprintf(w, "%s: %s fetched (%s), %s read, %s written, %s recorded\n", label, i18n.N(len(fetched), "price_list"),
			strings.Join(sandbox.PriceSheetMarkets, " "), i18n.N(read, "price"), i18n.N(written, "price"), i18n.N(changes, "change"))
	}
	fmt.Fprintf(w, "kept in %s\n", cfg.PartnerCenterDownloadDir())

	coming, err := a.PriceChanges(ctx, today, "")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\n== coming price changes, effective from %s ==\n", today.Format(time.DateOnly))
	if err := printComingChanges(ctx, g, a, coming); err != nil {
		return err
	}
	rep, err := a.PriceImpact(ctx, app.ImpactQuery{Since: today})
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "\n== the 10 customers the coming changes cost most (per month, once they land) ==")
	return printCustomerImpacts(g, pricing.ByCustomer(rep.Impacts), 10)
}

// printComingChanges writes one line per offer, kind and day: the markets it applies
// in and its size, so that a rise published for every market and term reads once.
func printComingChanges(ctx context.Context, g *globals, a *app.App, changes []pricing.Change) error {
	type group struct {
		offer, kind string
		effective   time.Time
		markets     []string
		rows        int
		low, high   *decimal.Decimal
	}
	var groups []*group
	by := map[string]*group{}
	for _, c := range changes {
		k := c.ProductID + ":" + c.SKUID + " " + c.Kind + " " + c.Effective.Format(time.DateOnly)
		gr := by[k]
		if gr == nil {
			gr = &group{offer: c.ProductID + ":" + c.SKUID, kind: c.Kind, effective: c.Effective}
			by[k] = gr
			groups = append(groups, gr)
		}
		gr.rows++
		if !slices.Contains(gr.markets, c.Market) {
			gr.markets = append(gr.markets, c.Market)
		}
		if p := c.Percent(); p != nil {
			r := p.Round(2)
			if gr.low == nil || r.LessThan(*gr.low) {
				gr.low = &r
			}
			if gr.high == nil || r.GreaterThan(*gr.high) {
				gr.high = &r
			}
		}
	}
	slices.SortFunc(groups, func(x, y *group) int {
		return cmp.Or(x.effective.Compare(y.effective), cmp.Compare(x.kind, y.kind), cmp.Compare(x.offer, y.offer))
	})
	t := newTable(g.stdout, "EFFECTIVE", "OFFER", "CHANGE", "MARKETS", "PRICE ROWS")
	for _, gr := range groups {
		name := gr.offer
		if o, err := a.Store.Offer(ctx, gr.offer); err == nil && o.Title != "" {
			name = o.Title + " (" + gr.offer + ")"
		}
		change := gr.kind
		switch {
		case gr.low != nil && gr.low.Equal(*gr.high):
			change = fmt.Sprintf("%s %s %%", gr.kind, gr.low.StringFixed(2))
		case gr.low != nil:
			change = fmt.Sprintf("%s %s to %s %%", gr.kind, gr.low.StringFixed(2), gr.high.StringFixed(2))
		}
		slices.Sort(gr.markets)
		t.row(gr.effective.Format(time.DateOnly), name, change, strings.Join(gr.markets, " "), fmt.Sprint(gr.rows))
	}
	if len(groups) == 0 {
		fmt.Fprintln(g.stdout, "none")
	}
	return t.flush()
}
