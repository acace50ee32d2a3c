package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/seatledger/seatledger/internal/app"
	"github.com/seatledger/seatledger/internal/graph"
)

var invoiceIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{0,63}$`)

// validInvoiceID tells an invoice number that can name a folder as it is.
func validInvoiceID(id string) bool { return invoiceIDPattern.MatchString(id) }

// invoiceDir is where an invoice's fetched blobs are kept: the Partner Center
// download folder's invoices/ID.
func invoiceDir(a *app.App, invoiceID string) string {
	return filepath.Join(a.Config.PartnerCenterDownloadDir(), "invoices", invoiceID)
}

// fetchInvoice has Graph export the billed invoice's line items and keeps its blobs,
// private, in invoiceDir (replacing an earlier fetch of the same invoice); it
// returns the files' paths.
func fetchInvoice(ctx context.Context, a *app.App, invoiceID string, timeout time.Duration) ([]string, error) {
	tenant := a.Config.Partner.TenantID
	if tenant == "" {
		return nil, errors.New("partner.tenant_id is required to fetch an invoice: Graph exports it in the partner's own tenant")
	}
	reader, err := newGraphReader(a)
	if err != nil {
		return nil, err
	}
	blobs, err := reader.ExportBilledInvoice(ctx, tenant, invoiceID, graph.ExportOptions{Timeout: timeout})
	if err != nil {
		return nil, err
	}
	if len(blobs) == 0 {
		return nil, fmt.Errorf("invoice %s: Graph's export holds no blob", invoiceID)
	}
	dir := invoiceDir(a, invoiceID)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("keep invoice %s: %w", invoiceID, err)
	}
	old, err := filepath.Glob(filepath.Join(dir, "*.json.gz"))
	if err != nil {
		return nil, err
	}
	var files []string
	for i, b := range blobs {
		name := fmt.Sprintf("%03d-%s", i+1, safeFileName(b.Name))
		if !strings.HasSuffix(name, ".json.gz") {
			name += ".json.gz"
		}
		path := filepath.Join(dir, name)
		if err := writePrivate(path, b.Data); err != nil {
			return nil, fmt.Errorf("keep invoice %s: %w", invoiceID, err)
		}
		files = append(files, path)
	}
	// Blobs of an earlier fetch that this one did not replace would be checked again.
	for _, p := range old {
		if !slices.Contains(files, p) {
			_ = os.Remove(p)
		}
	}
	a.Log.Info("invoice fetched", "invoice", invoiceID, "blobs", len(files), "dir", dir)
	return files, nil
}

// safeFileName is the last part of a blob's name, with anything but letters,
// digits, dots, hyphens and underscores replaced.
func safeFileName(name string) string {
	name = name[strings.LastIndex(name, "/")+1:]
	b := []byte(name)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			b[i] = '_'
		}
	}
	if s := strings.Trim(string(b), "."); s != "" {
		return s
	}
	return "blob"
}

// writePrivate writes a file only its owner reads, whole or not at all.
func writePrivate(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".fetch-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o600); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
