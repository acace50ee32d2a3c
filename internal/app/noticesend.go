package app

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/seatledger/seatledger/internal/mail"
	"github.com/seatledger/seatledger/internal/notices"
	"github.com/seatledger/seatledger/internal/store"
)

// NoticeLease is how long a sender holds the notices it claimed. A sender that dies
// holding them loses them to the next sender once it runs out; it must be longer
// than a delivery can take.
const NoticeLease = 10 * time.Minute

// SendOptions tune one delivery of due notices.
type SendOptions struct {
	Transport mail.Transport
	// TransportName is recorded with each notice sent (smtp, graph, outbox).
	TransportName string
	// Workers deliver at once; 0 is 4.
	Workers int
	// Batch is how many notices a worker claims at a time; 0 is 10. Small batches
	// keep what a crash can leave claimed small.
	Batch int
	// Lease is how long a claim holds; 0 is NoticeLease.
	Lease time.Duration
}

// SendResult counts what became of the notices claimed.
type SendResult struct {
	Sent    int `json:"sent"`
	Retried int `json:"retried"`
	Failed  int `json:"failed"`
	// Lost counts deliveries whose claim ran out before they were recorded: another
	// sender took the notice over.
	Lost int `json:"lost,omitempty"`
}

// MaxNoticeAttempts is how many times a notice is tried before a temporary refusal
// is taken as final: with the backoff, about a day and a half of trying.
const MaxNoticeAttempts = 12

// SendNotices delivers every due notice once: claimed so that no other sender takes
// it, its claim renewed just before it goes, delivered, and the server's acceptance
// recorded as proof. A temporary refusal is retried later with backoff; a permanent
// one marks the notice failed with the server's reply. When the transport itself
// fails (unreachable, TLS, sign-in), the run stops with that error and the notices
// it holds go back to wait: failing every notice one by one would tell finance
// nothing. It returns when nothing due is left to claim.
func (a *App) SendNotices(ctx context.Context, o SendOptions) (SendResult, error) {
	if o.Transport == nil {
		return SendResult{}, errors.New("send notices: no transport")
	}
	if o.Workers < 0 || o.Batch < 0 {
		return SendResult{}, errors.New("send notices: workers and batch must be positive")
	}
	workers, batch, lease := cmp.Or(o.Workers, 4), cmp.Or(o.Batch, 10), cmp.Or(o.Lease, NoticeLease)
	sender := senderName()
	var (
		mu    sync.Mutex
		res   SendResult
		first error
		wg    sync.WaitGroup
	)
	stopped := func() bool {
		mu.Lock()
		defer mu.Unlock()
		return first != nil
	}
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if first == nil {
			first = err
		}
	}
	for w := range workers {
		// Each worker claims in its own name: a claim that ran out and was taken over,
		// even by another worker of this run, is told apart from its own.
		claimer := fmt.Sprintf("%s/%d", sender, w)
		wg.Go(func() {
			// What this worker still holds when it stops goes back to wait at once,
			// instead of when its claims run out.
			defer func() {
				if err := a.Store.ReleaseClaims(context.WithoutCancel(ctx), claimer); err != nil {
					a.Log.Warn("notices left claimed until their claim runs out", "err", err)
				}
			}()
			for ctx.Err() == nil && !stopped() {
				claimed, err := a.Store.ClaimNotices(ctx, claimer, batch, lease)
				if err != nil {
					fail(err)
					return
				}
				if len(claimed) == 0 {
					return
				}
				for _, n := range claimed {
					if stopped() {
						return
					}
					outcome, err := a.deliver(ctx, o, claimer, lease, n)
					if err != nil {
						fail(err)
						return
					}
					mu.Lock()
					switch outcome {
					case "lost":
						res.Lost++
					case notices.StatusSent:
						res.Sent++
					case notices.StatusPending:
						res.Retried++
					default:
						res.Failed++
					}
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return res, first
}

// deliver sends one claimed notice and records the outcome: the notice's new status,
// or "lost" when its claim was taken over before it went.
func (a *App) deliver(ctx context.Context, o SendOptions, claimer string, lease time.Duration, n notices.Notice) (string, error) {
	// The claim is renewed just before the notice goes, so that a notice waiting its
	// turn behind others is never sent by two senders: one whose claim ran out while
	// it waited loses the notice here.
	if held, err := a.Store.RenewClaim(ctx, claimer, n.ID, lease); err != nil || !held {
		return "lost", err
	}
	receipt, err := o.Transport.Deliver(ctx, a.mailOf(n, a.clock()().UTC()))
	out := store.NoticeOutcome{ID: n.ID, Transport: o.TransportName}
	status := notices.StatusSent
	switch {
	case err == nil:
		out.Proof = cmp.Or(receipt.Proof, "accepted")
	case ctx.Err() != nil:
		// Stopped while sending: nothing says the server took it; the claim is
		// released and the notice waits for the next run.
		return "", ctx.Err()
	default:
		out.Reply = err.Error()
		var me *mail.Error
		if errors.As(err, &me) && me.Reply != "" {
			out.Reply = me.Reply
		}
		status = notices.StatusFailed
		switch {
		case mail.TransportDown(err):
			out.RetryIn = time.Nanosecond // not this notice's fault: it goes with the next run
			if _, rerr := a.Store.RecordDelivery(context.WithoutCancel(ctx), claimer, out); rerr != nil {
				return "", rerr
			}
			return "", fmt.Errorf("send notices through %s: %w", o.TransportName, err)
		case mail.Temporary(err) && n.Attempts < MaxNoticeAttempts:
			out.RetryIn, status = notices.Retry(n.Attempts), notices.StatusPending
		case mail.Temporary(err):
			out.Reply = fmt.Sprintf("given up after %d attempts: %s", n.Attempts, out.Reply)
		}
		a.Log.Warn("notice not delivered", "notice", n.ID, "kind", n.Kind, "customer", n.Customer, "retry", out.RetryIn > 0, "reply", out.Reply)
	}
	// An acceptance is recorded even when the run is being stopped: the proof is in
	// hand, and a notice recorded as sent is never sent again.
	held, err := a.Store.RecordDelivery(context.WithoutCancel(ctx), claimer, out)
	if err != nil {
		return "", err
	}
	if !held {
		return "lost", nil
	}
	return status, nil
}

// mailOf is a notice as the transport sends it: as rendered when it was created.
func (a *App) mailOf(n notices.Notice, now time.Time) mail.Message {
	cfg := a.Config.Notices
	from := mail.Address{Name: cmp.Or(cfg.FromName, cfg.PartnerName), Email: cmp.Or(cfg.From, cfg.GraphMailbox, cfg.Email, "notices@seatledger.invalid")}
	m := mail.Message{MessageID: n.MessageID, From: from, Subject: n.Subject, Text: n.Text, HTML: n.HTML, Language: n.Language, Date: now,
		Headers: map[string]string{"X-Seatledger-Notice": fmt.Sprintf("%d %s", n.ID, n.Kind)}}
	if cfg.ReplyTo != "" {
		m.ReplyTo = &mail.Address{Email: cfg.ReplyTo}
	}
	for _, r := range n.Recipients {
		m.To = append(m.To, mail.Address{Name: r.Name, Email: r.Email})
	}
	return m
}

// senderName names this sender in claims: the host, the process and a random part,
// so that two senders on one host never share a claim.
func senderName() string {
	host, _ := os.Hostname()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b))
}
