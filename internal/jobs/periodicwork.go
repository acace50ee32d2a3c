package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/seatledger/seatledger/internal/app"
	"github.com/seatledger/seatledger/internal/billing"
	"github.com/seatledger/seatledger/internal/store"
)

type pricesWorker struct {
	river.WorkerDefaults[PricesArgs]
	s *Scheduler
}

// Work fetches this month's price lists and next month's previews of the configured
// markets. Without a signed-in Partner Center user there is nothing to fetch with:
// that is said in the log and is not a failure to retry.
func (w *pricesWorker) Work(ctx context.Context, job *river.Job[PricesArgs]) error {
	return w.s.attempt(ctx, job.JobRow, "", func(ctx context.Context, a *app.App, log *slog.Logger) error {
		markets := a.Config.Jobs.PriceMarkets
		if len(markets) == 0 || w.s.opts.PartnerAPI == nil {
			log.Info("price lists not fetched: jobs.price_markets is empty")
			return nil
		}
		api, err := w.s.opts.PartnerAPI(ctx)
		if errors.Is(err, ErrNotSignedIn) {
			log.Warn("price lists not fetched: no Partner Center user is signed in (seatledger partner-center login)", "error", err)
			return nil
		}
		if err != nil {
			return fmt.Errorf("fetch prices: %w", err)
		}
		for _, preview := range []bool{false, true} {
			res, err := a.FetchPrices(ctx, api, markets, time.Time{}, preview)
			if err != nil {
				return err
			}
			for _, r := range res {
				log.Info("price list fetched", "market", r.Market, "month", r.Month, "preview", r.Preview, "written", r.Import.Written, "changes", r.Import.Changes)
			}
		}
		return nil
	})
}

type noticesWorker struct {
	river.WorkerDefaults[NoticesArgs]
	s *Scheduler
}

// Work creates the notices owed and delivers the due ones. Delivery claims each
// notice in the database, so replicas whose slots overlap never send one twice.
func (w *noticesWorker) Work(ctx context.Context, job *river.Job[NoticesArgs]) error {
	return w.s.attempt(ctx, job.JobRow, "", func(ctx context.Context, a *app.App, log *slog.Logger) error {
		run, err := a.CreateNotices(ctx)
		if err != nil {
			return fmt.Errorf("create notices: %w", err)
		}
		for _, n := range run.Created {
			if n.Late() {
				w.s.metrics.noticesLate.Inc()
			}
		}
		if len(run.Created) > 0 || len(run.NoContact) > 0 {
			log.Info("notices created", "created", len(run.Created), "known", run.Known, "customers_without_contact", len(run.NoContact))
		}
		if w.s.opts.Notices == nil {
			return nil
		}
		o, closeFn, err := w.s.opts.Notices(ctx)
		if err != nil {
			return fmt.Errorf("send notices: %w", err)
		}
		defer func() {
			if closeFn != nil {
				_ = closeFn()
			}
		}()
		res, err := a.SendNotices(ctx, o)
		w.s.metrics.noticesSent.Add(float64(res.Sent))
		w.s.metrics.noticesFailed.Add(float64(res.Failed))
		if res.Sent+res.Failed+res.Retried > 0 {
			log.Info("notices delivered", "sent", res.Sent, "retried", res.Retried, "failed", res.Failed, "transport", o.TransportName)
		}
		return err
	})
}

type billingWorker struct {
	river.WorkerDefaults[BillingArgs]
	s *Scheduler
}

// Work drafts the month's billing run when none is stored. It runs daily, not once
// a month, so that a month whose one tick was missed is still drafted; a run that
// exists, draft or approved, is left as it is.
func (w *billingWorker) Work(ctx context.Context, job *river.Job[BillingArgs]) error {
	return w.s.attempt(ctx, job.JobRow, "", func(ctx context.Context, a *app.App, log *slog.Logger) error {
		p, err := billing.ParsePeriod(job.Args.Month)
		if err != nil {
			return river.JobCancel(fmt.Errorf("billing catch-up: %w", err))
		}
		run, err := a.Store.BillRun(ctx, p.String())
		switch {
		case err == nil:
			log.Debug("billing run exists", "period", p.String(), "status", run.Status)
			return nil
		case !errors.Is(err, store.ErrNotFound):
			return fmt.Errorf("billing catch-up %s: %w", p, err)
		}
		start := time.Now()
		res, err := a.Bill(ctx, p)
		w.s.metrics.billingDuration.Observe(time.Since(start).Seconds())
		if err != nil {
			return fmt.Errorf("billing catch-up %s: %w", p, err)
		}
		log.Info("billing draft created", "period", p.String(), "run", res.Run.ID, "lines", len(res.Lines))
		return nil
	})
}
