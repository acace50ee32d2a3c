package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/seatledger/seatledger/internal/privfile"
)

// PartnerAPI downloads from Partner Center's Partner API as the signed-in Partner
// Center user; the partnercenter adapter is the real one. It is an interface so that
// the application layer does not compile Microsoft's sign-in library.
type PartnerAPI interface {
	// PriceSheet is one market's New Commerce licence-based price list of a month, as
	// CSV: now's month is the current list, earlier months history, next month the
	// preview.
	PriceSheet(ctx context.Context, market string, month, now time.Time) ([]byte, error)
	// OfferMatrix is the offer matrix of a month, as CSV.
	OfferMatrix(ctx context.Context, month time.Time) ([]byte, error)
}

// Download is one file fetched from Partner Center and kept in the download folder.
type Download struct {
	File  string `json:"file"`
	Bytes int    `json:"bytes"`
	// Saved is false when the file already held exactly this download.
	Saved bool `json:"saved"`
}

// PriceFetch is what fetching one market's price list did.
type PriceFetch struct {
	Market string `json:"market"`
	// Month is the list's month, 2026-12.
	Month   string `json:"month"`
	Preview bool   `json:"preview"`
	Download
	Import PriceFileImport `json:"import"`
}

// OfferFetch is what fetching the offer matrix did.
type OfferFetch struct {
	Month string `json:"month"`
	Download
	Offers int `json:"offers"`
}

var marketFlag = regexp.MustCompile(`^[A-Za-z]{2}$`)

// FetchPrices downloads the price list of month (any day of it; zero for the current
// one, or next month's preview with preview set) for each market, keeps each as pricesheet-NL-2026-12.csv (a preview as pricesheet-NL-2026-12-preview.csv) in
// the download folder, and imports them all as `prices import` does: every file
// checked before any is stored, so that each stored price names its file and line.
// A list already imported, in any order, writes no price and records no change.
func (a *App) FetchPrices(ctx context.Context, api PartnerAPI, markets []string, month time.Time, preview bool) ([]PriceFetch, error) {
	if len(markets) == 0 {
		return nil, errors.New("fetch prices: name at least one market, such as NL")
	}
	now := a.clock()()
	this := fetchMonth(now)
	switch {
	case preview && !month.IsZero() && !fetchMonth(month).Equal(this.AddDate(0, 1, 0)):
		return nil, fmt.Errorf("fetch prices: the preview is of next month, %s, not %s", this.AddDate(0, 1, 0).Format("2006-01"), month.Format("2006-01"))
	case preview:
		month = this.AddDate(0, 1, 0)
	case month.IsZero():
		month = this
	}
	month = fetchMonth(month)
	out := make([]PriceFetch, 0, len(markets))
	paths := make([]string, 0, len(markets))
	seen := map[string]bool{}
	for _, m := range markets {
		m = strings.ToUpper(strings.TrimSpace(m))
		if !marketFlag.MatchString(m) {
			return nil, fmt.Errorf("fetch prices: market %q is not a two-letter country code such as NL", m)
		}
		if seen[m] {
			continue
		}
		seen[m] = true
		csv, err := api.PriceSheet(ctx, m, month, now)
		if err != nil {
			return nil, fmt.Errorf("fetch prices: %w", err)
		}
		// A preview is kept apart from the month's list proper, which replaces it when
		// published: stored prices keep naming the file they came from.
		name := fmt.Sprintf("pricesheet-%s-%s.csv", m, month.Format("2006-01"))
		if month.After(this) {
			name = fmt.Sprintf("pricesheet-%s-%s-preview.csv", m, month.Format("2006-01"))
		}
		d, err := a.keepDownload(name, csv)
		if err != nil {
			return nil, fmt.Errorf("fetch prices: %w", err)
		}
		a.Log.Info("price list downloaded", "market", m, "month", month.Format("2006-01"), "file", d.File, "bytes", d.Bytes, "saved", d.Saved)
		out = append(out, PriceFetch{Market: m, Month: month.Format("2006-01"), Preview: month.After(this), Download: d})
		paths = append(paths, d.File)
	}
	imports, err := a.ImportPriceFiles(ctx, paths)
	for i := range imports {
		out[i].Import = imports[i]
	}
	if err != nil {
		return out[:len(imports)], err
	}
	return out, nil
}

// FetchOffers downloads the offer matrix of month (zero for the current one), keeps
// it as offermatrix-2026-12.csv in the download folder and imports it as `catalog
// offers --file` does.
func (a *App) FetchOffers(ctx context.Context, api PartnerAPI, month time.Time) (OfferFetch, error) {
	if month.IsZero() {
		month = a.clock()()
	}
	month = fetchMonth(month)
	csv, err := api.OfferMatrix(ctx, month)
	if err != nil {
		return OfferFetch{}, fmt.Errorf("fetch offer matrix: %w", err)
	}
	d, err := a.keepDownload("offermatrix-"+month.Format("2006-01")+".csv", csv)
	if err != nil {
		return OfferFetch{}, fmt.Errorf("fetch offer matrix: %w", err)
	}
	a.Log.Info("offer matrix downloaded", "month", month.Format("2006-01"), "file", d.File, "bytes", d.Bytes, "saved", d.Saved)
	n, err := a.ImportOffersFile(ctx, d.File)
	if err != nil {
		return OfferFetch{}, err
	}
	return OfferFetch{Month: month.Format("2006-01"), Download: d, Offers: n}, nil
}

// keepDownload writes data as name in the download folder, unless the file there
// already holds exactly data.
func (a *App) keepDownload(name string, data []byte) (Download, error) {
	dir := a.Config.PartnerCenterDownloadDir()
	path := filepath.Join(dir, name)
	old, err := os.ReadFile(path)
	switch {
	case err == nil && bytes.Equal(old, data):
		return Download{File: path, Bytes: len(data)}, nil
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return Download{}, fmt.Errorf("download folder: %w", err)
	}
	if err := privfile.Dir(dir); err != nil {
		return Download{}, fmt.Errorf("partner_center.download_dir: %w", err)
	}
	if _, err := privfile.Write(dir, name, data); err != nil {
		return Download{}, err
	}
	return Download{File: path, Bytes: len(data), Saved: true}, nil
}

func fetchMonth(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}
