package graph_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seatledger/seatledger/internal/graph"
	"github.com/seatledger/seatledger/internal/inventory"
	"github.com/seatledger/seatledger/internal/sandbox"
)

// linkedClouds serves one world from Graph's server and, on another port of the same
// host, from a second server the first one's answers may link to; the client trusts
// both certificates, so that only the link check can keep it away.
func linkedClouds(t *testing.T, opts func(elsewhere string) sandbox.ServerOptions) (*sandbox.Server, *sandbox.Server, *graph.Client) {
	t.Helper()
	world, err := sandbox.Generate(sandbox.Options{Seed: 7, Tenants: 1})
	if err != nil {
		t.Fatal(err)
	}
	elsewhere, err := sandbox.NewServer(world, sandbox.ServerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(elsewhere.Close)
	srv, err := sandbox.NewServer(world, opts(elsewhere.URL()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, append(srv.CAPEM(), elsewhere.CAPEM()...), 0o600); err != nil {
		t.Fatal(err)
	}
	reader, err := graph.New(graph.Config{ClientID: srv.ClientID(), ClientSecret: srv.ClientSecret(),
		BaseURL: srv.GraphBaseURL(), AuthorityHost: srv.AuthorityHost(), CAFile: caFile, RequestTimeout: 20 * time.Second, PageSize: 5})
	if err != nil {
		t.Fatal(err)
	}
	return srv, elsewhere, reader
}

func read(t *testing.T, srv *sandbox.Server, reader *graph.Client, usage bool) error {
	t.Helper()
	snap, _, err := reader.ReadTenant(context.Background(), srv.Truth().Tenants[0].ID,
		inventory.ReadOptions{Usage: usage, ExchangeSKU: func(string) bool { return false }})
	if err == nil {
		_ = snap.Close()
	}
	return err
}

// A users page whose nextLink leads to the same host on another port fails the
// tenant, and nothing (no token) is sent there.
func TestNextLinkToAnotherOriginIsRefused(t *testing.T) {
	srv, elsewhere, reader := linkedClouds(t, func(other string) sandbox.ServerOptions {
		return sandbox.ServerOptions{NextLinkBase: other}
	})
	err := read(t, srv, reader, false)
	if err == nil || !strings.Contains(err.Error(), "@odata.nextLink leads to https://127.0.0.1:") || !strings.Contains(err.Error(), "refused") {
		t.Errorf("a nextLink to another port: %v", err)
	}
	if n := elsewhere.Stats().Requests.Load(); n != 0 {
		t.Errorf("%d requests followed the nextLink to the other server", n)
	}
}

// A report redirect to plain http is not followed; one over https still is.
func TestReportRedirectOnlyOverHTTPS(t *testing.T) {
	var plain atomic.Int64
	httpSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		plain.Add(1)
		_, _ = w.Write([]byte("Report Refresh Date,User Principal Name\n"))
	}))
	t.Cleanup(httpSrv.Close)
	srv, _, reader := linkedClouds(t, func(string) sandbox.ServerOptions { return sandbox.ServerOptions{ReportBase: httpSrv.URL} })
	err := read(t, srv, reader, true)
	if err == nil || !strings.Contains(err.Error(), "redirected to http://127.0.0.1:") || !strings.Contains(err.Error(), "https only") {
		t.Errorf("a report redirect to http: %v", err)
	}
	if n := plain.Load(); n != 0 {
		t.Errorf("%d requests followed the redirect to http", n)
	}

	srv, elsewhere, reader := linkedClouds(t, func(other string) sandbox.ServerOptions { return sandbox.ServerOptions{ReportBase: other} })
	if err := read(t, srv, reader, true); err != nil {
		t.Fatalf("a report redirect to another https host: %v", err)
	}
	if n := elsewhere.Stats().Downloads.Load(); n != 3 {
		t.Errorf("%d downloads over https, want the 3 reports", n)
	}
}
