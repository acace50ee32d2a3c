package mail_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	seatmail "github.com/seatledger/seatledger/internal/mail"
	"github.com/seatledger/seatledger/internal/mail/smtptest"
)

const (
	subject  = "Prijenos licenci: ćčđ ß €"
	textBody = "Iznos: € 1.234,50\nHvala, Đurđa ß\n"
	htmlBody = "<p>Iznos: <b>€ 1.234,50</b></p>"
)

func notice(id string) seatmail.Message {
	return seatmail.Message{
		MessageID: id,
		From:      seatmail.Address{Name: "Partner d.o.o.", Email: "billing@partner.example"},
		ReplyTo:   &seatmail.Address{Name: "Podrška", Email: "support@partner.example"},
		To:        []seatmail.Address{{Name: "Ana Čović", Email: "ana@customer.example"}},
		Subject:   subject,
		Text:      textBody,
		HTML:      htmlBody,
		Language:  "hr",
		Headers:   map[string]string{"X-Seatledger-Notice": "42"},
		Date:      time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC),
	}
}

// parsed is a received message as a reader would see it.
type parsed struct {
	header mail.Header
	parts  map[string]string // content type → decoded body
}

func parse(t *testing.T, raw []byte) parsed {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("parse message: %v\n%s", err, raw)
	}
	p := parsed{header: msg.Header, parts: map[string]string{}}
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatalf("Content-Type: %v", err)
	}
	if mediaType != "multipart/alternative" {
		t.Fatalf("Content-Type %s, want multipart/alternative", mediaType)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := mr.NextRawPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("next part: %v", err)
		}
		ct, cparams, err := mime.ParseMediaType(part.Header.Get("Content-Type"))
		if err != nil {
			t.Fatalf("part Content-Type: %v", err)
		}
		if !strings.EqualFold(cparams["charset"], "utf-8") {
			t.Errorf("part %s charset %q, want UTF-8", ct, cparams["charset"])
		}
		var r io.Reader = part
		if strings.EqualFold(part.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
			r = quotedprintable.NewReader(part)
		}
		body, err := io.ReadAll(r)
		if err != nil {
			t.Fatalf("read part %s: %v", ct, err)
		}
		p.parts[ct] = strings.ReplaceAll(string(body), "\r\n", "\n")
	}
	return p
}

func checkNotice(t *testing.T, raw []byte, id string) {
	t.Helper()
	p := parse(t, raw)
	h := p.header
	if got := h.Get("Message-Id"); got != "<"+id+">" {
		t.Errorf("Message-ID %q, want <%s>", got, id)
	}
	var dec mime.WordDecoder
	gotSubject, err := dec.DecodeHeader(h.Get("Subject"))
	if err != nil || gotSubject != subject {
		t.Errorf("Subject %q (%v), want %q; raw %q", gotSubject, err, subject, h.Get("Subject"))
	}
	from, err := h.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Address != "billing@partner.example" || from[0].Name != "Partner d.o.o." {
		t.Errorf("From %v (%v)", from, err)
	}
	to, err := h.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Address != "ana@customer.example" || to[0].Name != "Ana Čović" {
		t.Errorf("To %v (%v)", to, err)
	}
	replyTo, err := h.AddressList("Reply-To")
	if err != nil || len(replyTo) != 1 || replyTo[0].Address != "support@partner.example" {
		t.Errorf("Reply-To %v (%v)", replyTo, err)
	}
	if got := h.Get("Content-Language"); got != "hr" {
		t.Errorf("Content-Language %q, want hr", got)
	}
	if got := h.Get("X-Seatledger-Notice"); got != "42" {
		t.Errorf("X-Seatledger-Notice %q, want 42", got)
	}
	date, err := h.Date()
	if err != nil || !date.Equal(time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("Date %v (%v)", date, err)
	}
	if got := p.parts["text/plain"]; got != textBody {
		t.Errorf("text part %q, want %q", got, textBody)
	}
	if got := p.parts["text/html"]; got != htmlBody {
		t.Errorf("html part %q, want %q", got, htmlBody)
	}
}

