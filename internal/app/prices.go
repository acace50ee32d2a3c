package app

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/seatledger/seatledger/internal/catalog"
	"github.com/seatledger/seatledger/internal/ids"
	"github.com/seatledger/seatledger/internal/pricing"
	"github.com/seatledger/seatledger/internal/problems"
	"github.com/seatledger/seatledger/internal/store"
)

// maxPriceListBytes bounds a price list file. A market's monthly list is a few MB; a
// list of every market with its history runs to tens of MB.
const maxPriceListBytes = 256 << 20

// PriceFileImport is what importing one price list file did.
type PriceFileImport struct {
	File string `json:"file"`
	store.PriceImport
}

// ImportPriceFiles reads and checks every file before it stores any, so that a broken
// row in the last file leaves the database as it was; then stores them in the order
// given, each in its own transaction, a later month after an earlier one. A file is
// CSV or XLSX, told apart by its content.
func (a *App) ImportPriceFiles(ctx context.Context, paths []string) ([]PriceFileImport, error) {
	lists := make([]pricing.List, len(paths))
	for i, path := range paths {
		var err error
		if lists[i], err = readPriceFile(path); err != nil {
			return nil, err
		}
	}
	out := make([]PriceFileImport, len(paths))
	for i, path := range paths {
		res, err := a.Store.ImportPrices(ctx, lists[i], a.Actor, path)
		if err != nil {
			return out[:i], err
		}
		lists[i] = pricing.List{} // let the parsed file go before the next is stored
		out[i] = PriceFileImport{File: path, PriceImport: res}
		a.Log.Info("price list imported", "file", path, "read", res.Read, "written", res.Written, "unchanged", res.Unchanged,
			"closed", res.Closed, "changes", res.Changes, "overridden", res.Overridden)
	}
	return out, nil
}

// readPriceFile parses a price list file as it streams from disk: a list of every
// market runs to tens of MB, and holding the file beside its parsed prices would
// double what the import needs. Anything but a regular file of at most
// maxPriceListBytes is refused, as records.ReadFile refuses it.
func readPriceFile(path string) (pricing.List, error) {
	f, err := os.Open(path)
	if err != nil {
		return pricing.List{}, fmt.Errorf("import price list: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return pricing.List{}, fmt.Errorf("import price list: %w", err)
	}
	if !st.Mode().IsRegular() {
		return pricing.List{}, problems.List{{File: path, Message: "not a regular file: name a file, not a device, pipe or folder"}}
	}
	tooLarge := problems.List{{File: path, Field: "size", Message: fmt.Sprintf("larger than the %d MiB allowed", maxPriceListBytes>>20)}}
	if st.Size() > maxPriceListBytes {
		return pricing.List{}, tooLarge
	}
	// The file may grow between Stat and the read: read no more than the limit.
	r := &countingReader{r: io.LimitReader(f, maxPriceListBytes+1)}
	list, err := pricing.Parse(r, path)
	if r.n > maxPriceListBytes {
		return pricing.List{}, tooLarge
	}
	return list, err
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// Prices lists stored prices, every range of every key the filter matches.
func (a *App) Prices(ctx context.Context, f store.PriceFilter) ([]pricing.Price, error) {
	return a.Store.Prices(ctx, f)
}

// PriceChanges lists the recorded changes effective on or after since, in one market
// when market is set.
func (a *App) PriceChanges(ctx context.Context, since time.Time, market string) ([]pricing.Change, error) {
	all, err := a.Store.PriceChanges(ctx, since)
	if err != nil {
		return nil, err
	}
	if market == "" {
		return all, nil
	}
	out := all[:0]
	for _, c := range all {
		if strings.EqualFold(c.Market, market) {
			out = append(out, c)
		}
	}
	return out, nil
}

// SKUPrices is what prices show prints: the Partner Center offers that provision one
// SKU, their prices in force on a day, every range of those keys and their changes.
type SKUPrices struct {
	Query  string          `json:"query"`
	Offers []catalog.Offer `json:"offers"`
	At     time.Time       `json:"at"`
	// InForce are the prices in force on At; History every range of the same keys.
	InForce []pricing.Price  `json:"inForce"`
	History []pricing.Price  `json:"history"`
	Changes []pricing.Change `json:"changes"`
}

// PriceQuery narrows prices show.
type PriceQuery struct {
	Market, Currency, Segment string
	// At is the day whose prices are in force; zero for today.
	At time.Time
}

// SKUPrices finds the prices of a SKU named by part number, Graph GUID or Partner
// Center ProductId:SkuId. Part numbers and GUIDs reach price rows through the offer
// matrix imported by catalog offers.
func (a *App) SKUPrices(ctx context.Context, sku string, q PriceQuery) (SKUPrices, error) {
	at := q.At
	if at.IsZero() {
		at = a.clock()()
	}
	res := SKUPrices{Query: sku, At: time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, time.UTC)}
	offers, err := a.offersFor(ctx, sku)
	if err != nil {
		return res, err
	}
	res.Offers = offers
	keys := map[pricing.Key]bool{}
	for _, o := range offers {
		prices, err := a.Store.Prices(ctx, store.PriceFilter{Market: q.Market, Currency: q.Currency, ProductID: o.ProductID, SKUID: o.SKU})
		if err != nil {
			return res, err
		}
		for _, p := range prices {
			if q.Segment != "" && !strings.EqualFold(p.Segment, q.Segment) {
				continue
			}
			res.History = append(res.History, p)
			keys[p.Key] = true
			if p.InForce(res.At) {
				res.InForce = append(res.InForce, p)
			}
		}
	}
	changes, err := a.Store.PriceChanges(ctx, time.Time{})
	if err != nil {
		return res, err
	}
	for _, c := range changes {
		if keys[c.Key] {
			res.Changes = append(res.Changes, c)
		}
	}
	if len(res.History) == 0 {
		return res, fmt.Errorf("no prices stored for %s%s: import a price list with prices import", sku, q.describe())
	}
	return res, nil
}

func (q PriceQuery) describe() string {
	var parts []string
	for _, s := range []string{q.Market, q.Currency, q.Segment} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return " in " + strings.Join(parts, " ")
}

func (a *App) offersFor(ctx context.Context, sku string) ([]catalog.Offer, error) {
	if catalog.OfferKey.MatchString(strings.TrimSpace(sku)) {
		key := catalog.NormalOfferKey(sku)
		o, err := a.Store.Offer(ctx, key)
		if err != nil {
			// A price list may name an offer the offer matrix has not been imported for.
			return []catalog.Offer{{ProductID: key[:12], SKU: key[13:]}}, nil
		}
		return []catalog.Offer{o}, nil
	}
	guid, ok := ids.ParseGUID(sku)
	if !ok {
		c, _, err := a.Catalog(ctx)
		if err != nil {
			return nil, err
		}
		s, err := c.Lookup(sku)
		if err != nil {
			return nil, err
		}
		guid = s.ID
	}
	offers, err := a.Store.OffersForSKU(ctx, guid)
	if err != nil {
		return nil, err
	}
	if len(offers) == 0 {
		return nil, fmt.Errorf("no Partner Center offer provisions %s (%s): import the offer matrix with catalog offers, or name the offer as ProductId:SkuId", sku, guid)
	}
	return offers, nil
}
