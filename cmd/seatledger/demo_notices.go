package main

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/seatledger/seatledger/internal/app"
	"github.com/seatledger/seatledger/internal/i18n"
	"github.com/seatledger/seatledger/internal/privfile"
)

// demoAnnouncement is the kind of change of terms a partner passes on: Microsoft's
// surcharge on annual terms billed monthly (DOMAIN.md), in every notice language.
const demoAnnouncement = `key: annual-billed-monthly-%[1]s
effective: %[1]s
affects:
  terms: [P1Y]
  billing_plans: [monthly]
text:
  en:
    title: Annual subscriptions paid monthly cost 5%% more
    body: |
      From %[1]s Microsoft charges 5%% more for annual subscriptions that are paid month by month.
      Paying the year in advance keeps today's price. Tell us before the date if you want to switch.
  nl:
    title: Jaarabonnementen met maandelijkse betaling worden 5%% duurder
    body: |
      Vanaf %[1]s rekent Microsoft 5%% meer voor jaarabonnementen die per maand worden betaald.
      Wie het jaar vooruit betaalt, houdt de huidige prijs. Laat het ons vóór die datum weten als u wilt overstappen.
  de:
    title: Jahresabonnements mit monatlicher Zahlung werden 5 %% teurer
    body: |
      Ab dem %[1]s berechnet Microsoft 5 %% mehr für Jahresabonnements, die monatlich bezahlt werden.
      Wer das Jahr im Voraus bezahlt, behält den heutigen Preis. Teilen Sie uns vor diesem Datum mit, wenn Sie wechseln möchten.
  fr:
    title: Les abonnements annuels payés mensuellement augmentent de 5 %%
    body: |
      À partir du %[1]s, Microsoft facture 5 %% de plus pour les abonnements annuels payés mois par mois.
      Le paiement annuel d’avance conserve le prix actuel. Prévenez-nous avant cette date si vous souhaitez changer.
  it:
    title: Gli abbonamenti annuali pagati mensilmente aumentano del 5%%
    body: |
      Dal %[1]s Microsoft applica un aumento del 5%% agli abbonamenti annuali pagati mese per mese.
      Pagando l’anno in anticipo si mantiene il prezzo attuale. Comunicateci prima di tale data se desiderate cambiare.
  hr:
    title: Godišnje pretplate s mjesečnim plaćanjem poskupljuju 5 %%
    body: |
      Od %[1]s Microsoft naplaćuje 5 %% više za godišnje pretplate koje se plaćaju mjesečno.
      Plaćanjem godine unaprijed zadržavate današnju cijenu. Javite nam se prije tog datuma ako želite promjenu.
`

// demoNotices announces a change of terms, detects every notice the demo's price
// changes, renewals, expiring terms and findings call for, and writes them to the
// outbox folder: how many of each kind and language, and which are late.
func demoNotices(ctx context.Context, g *globals, a *app.App, dir string, today time.Time) error {
	w := g.stdout
	fmt.Fprintln(w, "\n== customer notices ==")
	effective := time.Date(today.Year(), today.Month()+3, 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	path, err := privfile.Write(dir, "announcement-annual-billed-monthly.yaml", fmt.Appendf(nil, demoAnnouncement, effective))
	if err != nil {
		return err
	}
	ann, _, err := a.Announce(ctx, path)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "announced %s from %s\n", ann.String(), filepath.Base(path))
	// The advice ran before the price lists were in: run again, its savings are known
	// now, and the notices' proposals say them.
	if _, err := a.Advise(ctx, app.AdviseOptions{Now: a.Now}); err != nil {
		return err
	}
	run, err := a.CreateNotices(ctx)
	if err != nil {
		return err
	}
	printNoticeSummary(g, run.Created)
	t, err := newNoticeTransport(ctx, a)
	if err != nil {
		return err
	}
	defer t.Close()
	res, err := a.SendNotices(ctx, app.SendOptions{Transport: t.Transport, TransportName: t.Name})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%s created; %s due now went out (%s); the rest wait for their day (seatledger notices list)\n",
		i18n.N(len(run.Created), "cli_notice"), i18n.N(res.Sent, "cli_notice"), t.Describe)
	return nil
}
