package entra_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/seatledger/seatledger/internal/entra"
	"github.com/seatledger/seatledger/internal/mail"
	"github.com/seatledger/seatledger/internal/mail/smtptest"
	"github.com/seatledger/seatledger/internal/sandbox"
)

func TestSMTPTokenFromTheSimulatedCloud(t *testing.T) {
	w, err := sandbox.Generate(sandbox.Options{Seed: 1, Tenants: 1})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := sandbox.NewServer(w, sandbox.ServerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	app, err := entra.NewApp(srv.ClientID(), srv.ClientSecret(), "")
	if err != nil {
		t.Fatal(err)
	}
	transport := &http.Client{Transport: &http.Transport{TLSClientConfig: srv.TLSConfig()}}
	cred, err := app.Credential(sandbox.PartnerTenantID, srv.AuthorityHost(), true, transport)
	if err != nil {
		t.Fatal(err)
	}
	token := entra.SMTPToken(cred)
	first, err := token(context.Background())
	if err != nil {
		t.Fatalf("token: %v", err)
	}
	if !strings.HasPrefix(first, "sandbox."+sandbox.PartnerTenantID+".") {
		t.Errorf("token %q was not issued for the partner's tenant", first)
	}
	again, err := token(context.Background())
	if err != nil || again != first {
		t.Errorf("second token %q (%v): want the cached %q", again, err, first)
	}
	if n := srv.Stats().Tokens.Load(); n != 1 {
		t.Errorf("token endpoint asked %d times, want 1", n)
	}

	// The token signs in to SMTP with XOAUTH2, as Exchange Online would take it.
	relay := smtptest.Start(t, smtptest.Options{TLS: true, Username: "notices@partner.example", Token: first})
	host, port := relay.Addr()
	s, err := mail.NewSMTP(mail.SMTPOptions{Host: host, Port: port, Security: "starttls", Auth: "xoauth2",
		Username: "notices@partner.example", Token: token, TLSConfig: relay.ClientTLS()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Deliver(context.Background(), mail.Message{MessageID: "n-1@partner.example",
		From: mail.Address{Email: "notices@partner.example"}, To: []mail.Address{{Email: "ana@customer.example"}},
		Subject: "Obavijest", Text: "€ 1.234,50"}); err != nil {
		t.Fatalf("SMTP with the token: %v", err)
	}
	if n := len(relay.Messages()); n != 1 {
		t.Errorf("relay got %d messages", n)
	}

	wrong, err := entra.NewApp(srv.ClientID(), "not-the-secret", "")
	if err != nil {
		t.Fatal(err)
	}
	cred, err = wrong.Credential(sandbox.PartnerTenantID, srv.AuthorityHost(), true, transport)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := entra.SMTPToken(cred)(context.Background()); err == nil || strings.Contains(err.Error(), "not-the-secret") {
		t.Errorf("wrong secret: %v", err)
	}
}

// scopes records what a token was asked for.
type scopes struct{ asked [][]string }

func (s *scopes) GetToken(_ context.Context, o policy.TokenRequestOptions) (azcore.AccessToken, error) {
	s.asked = append(s.asked, o.Scopes)
	if len(s.asked) > 1 {
		return azcore.AccessToken{}, errors.New("AADSTS7000215")
	}
	return azcore.AccessToken{Token: "tok"}, nil
}

func TestSMTPTokenAsksForExchangeOnline(t *testing.T) {
	s := &scopes{}
	tok, err := entra.SMTPToken(s)(context.Background())
	if err != nil || tok != "tok" {
		t.Fatalf("token %q, %v", tok, err)
	}
	if len(s.asked) != 1 || !slices.Equal(s.asked[0], []string{"https://outlook.office365.com/.default"}) {
		t.Errorf("asked for %v", s.asked)
	}
	if _, err := entra.SMTPToken(s)(context.Background()); err == nil || !strings.Contains(err.Error(), "exchange online token") {
		t.Errorf("failure not wrapped: %v", err)
	}
}
