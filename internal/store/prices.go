package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"github.com/seatledger/seatledger/internal/catalog"
	"github.com/seatledger/seatledger/internal/pricing"
)

// PriceImport is what one price list import did. Written counts price rows inserted
// or updated (a range closed counts once); an unchanged re-import writes none.
type PriceImport struct {
	Read       int `json:"read"`
	Overridden int `json:"overridden"`
	Written    int `json:"written"`
	Unchanged  int `json:"unchanged"`
	Closed     int `json:"closed"`
	Changes    int `json:"changes"`
}

// PriceFilter narrows Prices; empty fields match everything.
type PriceFilter struct {
	Market    string
	Currency  string
	ProductID string
	SKUID     string
}

const priceColumns = "id, product_id, sku_id, term_duration, billing_plan, market, currency, segment, tier_min, tier_max, product_title, sku_title, unit_price, erp_price, valid_from, valid_to, source"

// storedPrice is a price row as read back, with its id for updates.
type storedPrice struct {
	id int64
	*pricing.Price
}

// priceRow points into the parsed list rather than copying it: a large list would
// otherwise be held twice.
type priceRow struct {
	*pricing.Price
	importedAt time.Time
}

func (priceRow) TableName() string { return "prices" }

func (priceRow) columns() []string {
	return []string{"product_id", "sku_id", "term_duration", "billing_plan", "market", "currency", "segment", "tier_min", "tier_max",
		"product_title", "sku_title", "unit_price", "erp_price", "valid_from", "valid_to", "source", "imported_at"}
}

func (r priceRow) values() []any {
	return []any{r.ProductID, r.SKUID, r.TermDuration, r.BillingPlan, r.Market, r.Currency, r.Segment, r.TierMin, r.TierMax,
		r.ProductTitle, r.SKUTitle, numeric(&r.UnitPrice), numeric(r.ERPPrice), r.From, nullTime(r.To), r.Source, r.importedAt}
}

// numericValue hands a decimal to PostgreSQL's COPY as a binary numeric: as a
// driver.Valuer it would be written as text and parsed again, a fifth of a
// 200,000-row import's CPU time (measured). SQLite gets the decimal's text as before.
type numericValue struct {
	d     decimal.Decimal
	valid bool
}

// numeric is d for a numeric column, NULL when d is nil.
func numeric(d *decimal.Decimal) numericValue {
	if d == nil {
		return numericValue{}
	}
	return numericValue{d: *d, valid: true}
}

func (n numericValue) Value() (driver.Value, error) {
	if !n.valid {
		return nil, nil
	}
	return n.d.Value()
}

// NumericValue drops trailing zeros, as the text of the decimal does: 72.00 is stored
// as 72, the same number with the same scale as before.
func (n numericValue) NumericValue() (pgtype.Numeric, error) {
	if !n.valid {
		return pgtype.Numeric{}, nil
	}
	coef, exp := n.d.Coefficient(), n.d.Exponent()
	if coef.Sign() == 0 {
		return pgtype.Numeric{Int: coef, Valid: true}, nil
	}
	ten, q, m := big.NewInt(10), new(big.Int), new(big.Int)
	for exp < 0 {
		if q.QuoRem(coef, ten, m); m.Sign() != 0 {
			break
		}
		coef.Set(q)
		exp++
	}
	return pgtype.Numeric{Int: coef, Exp: exp, Valid: true}, nil
}

type priceChangeRow struct {
	pricing.Change
	recordedAt time.Time
}

func (priceChangeRow) TableName() string { return "price_changes" }

func (priceChangeRow) columns() []string {
	return []string{"kind", "product_id", "sku_id", "term_duration", "billing_plan", "market", "currency", "segment", "tier_min",
		"old_price", "new_price", "effective", "source", "recorded_at"}
}

func (r priceChangeRow) values() []any {
	return []any{r.Kind, r.ProductID, r.SKUID, r.TermDuration, r.BillingPlan, r.Market, r.Currency, r.Segment, r.TierMin,
		numeric(r.Old), numeric(r.New), r.Effective, r.Source, r.recordedAt}
}

func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return *t
}

