package graph_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seatledger/seatledger/internal/graph"
	"github.com/seatledger/seatledger/internal/invoice"
	"github.com/seatledger/seatledger/internal/sandbox"
)

// billingCloud is a simulated cloud of a world started on 1 November 2026 and moved
// to its last day, and the real Graph client signed in to it.
func billingCloud(t *testing.T, opts sandbox.ServerOptions) (*sandbox.World, *sandbox.Server, *graph.Client) {
	t.Helper()
	world, err := sandbox.Generate(sandbox.Options{Seed: 3, Tenants: 8, Start: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	srv, client := cloudClient(t, world, opts)
	return world, srv, client
}

// cloudClient serves world as the simulated cloud over HTTPS and returns it with the
// real Graph client of the partner's app, trusting its certificate.
func cloudClient(t *testing.T, world *sandbox.World, opts sandbox.ServerOptions) (*sandbox.Server, *graph.Client) {
	t.Helper()
	srv, err := sandbox.NewServer(world, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, srv.CAPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	client, err := graph.New(graph.Config{ClientID: srv.ClientID(), ClientSecret: srv.ClientSecret(),
		BaseURL: srv.GraphBaseURL(), AuthorityHost: srv.AuthorityHost(), CAFile: caFile, RequestTimeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return srv, client
}

func itemsText(items []invoice.LineItem) []string {
	out := make([]string, len(items))
	for i, it := range items {
		it.Source = ""
		out[i] = fmt.Sprintf("%+v", it)
	}
	slices.Sort(out)
	return out
}

// The billed export of November's invoice: started, polled while it runs, its two
// blobs downloaded with the SAS token only; they hold the very charges of the
// month's reconciliation file.
func TestExportBilledInvoice(t *testing.T) {
	world, srv, client := billingCloud(t, sandbox.ServerOptions{ExportRetryAfter: "0.2"})
	november := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	id := world.InvoiceID(november)
	downloads := srv.Stats().Downloads.Load()
	started := time.Now()
	blobs, err := client.ExportBilledInvoice(context.Background(), sandbox.PartnerTenantID, id, graph.ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(started); waited < 400*time.Millisecond {
		t.Errorf("export done in %s: Retry-After (0.2 s, twice) was not honoured", waited)
	}
	if len(blobs) != 2 || srv.Stats().Downloads.Load()-downloads != 2 {
		t.Fatalf("%d blobs, %d downloads, want 2", len(blobs), srv.Stats().Downloads.Load()-downloads)
	}
	var got []invoice.LineItem
	for _, b := range blobs {
		if !bytes.HasPrefix(b.Data, []byte{0x1f, 0x8b}) || b.PartitionValue == "" {
			t.Errorf("blob %s: not gzip, or no partition value", b.Name)
		}
		items, err := invoice.Parse(bytes.NewReader(b.Data), b.Name)
		if err != nil {
			t.Fatal(err)
		}
		if len(items) == 0 {
			t.Errorf("blob %s holds no line item", b.Name)
		}
		got = append(got, items...)
	}
	csvData, _ := world.InvoiceCSV(november)
	want, err := invoice.Parse(bytes.NewReader(csvData), "recon.csv")
	if err != nil {
		t.Fatal(err)
	}
	if g, w := itemsText(got), itemsText(want); !slices.Equal(g, w) {
		t.Errorf("the blobs hold %d line items, the reconciliation file %d; first blob line:\n%s\nfile line:\n%s", len(g), len(w), g[0], w[0])
	}
}

// An export Graph reports as failed says so with Graph's error; an invoice Graph
// does not know is told apart; an export that outlasts its timeout says so.
func TestExportBilledInvoiceFailures(t *testing.T) {
	world, srv, client := billingCloud(t, sandbox.ServerOptions{ExportRetryAfter: "0.05"})
	id := world.InvoiceID(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	ctx := context.Background()

	srv.FailBilledExport(id)
	_, err := client.ExportBilledInvoice(ctx, sandbox.PartnerTenantID, id, graph.ExportOptions{})
	if !errors.Is(err, graph.ErrExportFailed) || !strings.Contains(err.Error(), "ExportFailed") || !strings.Contains(err.Error(), id) {
		t.Errorf("failed export: %v", err)
	}

	_, err = client.ExportBilledInvoice(ctx, sandbox.PartnerTenantID, "G9999120001", graph.ExportOptions{})
	if !errors.Is(err, graph.ErrInvoiceNotFound) || !strings.Contains(err.Error(), "G9999120001") || !strings.Contains(err.Error(), "404") {
		t.Errorf("unknown invoice: %v", err)
	}

	// A customer's tenant is not where the partner's invoices are read.
	_, err = client.ExportBilledInvoice(ctx, srv.Truth().Tenants[0].ID, id, graph.ExportOptions{})
	if err == nil || !strings.Contains(err.Error(), "403") {
		t.Errorf("export in a customer's tenant: %v", err)
	}

	slow, _, slowClient := billingCloud(t, sandbox.ServerOptions{ExportRetryAfter: "5"})
	started := time.Now()
	_, err = slowClient.ExportBilledInvoice(ctx, sandbox.PartnerTenantID, slow.InvoiceID(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)),
		graph.ExportOptions{Timeout: 300 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "not completed within 300ms") || time.Since(started) > 3*time.Second {
		t.Errorf("export past its timeout, after %s: %v", time.Since(started), err)
	}
}

// Blobs are read over https only, and the SAS token never shows in an error.
func TestExportBilledInvoiceBlobsOverHTTPSOnly(t *testing.T) {
	for _, c := range []struct{ base, want string }{
		{"http://127.0.0.1:9", "over https only"},
		{"https://127.0.0.1:9", "download blob part-00000-billed.json.gz"},
	} {
		world, _, client := billingCloud(t, sandbox.ServerOptions{ExportRetryAfter: "0.05", BlobBase: c.base})
		_, err := client.ExportBilledInvoice(context.Background(), sandbox.PartnerTenantID, world.InvoiceID(world.Start), graph.ExportOptions{})
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "sig=") && !strings.Contains(err.Error(), "sig=xxxxx") {
			t.Errorf("blobs at %s: %v", c.base, err)
		}
		if err != nil && regexp.MustCompile(`sig=[0-9a-f]{8}`).MatchString(err.Error()) {
			t.Errorf("the SAS signature shows in the error: %v", err)
		}
	}
}
