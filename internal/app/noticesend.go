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

// SendNotices delivers every due notice once: claimed so that no other sender takes
// it, delivered, and the server's acceptance recorded as proof. A temporary refusal
// is retried later with backoff; a permanent one marks the notice failed with the
// server's reply. It returns when nothing due is left to claim.
func (a *App) SendNotices(ctx context.Context, o SendOptions) (SendResult, error) {
	if o.Transport == nil {
		return SendResult{}, errors.New("send notices: no transport")
	}
	workers, batch := cmp.Or(o.Workers, 4), cmp.Or(o.Batch, 10)
	claimer := senderName()
	var (
		mu    sync.Mutex
		res   SendResult
		first error
		wg    sync.WaitGroup
	)
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if first == nil {
			first = err
		}
	}
	for range workers {
		wg.Go(func() {
			for ctx.Err() == nil {
				mu.Lock()
				stop := first != nil
				mu.Unlock()
				if stop {
					return
				}
				claimed, err := a.Store.ClaimNotices(ctx, claimer, batch, cmp.Or(o.Lease, NoticeLease))
				if err != nil {
					fail(err)
					return
				}
				if len(claimed) == 0 {
					return
				}
				for _, n := range claimed {
					outcome, err := a.deliver(ctx, o, claimer, n)
					if err != nil {
						fail(err)
						return
					}
					mu.Lock()
					switch {
					case outcome == "lost":
						res.Lost++
					case outcome == notices.StatusSent:
						res.Sent++
					case outcome == notices.StatusPending:
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
// or "lost" when the claim ran out meanwhile.
func (a *App) deliver(ctx context.Context, o SendOptions, claimer string, n notices.Notice) (string, error) {
	now := a.clock()().UTC()
	receipt, err := o.Transport.Deliver(ctx, a.mailOf(n, now))
	if ctx.Err() != nil {
		// Stopped: whether the server took it is unknown, so the claim stays and runs
		// out; the next sender delivers it again with the same Message-ID.
		return "", ctx.Err()
	}
	out := store.NoticeOutcome{ID: n.ID, Transport: o.TransportName, Proof: receipt.Proof}
	status := notices.StatusSent
	if err != nil {
		out.Proof = ""
		out.Reply = err.Error()
		var me *mail.Error
		if errors.As(err, &me) && me.Reply != "" {
			out.Reply = me.Reply
		}
		status = notices.StatusFailed
		if mail.Temporary(err) {
			next := now.Add(notices.Retry(n.Attempts))
			out.Retry, status = &next, notices.StatusPending
		}
		a.Log.Warn("notice not delivered", "notice", n.ID, "kind", n.Kind, "customer", n.Customer, "temporary", out.Retry != nil, "reply", out.Reply)
	} else if out.Proof == "" {
		out.Proof = "accepted"
	}
	ok, err := a.Store.RecordDelivery(ctx, claimer, out)
	if err != nil {
		return "", err
	}
	if !ok {
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