// ImportPrices stores a price list in one transaction, effective-dated per key, and
// records what it changed against the prices in force before it. A row already
// stored with the same key and first day is compared, not written again, and a row
// restating the price in force on its first day continues that range, so that a
// re-import writes nothing; a new range closes the one it follows; an offer the list
// no longer carries in a market and currency it covers is closed and reported retired.
// A list older than one already stored for its market says nothing past the day before
// the newer one takes effect, and retires nothing.
func (s *Store) ImportPrices(ctx context.Context, list pricing.List, actor, source string) (PriceImport, error) {
	c := &changeSet{dialect: s.dialect, tenant: "price list", at: s.nowUTC()}
	var res PriceImport
	apply := func(tx *gorm.DB) error {
		c.tx = tx
		var err error
		res, err = applyPriceList(c, list, source)
		if err != nil {
			return err
		}
		return s.audit(tx, actor, "prices.import", source, fmt.Sprintf("%d prices read, %d written, %d unchanged, %d ranges closed, %d changes, %d overridden in the file",
			res.Read, res.Written, res.Unchanged, res.Closed, res.Changes, res.Overridden))
	}
	if err := s.bulkTransaction(ctx, c, apply); err != nil {
		return PriceImport{}, fmt.Errorf("import prices from %s: %w", source, err)
	}
	return res, nil
}

// priceChunkRows bounds how many prices are compared at once, stored and listed
// together: a market's stored prices are read a range of products at a time rather
// than whole, so that a re-import of a large list does not hold it twice. A variable
// so that tests can cross chunk boundaries with a small list.
var priceChunkRows = 20000

// priceWork is what an import gathers across the chunks of a list: the changes are
// written last, in the order they take effect.
type priceWork struct {
	c       *changeSet
	list    pricing.List
	source  string
	res     PriceImport
	changes []priceChangeRow
}

func applyPriceList(c *changeSet, list pricing.List, source string) (PriceImport, error) {
	w := &priceWork{c: c, list: list, source: source, res: PriceImport{Read: list.Len(), Overridden: list.Overridden}}
	// The list is ordered by key, market and currency coming after the product: the
	// rows of each market, in order, are picked out once.
	byMarket := map[pricing.Market][]int32{}
	for i := range list.Len() {
		k := list.Key(i)
		m := pricing.Market{Market: k.Market, Currency: k.Currency}
		byMarket[m] = append(byMarket[m], int32(i))
	}
	for _, m := range list.Markets {
		if err := w.market(m, byMarket[m]); err != nil {
			return w.res, err
		}
		delete(byMarket, m)
	}
	slices.SortStableFunc(w.changes, func(a, b priceChangeRow) int {
		if n := a.Effective.Compare(b.Effective); n != 0 {
			return n
		}
		return pricing.CompareKeys(a.Key, b.Key)
	})
	if err := insertAll(c, w.changes); err != nil {
		return w.res, fmt.Errorf("record price changes: %w", err)
	}
	w.res.Written += w.res.Closed
	w.res.Changes = len(w.changes)
	return w.res, nil
}

// market compares the list's prices of one market and currency (rows, indexes into
// the list in key order) with the stored ones, a range of products at a time.
func (w *priceWork) market(m pricing.Market, rows []int32) error {
	stored, err := storedProducts(w.c.tx, m)
	if err != nil {
		return err
	}
	newer, err := w.newerList(m)
	if err != nil {
		return err
	}
	// Only against a list seen before is a new key an added offer; the first list of a
	// market adds everything.
	known := len(stored) > 0
	listed := map[string]int{}
	for _, i := range rows {
		listed[w.list.Key(int(i)).ProductID]++
	}
	products := make([]string, 0, len(listed)+len(stored))
	for p := range listed {
		products = append(products, p)
	}
	for p := range stored {
		if listed[p] == 0 {
			products = append(products, p)
		}
	}
	slices.Sort(products)
	for lo, start := 0, 0; lo < len(products); {
		hi, n := lo, 0
		for hi < len(products) && (hi == lo || n+listed[products[hi]]+stored[products[hi]] <= priceChunkRows) {
			n += listed[products[hi]] + stored[products[hi]]
			hi++
		}
		// Products sort as the list's keys do, so the chunk's rows follow one another.
		end := start
		for end < len(rows) && w.list.Key(int(rows[end])).ProductID <= products[hi-1] {
			end++
		}
		if err := w.chunk(m, known, newer, products[lo:hi], rows[start:end]); err != nil {
			return err
		}
		lo, start = hi, end
	}
	return nil
}