func newSMTP(t testing.TB, srv *smtptest.Server, o seatmail.SMTPOptions) *seatmail.SMTP {
	t.Helper()
	o.Host, o.Port = srv.Addr()
	if o.Security == "" {
		o.Security = "none"
	}
	if o.Auth == "" {
		o.Auth = "none"
	}
	if o.TLSConfig == nil {
		o.TLSConfig = srv.ClientTLS()
	}
	o.Timeout = 5 * time.Second
	s, err := seatmail.NewSMTP(o)
	if err != nil {
		t.Fatalf("NewSMTP: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestSMTPDelivers(t *testing.T) {
	cases := []struct {
		name string
		srv  smtptest.Options
		opts seatmail.SMTPOptions
	}{
		{"plain", smtptest.Options{}, seatmail.SMTPOptions{}},
		{"starttls and password",
			smtptest.Options{TLS: true, Username: "relay", Password: "s3cret"},
			seatmail.SMTPOptions{Security: "starttls", Auth: "password", Username: "relay", Password: "s3cret"}},
		{"implicit tls and password",
			smtptest.Options{ImplicitTLS: true, Username: "relay", Password: "s3cret"},
			seatmail.SMTPOptions{Security: "tls", Auth: "password", Username: "relay", Password: "s3cret"}},
		{"starttls and xoauth2",
			smtptest.Options{TLS: true, Username: "notices@partner.example", Token: "tok-123"},
			seatmail.SMTPOptions{Security: "starttls", Auth: "xoauth2", Username: "notices@partner.example",
				Token: func(context.Context) (string, error) { return "tok-123", nil }}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := smtptest.Start(t, c.srv)
			s := newSMTP(t, srv, c.opts)
			for i := 1; i <= 2; i++ {
				id := fmt.Sprintf("notice-%d.3f9c1a@partner.example", i)
				rc, err := s.Deliver(context.Background(), notice(id))
				if err != nil {
					t.Fatalf("Deliver %d: %v", i, err)
				}
				if want := fmt.Sprintf("250 2.0.0 queued as %d", i); rc.Proof != want {
					t.Errorf("proof %q, want %q", rc.Proof, want)
				}
			}
			got := srv.Messages()
			if len(got) != 2 {
				t.Fatalf("server got %d messages, want 2", len(got))
			}
			if got[0].From != "billing@partner.example" || len(got[0].To) != 1 || got[0].To[0] != "ana@customer.example" {
				t.Errorf("envelope from %q to %v", got[0].From, got[0].To)
			}
			if got[1].MessageID != "notice-2.3f9c1a@partner.example" {
				t.Errorf("second Message-ID %q", got[1].MessageID)
			}
			checkNotice(t, got[0].Data, "notice-1.3f9c1a@partner.example")
		})
	}
}

func TestSMTPTemporaryThenSuccess(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	s := newSMTP(t, srv, seatmail.SMTPOptions{})
	srv.FailNext(1, 451, "4.3.0 try again later")
	_, err := s.Deliver(context.Background(), notice("n-1@partner.example"))
	var e *seatmail.Error
	if !errors.As(err, &e) || !e.Temporary || !strings.Contains(e.Reply, "451") || !seatmail.Temporary(err) {
		t.Fatalf("want a temporary *Error with 451, got %#v (%v)", e, err)
	}
	if e.Reply != "451 4.3.0 try again later" {
		t.Errorf("reply %q", e.Reply)
	}
	if _, err := s.Deliver(context.Background(), notice("n-1@partner.example")); err != nil {
		t.Fatalf("retry: %v", err)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("server got %d messages, want 1", n)
	}
}

func TestSMTPPermanent(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	s := newSMTP(t, srv, seatmail.SMTPOptions{})
	srv.FailNext(1, 550, "5.1.1 mailbox unavailable")
	_, err := s.Deliver(context.Background(), notice("n-2@partner.example"))
	var e *seatmail.Error
	if !errors.As(err, &e) || e.Temporary || seatmail.Temporary(err) {
		t.Fatalf("want a permanent *Error, got %v", err)
	}
	if e.Reply != "550 5.1.1 mailbox unavailable" {
		t.Errorf("reply %q", e.Reply)
	}
	// The connection stays usable after a refusal.
	if _, err := s.Deliver(context.Background(), notice("n-3@partner.example")); err != nil {
		t.Fatalf("next delivery: %v", err)
	}
}

func TestSMTPWrongPassword(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{TLS: true, Username: "relay", Password: "s3cret"})
	s := newSMTP(t, srv, seatmail.SMTPOptions{Security: "starttls", Auth: "password", Username: "relay", Password: "wrong"})
	_, err := s.Deliver(context.Background(), notice("n-4@partner.example"))
	var e *seatmail.Error
	if !errors.As(err, &e) || e.Temporary || !strings.HasPrefix(e.Reply, "535") {
		t.Fatalf("want a permanent *Error with 535, got %#v (%v)", e, err)
	}
	if strings.Contains(err.Error(), "wrong") {
		t.Errorf("error shows the password: %v", err)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("server got %d messages", n)
	}
}

