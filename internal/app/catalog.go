package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/seatledger/seatledger/internal/catalog"
	"github.com/seatledger/seatledger/internal/config"
	"github.com/seatledger/seatledger/internal/mshttp"
	"github.com/seatledger/seatledger/internal/problems"
	"github.com/seatledger/seatledger/internal/records"
	"github.com/seatledger/seatledger/internal/redact"
	"github.com/seatledger/seatledger/internal/store"
)

// CatalogSource says which catalogue is in use.
type CatalogSource string

const (
	CatalogImported CatalogSource = "imported"
	CatalogBuiltin  CatalogSource = "built-in"
)

// CatalogImport is what a catalogue import wrote, and the slips in Microsoft's file it
// repaired on the way, each naming its line, for the person who imported it to check.
type CatalogImport struct {
	Counts   store.ImportCounts
	Warnings problems.List
}

// maxCatalogBytes bounds a catalogue, downloaded or read from a file; Microsoft's
// file is about 1 MB.
const maxCatalogBytes = 64 << 20

// ImportCatalogFile reads Microsoft's SKU catalogue CSV from a file, checks all of it,
// and only then upserts it.
func (a *App) ImportCatalogFile(ctx context.Context, path string) (CatalogImport, error) {
	data, err := records.ReadFile(path, maxCatalogBytes)
	if err != nil {
		return CatalogImport{}, fmt.Errorf("import catalogue: %w", err)
	}
	return a.importCatalog(ctx, bytes.NewReader(data), path)
}

// ImportCatalogURL downloads Microsoft's SKU catalogue CSV over https and imports it
// like a file. The URL is named everywhere (messages, log, audit log) redacted: a
// storage URL may carry a password or a signature.
func (a *App) ImportCatalogURL(ctx context.Context, url string) (CatalogImport, error) {
	shown := redact.URL(url)
	if err := config.CheckCatalogURL(url); err != nil {
		return CatalogImport{}, fmt.Errorf("import catalogue from %s: %w", shown, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return CatalogImport{}, fmt.Errorf("import catalogue from %s: %w", shown, redact.URLError(err))
	}
	resp, err := a.HTTP.Do(req)
	if err != nil {
		return CatalogImport{}, fmt.Errorf("import catalogue: download: %w", redact.URLError(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return CatalogImport{}, fmt.Errorf("import catalogue: download %s: %s", shown, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxCatalogBytes+1))
	if err != nil {
		return CatalogImport{}, fmt.Errorf("import catalogue: download %s: %w", shown, redact.URLError(err))
	}
	if len(body) > maxCatalogBytes {
		return CatalogImport{}, fmt.Errorf("import catalogue: %s is larger than %d MB", shown, maxCatalogBytes>>20)
	}
	return a.importCatalog(ctx, bytes.NewReader(body), shown)
}

// httpsOnly refuses a redirect away from https, so that a catalogue asked for over
// https is never fetched in clear.
func httpsOnly(req *http.Request, via []*http.Request) error {
	if req.URL.Scheme != "https" {
		return fmt.Errorf("redirected to %s: only https is followed", redact.URL(req.URL.String()))
	}
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	return nil
}

// downloadClient trusts the system's roots plus graph.ca_file, which names the
// authorities of a TLS-inspecting proxy (or the simulated cloud) for every download.
func downloadClient(caFile string) (*http.Client, error) {
	transport, err := mshttp.Transport(caFile, 2)
	if err != nil {
		return nil, err
	}
	return &http.Client{Timeout: 2 * time.Minute, Transport: transport, CheckRedirect: httpsOnly}, nil
}

func (a *App) importCatalog(ctx context.Context, r io.Reader, source string) (CatalogImport, error) {
	skus, warnings, err := catalog.ParseCSV(r, source)
	if err != nil {
		return CatalogImport{}, err
	}
	counts, err := a.Store.ImportCatalog(ctx, skus, a.Actor, source)
	if err != nil {
		return CatalogImport{}, err
	}
	a.Log.Info("catalogue imported", "source", source, "skus", len(skus), "new", counts.Created, "updated", counts.Updated, "unchanged", counts.Unchanged, "repaired", len(warnings))
	return CatalogImport{Counts: counts, Warnings: warnings}, nil
}

// Catalog returns the imported catalogue, or the built-in one while nothing has been
// imported.
func (a *App) Catalog(ctx context.Context) (*catalog.Catalog, CatalogSource, error) {
	skus, err := a.Store.CatalogSKUs(ctx)
	if err != nil {
		return nil, "", err
	}
	if len(skus) > 0 {
		return catalog.New(skus), CatalogImported, nil
	}
	c, err := catalog.Builtin()
	return c, CatalogBuiltin, err
}
