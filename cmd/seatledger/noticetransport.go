package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"

	"github.com/seatledger/seatledger/internal/app"
	"github.com/seatledger/seatledger/internal/mail"
)

// noticeTransport is the configured delivery of notices.
type noticeTransport struct {
	mail.Transport
	// Name is recorded with each notice sent; Describe tells a reader where they went.
	Name     string
	Describe string
	close    func() error
}

func (t noticeTransport) Close() error {
	if t.close == nil {
		return nil
	}
	return t.close()
}

// newNoticeTransport builds notices.transport: the outbox folder, an SMTP server
// (password or, for Exchange Online, an OAuth token of the app registration), or
// Graph's sendMail from a mailbox of the partner's tenant.
func newNoticeTransport(ctx context.Context, a *app.App) (noticeTransport, error) {
	cfg := a.Config.Notices
	switch cfg.Transport {
	case "smtp":
		if cfg.From == "" {
			return noticeTransport{}, errors.New("notices.transport smtp needs notices.from, the sender address")
		}
		o := mail.SMTPOptions{Host: cfg.SMTPHost, Port: cfg.SMTPPort, Security: cfg.SMTPSecurity, Auth: cfg.SMTPAuth,
			Username: cfg.SMTPUsername, Password: cfg.SMTPPassword, Logger: a.Log}
		if a.Config.Graph.CAFile != "" {
			pool, err := caPool(a.Config.Graph.CAFile)
			if err != nil {
				return noticeTransport{}, err
			}
			o.TLSConfig = &tls.Config{RootCAs: pool, ServerName: cfg.SMTPHost, MinVersion: tls.VersionTLS12}
		}
		if cfg.SMTPAuth == "xoauth2" {
			token, err := exchangeToken(a)
			if err != nil {
				return noticeTransport{}, err
			}
			o.Token = token
		}
		s, err := mail.NewSMTP(o)
		if err != nil {
			return noticeTransport{}, fmt.Errorf("notices.smtp: %w", err)
		}
		return noticeTransport{Transport: s, Name: "smtp", Describe: fmt.Sprintf("SMTP %s:%d", cfg.SMTPHost, cfg.SMTPPort), close: s.Close}, nil
	case "graph":
		return graphNoticeTransport(a)
	}
	dir := a.Config.NoticesOutboxDir()
	o, err := mail.NewOutbox(dir)
	if err != nil {
		return noticeTransport{}, fmt.Errorf("notices.outbox_dir: %w", err)
	}
	return noticeTransport{Transport: o, Name: "outbox", Describe: "outbox: written as .eml files to " + dir + ", nothing is mailed"}, nil
}

// caPool is the system's roots and those of graph.ca_file, which a TLS-inspecting
// proxy or the simulated cloud needs trusted.
func caPool(file string) (*x509.CertPool, error) {
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("graph.ca_file: %w", err)
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("graph.ca_file %s: no PEM certificate in it", file)
	}
	return pool, nil
}

// exchangeToken is the OAuth token source SMTP AUTH XOAUTH2 uses: the app
// registration (graph.client_id) in the partner's own tenant.
func exchangeToken(a *app.App) (func(ctx context.Context) (string, error), error) {
	g, err := newGraphReader(a)
	if err != nil {
		return nil, fmt.Errorf("notices.smtp_auth xoauth2: %w", err)
	}
	return g.SMTPToken(a.Config.Partner.TenantID)
}

// graphNoticeTransport sends through Graph's sendMail from notices.graph_mailbox.
func graphNoticeTransport(a *app.App) (noticeTransport, error) {
	mailbox := a.Config.Notices.GraphMailbox
	if mailbox == "" {
		return noticeTransport{}, errors.New("notices.transport graph needs notices.graph_mailbox, the sending mailbox in the partner's tenant")
	}
	g, err := newGraphReader(a)
	if err != nil {
		return noticeTransport{}, fmt.Errorf("notices.transport graph: %w", err)
	}
	m, err := g.Mailer(a.Config.Partner.TenantID, mailbox)
	if err != nil {
		return noticeTransport{}, err
	}
	return noticeTransport{Transport: m, Name: "graph", Describe: "Graph sendMail from " + mailbox}, nil
}
