package graph_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/seatledger/seatledger/internal/graph"
	"github.com/seatledger/seatledger/internal/mail"
	"github.com/seatledger/seatledger/internal/sandbox"
)

// mailCloud is the simulated cloud and a Graph client of the partner's app.
func mailCloud(t *testing.T) (*sandbox.Server, *graph.Client) {
	t.Helper()
	w, err := sandbox.Generate(sandbox.Options{Seed: 7, Tenants: 1})
	if err != nil {
		t.Fatal(err)
	}
	return cloudClient(t, w, sandbox.ServerOptions{})
}

func graphNotice(id string) mail.Message {
	return mail.Message{
		MessageID: id,
		From:      mail.Address{Name: "Partner d.o.o.", Email: "notices@partner.example"},
		ReplyTo:   &mail.Address{Name: "Podrška", Email: "support@partner.example"},
		To:        []mail.Address{{Name: "Ana Čović", Email: "ana@customer.example"}, {Email: "it@customer.example"}},
		Subject:   "Prijenos licenci: ćčđ ß €",
		Text:      "Iznos: € 1.234,50",
		HTML:      "<p>Iznos: <b>€ 1.234,50</b></p>",
		Language:  "hr",
		Headers:   map[string]string{"X-Seatledger-Notice": "42"},
	}
}

func TestMailerSendsThroughGraph(t *testing.T) {
	srv, c := mailCloud(t)
	m, err := c.Mailer(sandbox.PartnerTenantID, "notices@partner.example")
	if err != nil {
		t.Fatal(err)
	}
	rc, err := m.Deliver(context.Background(), graphNotice("notice-42.3f9c1a@partner.example"))
	if err != nil {
		t.Fatalf("Deliver: %v", err)
	}
	sent := srv.SentMail()
	if len(sent) != 1 {
		t.Fatalf("Graph recorded %d messages, want 1", len(sent))
	}
	got := sent[0]
	if rc.Proof == "" || rc.Proof != got.RequestID {
		t.Errorf("proof %q, want the request-id %q", rc.Proof, got.RequestID)
	}
	if got.Mailbox != "notices@partner.example" || got.Subject != "Prijenos licenci: ćčđ ß €" ||
		got.BodyType != "html" || got.Body != "<p>Iznos: <b>€ 1.234,50</b></p>" ||
		strings.Join(got.To, ",") != "ana@customer.example,it@customer.example" ||
		strings.Join(got.ReplyTo, ",") != "support@partner.example" ||
		got.InternetMessageID != "<notice-42.3f9c1a@partner.example>" || !got.SaveToSentItems {
		t.Errorf("recorded %+v", got)
	}

	text := graphNotice("notice-43@partner.example")
	text.HTML = ""
	if _, err := m.Deliver(context.Background(), text); err != nil {
		t.Fatal(err)
	}
	if got := srv.SentMail()[1]; got.BodyType != "text" || got.Body != "Iznos: € 1.234,50" {
		t.Errorf("text-only message recorded as %s %q", got.BodyType, got.Body)
	}
}

func TestMailerThrottled(t *testing.T) {
	srv, c := mailCloud(t)
	m, _ := c.Mailer(sandbox.PartnerTenantID, "notices@partner.example")

	// A short throttle is waited out.
	srv.ThrottleSendMail(2, "0.01")
	if _, err := m.Deliver(context.Background(), graphNotice("n-1@partner.example")); err != nil {
		t.Fatalf("after a short throttle: %v", err)
	}
	// One that outlasts the retries is left to the caller, as temporary.
	srv.ThrottleSendMail(1000, "0")
	_, err := m.Deliver(context.Background(), graphNotice("n-2@partner.example"))
	var e *mail.Error
	if !errors.As(err, &e) || !e.Temporary || !mail.Temporary(err) || !strings.Contains(e.Reply, "429") {
		t.Fatalf("want a temporary *mail.Error with 429, got %#v (%v)", e, err)
	}
	if n := len(srv.SentMail()); n != 1 {
		t.Errorf("Graph recorded %d messages, want 1", n)
	}
	// A wait longer than a delivery should block on is not waited.
	srv.ThrottleSendMail(1, "120")
	start := time.Now()
	if _, err := m.Deliver(context.Background(), graphNotice("n-3@partner.example")); !mail.Temporary(err) {
		t.Fatalf("long Retry-After: want a temporary error, got %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Deliver waited %v", d)
	}
}

func TestMailerPermanent(t *testing.T) {
	srv, c := mailCloud(t)
	m, _ := c.Mailer(sandbox.PartnerTenantID, "nobody@partner.example")
	_, err := m.Deliver(context.Background(), graphNotice("n-3@partner.example"))
	var e *mail.Error
	if !errors.As(err, &e) || e.Temporary || !strings.Contains(e.Reply, "404") || !strings.Contains(e.Reply, "ErrorInvalidUser") {
		t.Fatalf("unknown mailbox: want a permanent *mail.Error with 404 ErrorInvalidUser, got %#v (%v)", e, err)
	}
	if n := len(srv.SentMail()); n != 0 {
		t.Errorf("Graph recorded %d messages", n)
	}
}
