package sandbox

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"testing"
)

// A server reached by a name in a container network hands out links under that name,
// and its certificate verifies for it.
func TestServerURLNamesItsLinks(t *testing.T) {
	w, err := Generate(Options{Seed: 1, Tenants: 1})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := NewServer(w, ServerOptions{URL: "https://sandbox.example.com:8443"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if srv.GraphBaseURL() != "https://sandbox.example.com:8443/v1.0" || srv.AuthorityHost() != "https://sandbox.example.com:8443/" {
		t.Errorf("GraphBaseURL %s, AuthorityHost %s", srv.GraphBaseURL(), srv.AuthorityHost())
	}
	// The name resolves to the listener here as a compose network's DNS would.
	listening := srv.srv.Listener.Addr().String()
	tr := &http.Transport{TLSClientConfig: srv.TLSConfig(), DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, listening)
	}}
	client := &http.Client{Transport: tr}
	resp, err := client.Get(srv.AuthorityHost() + PartnerTenantID + "/v2.0/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var conf map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&conf); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"issuer", "token_endpoint", "jwks_uri"} {
		if v, _ := conf[k].(string); !strings.HasPrefix(v, "https://sandbox.example.com:8443/") {
			t.Errorf("%s = %q, not under the server's URL", k, v)
		}
	}
}

func TestServerURLMustBeHTTPSRoot(t *testing.T) {
	w, err := Generate(Options{Seed: 1, Tenants: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"http://sandbox.example.com:8443", "https://sandbox.example.com:8443/v1.0", "sandbox:8443"} {
		if srv, err := NewServer(w, ServerOptions{URL: u}); err == nil {
			srv.Close()
			t.Errorf("URL %q accepted", u)
		}
	}
}