// newerList is the first day of the newest list of the market stored before this one
// when that list is newer than this one, else the zero time; and it records this
// list's first day. The prices cannot tell it: a list restating every price unchanged
// stores none of them.
func (w *priceWork) newerList(m pricing.Market) (time.Time, error) {
	effective := w.list.Effective[m]
	var latest time.Time
	err := w.c.tx.Raw("SELECT effective FROM price_lists WHERE market = ? AND currency = ? ORDER BY effective DESC LIMIT 1", m.Market, m.Currency).Row().Scan(&latest)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, fmt.Errorf("read price lists of %s %s: %w", m.Market, m.Currency, err)
	}
	err = w.c.tx.Exec("INSERT INTO price_lists (market, currency, effective, source, imported_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
		m.Market, m.Currency, effective, w.source, w.c.at).Error
	if err != nil {
		return time.Time{}, fmt.Errorf("record the price list of %s %s: %w", m.Market, m.Currency, err)
	}
	if !latest.After(effective) {
		return time.Time{}, nil
	}
	return latest.UTC(), nil
}

// storedProducts counts the stored prices of a market and currency per product.
func storedProducts(tx *gorm.DB, m pricing.Market) (map[string]int, error) {
	rows, err := tx.Raw("SELECT product_id, COUNT(*) FROM prices WHERE market = ? AND currency = ? GROUP BY product_id", m.Market, m.Currency).Rows()
	if err != nil {
		return nil, fmt.Errorf("read prices of %s %s: %w", m.Market, m.Currency, err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var (
			product string
			n       int
		)
		if err := rows.Scan(&product, &n); err != nil {
			return nil, fmt.Errorf("read prices of %s %s: %w", m.Market, m.Currency, err)
		}
		out[product] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read prices of %s %s: %w", m.Market, m.Currency, err)
	}
	return out, nil
}

// chunk compares the list's prices of some products of one market (rows) with the
// stored prices of the same products, and writes what differs. A row already stored
// with the same key and first day is compared, not written again; a row restating the
// price in force on its first day continues that range; a new range closes the one it
// follows; a stored key the list no longer carries is closed and retired. newer, when
// set, is the first day of a newer list of the market already stored: this list's rows
// end the day before it, and only the newer list retires.
func (w *priceWork) chunk(m pricing.Market, known bool, newer time.Time, products []string, rows []int32) error {
	c := w.c
	// A range, not product_id IN (...): PostgreSQL plans a long IN list of parameters
	// generically and compares each row with every product (3 s a chunk, measured).
	// Ranges follow Go's byte order of the products, so PostgreSQL compares as "C".
	where := "market = ? AND currency = ? AND product_id BETWEEN ? AND ?"
	if c.dialect == Postgres {
		where = `market = ? AND currency = ? AND product_id COLLATE "C" BETWEEN ? AND ?`
	}
	storedRows, err := readPrices(c.tx, where, m.Market, m.Currency, products[0], products[len(products)-1])
	if err != nil {
		return err
	}
	stored := map[pricing.Key][]*storedPrice{}
	for _, r := range storedRows {
		stored[r.Key] = append(stored[r.Key], r)
	}
	storedRows = nil
	prices := make([]pricing.Price, len(rows))
	for j, i := range rows {
		prices[j] = w.list.Price(int(i))
	}
	var (
		inserts []priceRow
		// closes gathers ranges to end, by their new last day: a monthly list ends most
		// of them on the same day, so one statement closes many.
		closes  = map[time.Time][]int64{}
		updates []*storedPrice
		// carried are the stored keys the list carries; the others may be retired.
		carried = map[pricing.Key]bool{}
		// The rows are ordered by key: the timeline of the key at hand is kept here,
		// and only keys stored before are looked up in the map.
		curKey pricing.Key
		cur    []*storedPrice
	)
	change := func(kind string, k pricing.Key, old, new *decimal.Decimal, effective time.Time, src string) {
		w.changes = append(w.changes, priceChangeRow{Change: pricing.Change{Key: k, Kind: kind, Old: old, New: new, Effective: effective, Source: src}, recordedAt: c.at})
	}
	// tail keeps the part of stored range s from newer on, where this older list's row
	// p ends s before it: the newer list carried that price on, and this one cannot
	// retire it. Where p's price runs up to it, the tail is a change from p's.
	tail := func(s *storedPrice, p *pricing.Price) *storedPrice {
		if newer.IsZero() || !reaches(s.To, newer) || reaches(p.To, newer) {
			return nil
		}
		t := *s.Price
		t.From = newer
		if s.To != nil {
			to := *s.To
			t.To = &to
		}
		if reaches(p.To, newer.AddDate(0, 0, -1)) && !p.UnitPrice.Equal(t.UnitPrice) {
			old, new := p.UnitPrice, t.UnitPrice
			change(direction(old, new), t.Key, &old, &new, newer, t.Source)
		}
		inserts = append(inserts, priceRow{Price: &t, importedAt: c.at})
		return &storedPrice{Price: &t}
	}
	for j := range prices {
		p := &prices[j]
		if j == 0 || p.Key != curKey {
			curKey, cur = p.Key, stored[p.Key]
			if len(cur) > 0 {
				carried[p.Key] = true
			}
		}
		rows := cur // ordered by first day
		i, found := slices.BinarySearchFunc(rows, p.From, func(r *storedPrice, t time.Time) int { return r.From.Compare(t) })
		// A range the list leaves open ends where a later stored one begins.
		if !found && i < len(rows) || found && i+1 < len(rows) {
			next := rows[i]
			if found {
				next = rows[i+1]
			}
			if end := next.From.AddDate(0, 0, -1); p.To == nil || p.To.After(end) {
				p.To = &end
			}
		}
		// An older list says nothing from the day a newer one takes effect: its rows end
		// the day before, and a stored range reaching further keeps its end.
		untilNewer := false
		if !newer.IsZero() {
			if end := newer.AddDate(0, 0, -1); reaches(p.To, end) {
				p.To, untilNewer = &end, true
			}
		}
		if found {
			r := rows[i]
			if sameAmounts(*r.Price, *p) && sameEnd(r.To, p.To, untilNewer) {
				p.To = r.To
			}
			if samePrice(*r.Price, *p) {
				w.res.Unchanged++
				continue
			}
			if !r.UnitPrice.Equal(p.UnitPrice) {
				old, new := r.UnitPrice, p.UnitPrice
				change(direction(old, new), p.Key, &old, &new, p.From, p.Source)
			}
			t := tail(r, p)
			keep := r.Source
			r.Price = p
			r.Source = keep
			updates = append(updates, r)
			if t != nil {
				cur = slices.Insert(rows, i+1, t)
			}
			continue
		}
		var prev *storedPrice
		if i > 0 {
			prev = rows[i-1]
		}
		// A restated price continues the range in force on its first day: that range
		// and the line that first stated it stay. A row that ends it sooner (a list
		// restating this month's price with next month's beside it) ends that range.
		if prev != nil && reaches(prev.To, p.From) && sameAmounts(*prev.Price, *p) {
			if sameEnd(prev.To, p.To, untilNewer) {
				w.res.Unchanged++
				continue
			}
			if p.To != nil && reaches(prev.To, *p.To) {
				t := tail(prev, p)
				end := *p.To
				prev.To = &end
				if prev.id != 0 {
					closes[end] = append(closes[end], prev.id)
					w.res.Closed++
				}
				if t != nil {
					cur = slices.Insert(rows, i, t)
				}
				continue
			}
		}
		dayBefore := p.From.AddDate(0, 0, -1)
		var t *storedPrice
		switch {
		case prev != nil && reaches(prev.To, dayBefore):
			if !prev.UnitPrice.Equal(p.UnitPrice) {
				old, new := prev.UnitPrice, p.UnitPrice
				change(direction(old, new), p.Key, &old, &new, p.From, p.Source)
			}
			if prev.To == nil || prev.To.After(dayBefore) {
				t = tail(prev, p)
				prev.To = &dayBefore
				if prev.id != 0 {
					closes[dayBefore] = append(closes[dayBefore], prev.id)
					w.res.Closed++
				}
			}
		case known && i < len(rows):
			// A list older than every stored range of its key (a month fetched after the
			// next one): the offer is not new; what the change log lacks is the step from
			// this price to the later range's, on the day that range begins.
			next := rows[i]
			if p.To != nil && !p.To.Before(next.From.AddDate(0, 0, -1)) && !next.UnitPrice.Equal(p.UnitPrice) {
				old, new := p.UnitPrice, next.UnitPrice
				change(direction(old, new), p.Key, &old, &new, next.From, next.Source)
			}
		case known:
			new := p.UnitPrice
			change(pricing.ChangeAdded, p.Key, nil, &new, p.From, p.Source)
		}
		inserts = append(inserts, priceRow{Price: p, importedAt: c.at})
		if t != nil {
			cur = slices.Insert(rows, i, &storedPrice{Price: p}, t)
		} else {
			cur = slices.Insert(rows, i, &storedPrice{Price: p})
		}
	}
	effective := w.list.Effective[m]
	for k, rows := range stored {
		if carried[k] || !newer.IsZero() {
			continue
		}
		last := rows[len(rows)-1]
		if last.id == 0 || !last.From.Before(effective) || last.To != nil && last.To.Before(effective) {
			continue
		}
		end := effective.AddDate(0, 0, -1)
		closes[end] = append(closes[end], last.id)
		w.res.Closed++
		old := last.UnitPrice
		change(pricing.ChangeRetired, k, &old, nil, effective, w.source)
	}
	if err := insertAll(c, inserts); err != nil {
		return fmt.Errorf("write prices: %w", err)
	}
	for _, r := range updates {
		err := c.tx.Exec("UPDATE prices SET unit_price = ?, erp_price = ?, valid_to = ?, product_title = ?, sku_title = ?, tier_max = ? WHERE id = ?",
			r.UnitPrice, nullDecimal(r.ERPPrice), nullTime(r.To), r.ProductTitle, r.SKUTitle, r.TierMax, r.id).Error
		if err != nil {
			return fmt.Errorf("update price %s: %w", r.Source, err)
		}
	}
	for end, ids := range closes {
		for start := 0; start < len(ids); start += 10000 {
			batch := ids[start:min(start+10000, len(ids))]
			if err := c.tx.Exec("UPDATE prices SET valid_to = ? WHERE id IN ?", end, batch).Error; err != nil {
				return fmt.Errorf("close price ranges: %w", err)
			}
		}
	}
	w.res.Written += len(inserts) + len(updates)
	return nil
}

func direction(old, new decimal.Decimal) string {
	if new.GreaterThan(old) {
		return pricing.ChangeUp
	}
	return pricing.ChangeDown
}

func samePrice(a, b pricing.Price) bool {
	return sameAmounts(a, b) && sameDay(a.To, b.To) && a.ProductTitle == b.ProductTitle && a.SKUTitle == b.SKUTitle
}

// sameAmounts tells whether two prices of a key ask the same: unit price, ERP price
// and the tier's top. Titles are not compared: a renamed offer is the same price.
func sameAmounts(a, b pricing.Price) bool {
	sameERP := a.ERPPrice == nil && b.ERPPrice == nil || a.ERPPrice != nil && b.ERPPrice != nil && a.ERPPrice.Equal(*b.ERPPrice)
	return a.UnitPrice.Equal(b.UnitPrice) && sameERP && a.TierMax == b.TierMax
}

// sameDay compares two last days, nil being open.
func sameDay(a, b *time.Time) bool {
	return a == nil && b == nil || a != nil && b != nil && a.Equal(*b)
}

// sameEnd tells whether a stored range ending on stored ends where a row ending on
// row would: on the same day, or, for a row cut short by a newer list (untilNewer), on
// that day or later, since the older list says nothing beyond it.
func sameEnd(stored, row *time.Time, untilNewer bool) bool {
	return sameDay(stored, row) || untilNewer && reaches(stored, *row)
}

// reaches tells whether a range ending on last (nil: open) is still in force on day.
func reaches(last *time.Time, day time.Time) bool {
	return last == nil || !last.Before(day)
}

// readPrices reads price rows ordered by key and first day. Rows are scanned by hand:
// a re-import reads back every price of its markets, and gorm's reflection per row
// cost more than the query.
func readPrices(tx *gorm.DB, where string, args ...any) ([]*storedPrice, error) {
	q := "SELECT " + priceColumns + " FROM prices"
	if where != "" {
		q += " WHERE " + where
	}
	q += " ORDER BY market, currency, product_id, sku_id, term_duration, billing_plan, segment, tier_min, valid_from"
	rows, err := tx.Raw(q, args...).Rows()
	if err != nil {
		return nil, fmt.Errorf("read prices: %w", err)
	}
	defer rows.Close()
	var (
		out []*storedPrice
		// Codes and titles repeat across rows; one copy of each keeps a re-import of
		// a large list from holding hundreds of thousands of equal strings.
		strs                                                        = map[string]string{}
		product, sku, term, plan, market, currency, segment, pt, st sql.RawBytes
	)
	intern := func(b []byte) string {
		if s, ok := strs[string(b)]; ok {
			return s
		}
		s := string(b)
		strs[s] = s
		return s
	}
	for rows.Next() {
		var (
			r   = storedPrice{Price: &pricing.Price{}}
			erp decimal.NullDecimal
			to  *time.Time
		)
		if err := rows.Scan(&r.id, &product, &sku, &term, &plan, &market, &currency, &segment, &r.TierMin, &r.TierMax,
			&pt, &st, &r.UnitPrice, &erp, &r.From, &to, &r.Source); err != nil {
			return nil, fmt.Errorf("read prices: %w", err)
		}
		r.ProductID, r.SKUID, r.TermDuration, r.BillingPlan = intern(product), intern(sku), intern(term), intern(plan)
		r.Market, r.Currency, r.Segment, r.ProductTitle, r.SKUTitle = intern(market), intern(currency), intern(segment), intern(pt), intern(st)
		r.From = r.From.UTC()
		if to != nil {
			t := to.UTC()
			r.To = &t
		}
		r.ERPPrice = fromNullDecimal(erp)
		out = append(out, &r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read prices: %w", err)
	}
	return out, nil
}

// Prices returns every stored price that matches the filter, closed ranges too,
// ordered by key and first day.
func (s *Store) Prices(ctx context.Context, f PriceFilter) ([]pricing.Price, error) {
	var (
		conds []string
		args  []any
	)
	for _, c := range []struct{ col, val string }{{"market", f.Market}, {"currency", f.Currency}, {"product_id", f.ProductID}, {"sku_id", f.SKUID}} {
		if c.val != "" {
			conds = append(conds, c.col+" = ?")
			args = append(args, strings.ToUpper(c.val))
		}
	}
	rows, err := readPrices(s.db.WithContext(ctx), strings.Join(conds, " AND "), args...)
	if err != nil {
		return nil, err
	}
	out := make([]pricing.Price, len(rows))
	for i, r := range rows {
		out[i] = *r.Price
	}
	return out, nil
}

// PriceChanges returns the recorded changes effective on or after since (all of them
// for the zero time), in the order they take effect.
//
// since is a day: a change effective at the start of the day since falls in is
// included, whatever time of day since holds.
func (s *Store) PriceChanges(ctx context.Context, since time.Time) ([]pricing.Change, error) {
	rows, err := s.db.WithContext(ctx).Raw("SELECT id, kind, product_id, sku_id, term_duration, billing_plan, market, currency, segment, tier_min, old_price, new_price, effective, source FROM price_changes WHERE effective >= ? ORDER BY effective, id", since.UTC().Truncate(24*time.Hour)).Rows()
	if err != nil {
		return nil, fmt.Errorf("read price changes: %w", err)
	}
	defer rows.Close()
	var out []pricing.Change
	for rows.Next() {
		var (
			c        pricing.Change
			old, new decimal.NullDecimal
		)
		if err := rows.Scan(&c.ID, &c.Kind, &c.ProductID, &c.SKUID, &c.TermDuration, &c.BillingPlan, &c.Market, &c.Currency, &c.Segment, &c.TierMin, &old, &new, &c.Effective, &c.Source); err != nil {
			return nil, fmt.Errorf("read price changes: %w", err)
		}
		c.Effective = c.Effective.UTC()
		c.Old, c.New = fromNullDecimal(old), fromNullDecimal(new)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read price changes: %w", err)
	}
	return out, nil
}

// OffersForSKU returns the Partner Center offers that provision a Graph SKU, by its
// GUID, ordered by ProductId:SkuId.
func (s *Store) OffersForSKU(ctx context.Context, graphSKUID string) ([]catalog.Offer, error) {
	var rows []offerRow
	if err := s.db.WithContext(ctx).Where("LOWER(graph_sku_id) = ?", strings.ToLower(graphSKUID)).Order("product_id, sku").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("read offers for %s: %w", graphSKUID, err)
	}
	out := make([]catalog.Offer, len(rows))
	for i, r := range rows {
		out[i] = catalog.Offer{ProductID: r.ProductID, SKU: r.SKU, Title: r.Title, GraphSKUID: r.GraphSKUID, PartNumber: r.PartNumber}
	}
	return out, nil
}

// HasPrices tells whether any price list has been imported.
func (s *Store) HasPrices(ctx context.Context) (bool, error) {
	var n int64
	if err := s.db.WithContext(ctx).Raw("SELECT COUNT(*) FROM (SELECT 1 FROM prices LIMIT 1) p").Scan(&n).Error; err != nil {
		return false, fmt.Errorf("read prices: %w", err)
	}
	return n > 0, nil
}
