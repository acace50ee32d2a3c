package sandbox

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// smallCloud serves a world of one tenant, and returns them with a client that trusts its certificate.
func smallCloud(t *testing.T) (*World, *Server, *http.Client) {
	t.Helper()
	w, err := Generate(Options{Seed: 1, Tenants: 1})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := NewServer(w, ServerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return w, srv, &http.Client{Transport: &http.Transport{TLSClientConfig: srv.TLSConfig()}}
}

// The Partner API takes user tokens only: an app-only token, even one asked for
// Partner Center's scope, is refused as Partner Center refuses it.
func TestPartnerAPIRefusesAppOnlyTokens(t *testing.T) {
	_, srv, client := smallCloud(t)

	resp, err := client.PostForm(srv.URL()+"/"+PartnerTenantID+"/oauth2/v2.0/token", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {srv.ClientID()}, "client_secret": {srv.ClientSecret()},
		"scope": {"https://api.partnercenter.microsoft.com/.default"},
	})
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if err != nil || tok.AccessToken == "" {
		t.Fatalf("app token: %v", err)
	}
	for token, want := range map[string]int{tok.AccessToken: http.StatusForbidden, "": http.StatusUnauthorized, "sandboxuser.forged": http.StatusUnauthorized} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL()+"/v1.0/sales/offermatrix(Month='202611')/$value", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want || strings.Contains(string(body), "ProductId") {
			t.Errorf("token %q: HTTP %d, want %d", token, resp.StatusCode, want)
		}
	}
	if n := srv.PartnerAPIDownloads(); n != 0 {
		t.Errorf("%d downloads served", n)
	}
}