func TestSMTPWrongToken(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{TLS: true, Token: "tok-123"})
	s := newSMTP(t, srv, seatmail.SMTPOptions{Security: "starttls", Auth: "xoauth2", Username: "a@b.example",
		Token: func(context.Context) (string, error) { return "expired", nil }})
	_, err := s.Deliver(context.Background(), notice("n-5@partner.example"))
	if err == nil || seatmail.Temporary(err) {
		t.Fatalf("want a permanent error, got %v", err)
	}
}

func TestSMTPServerGone(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	host, port := srv.Addr()
	s, err := seatmail.NewSMTP(seatmail.SMTPOptions{Host: host, Port: port + 0, Security: "none", Auth: "none", Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Deliver(context.Background(), notice("n-6@partner.example")); err != nil {
		t.Fatalf("first delivery: %v", err)
	}
	_ = s.Close()
	s2, err := seatmail.NewSMTP(seatmail.SMTPOptions{Host: host, Port: 1, Security: "none", Auth: "none", Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s2.Deliver(context.Background(), notice("n-7@partner.example")); err == nil || !seatmail.Temporary(err) {
		t.Fatalf("refused connection: want a temporary error, got %v", err)
	}
}

// A server that closed the idle connection is reconnected to, without an error.
func TestSMTPReconnectsAfterIdleClose(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{IdleTimeout: 100 * time.Millisecond})
	s := newSMTP(t, srv, seatmail.SMTPOptions{})
	if _, err := s.Deliver(context.Background(), notice("r-1@partner.example")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	if _, err := s.Deliver(context.Background(), notice("r-2@partner.example")); err != nil {
		t.Fatalf("after the server closed the connection: %v", err)
	}
	if n := len(srv.Messages()); n != 2 {
		t.Errorf("server got %d messages, want 2", n)
	}
}

func TestNewSMTPRefuses(t *testing.T) {
	cases := []struct {
		name string
		o    seatmail.SMTPOptions
		want string
	}{
		{"password in clear", seatmail.SMTPOptions{Host: "h", Port: 25, Security: "none", Auth: "password", Username: "u", Password: "p"}, "in clear"},
		{"no host", seatmail.SMTPOptions{Port: 25, Security: "none", Auth: "none"}, "no host"},
		{"bad port", seatmail.SMTPOptions{Host: "h", Port: 70000, Security: "none", Auth: "none"}, "port"},
		{"bad security", seatmail.SMTPOptions{Host: "h", Port: 25, Security: "ssl", Auth: "none"}, "security"},
		{"bad auth", seatmail.SMTPOptions{Host: "h", Port: 25, Security: "tls", Auth: "login"}, "auth"},
		{"xoauth2 without token", seatmail.SMTPOptions{Host: "h", Port: 587, Security: "starttls", Auth: "xoauth2", Username: "u"}, "token"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := seatmail.NewSMTP(c.o)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("NewSMTP: %v, want an error about %q", err, c.want)
			}
		})
	}
}

func TestSMTPConcurrent(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	s := newSMTP(t, srv, seatmail.SMTPOptions{})
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.Deliver(context.Background(), notice(fmt.Sprintf("c-%d@partner.example", i))); err != nil {
				t.Errorf("Deliver %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	if n := len(srv.Messages()); n != 50 {
		t.Errorf("server got %d messages, want 50", n)
	}
}

func BenchmarkSMTPDeliver(b *testing.B) {
	srv := smtptest.Start(b, smtptest.Options{})
	s := newSMTP(b, srv, seatmail.SMTPOptions{})
	m := notice("bench@partner.example")
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		m.MessageID = fmt.Sprintf("bench-%d@partner.example", i)
		if _, err := s.Deliver(ctx, m); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
