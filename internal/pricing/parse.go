package pricing

import (
	"bufio"
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/seatledger/seatledger/internal/money"
	"github.com/seatledger/seatledger/internal/problems"
	"github.com/seatledger/seatledger/internal/records"
)

// DefaultSegment is the segment of a list without a Segment column: Partner Center's
// licence-based lists are commercial unless they say otherwise.
const DefaultSegment = "commercial"

// Market is a market and currency a price list covers. A list only speaks for the
// markets and currencies it carries: an offer missing from it is retired there, not
// elsewhere.
type Market struct {
	Market   string `json:"market"`
	Currency string `json:"currency"`
}

// columns are the header names the list is read by, as records.HeaderKey writes them.
const (
	colProductTitle = "producttitle"
	colProductID    = "productid"
	colSKUID        = "skuid"
	colSKUTitle     = "skutitle"
	colTerm         = "termduration"
	colBillingPlan  = "billingplan"
	colMarket       = "market"
	colCurrency     = "currency"
	colUnitPrice    = "unitprice"
	colTierMin      = "pricingtierrangemin"
	colTierMax      = "pricingtierrangemax"
	colStart        = "effectivestartdate"
	colEnd          = "effectiveenddate"
	colERP          = "erp_price"
	colSegment      = "segment"
)

var required = []string{colProductID, colSKUID, colTerm, colBillingPlan, colMarket, colCurrency, colUnitPrice, colStart}

// Header names as the file spells them, for messages.
var columnNames = map[string]string{
	colProductID: "ProductId", colSKUID: "SkuId", colTerm: "TermDuration", colBillingPlan: "BillingPlan",
	colMarket: "Market", colCurrency: "Currency", colUnitPrice: "UnitPrice", colTierMin: "PricingTierRangeMin",
	colTierMax: "PricingTierRangeMax", colStart: "EffectiveStartDate", colEnd: "EffectiveEndDate", colERP: "ERP Price",
	colSegment: "Segment",
}

// Parse reads a price list as CSV or XLSX, told apart by content rather than by the
// file's name: an XLSX workbook is a zip archive. Anything else is refused with a
// problem naming the file.
func Parse(r io.Reader, name string) (List, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.Peek(512)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return List{}, fmt.Errorf("read price list %s: %w", name, err)
	}
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return ParseXLSX(br, name)
	case bytes.HasPrefix(head, []byte("\xd0\xcf\x11\xe0")):
		return List{}, problems.List{{File: name, Message: "an Excel 97-2003 workbook (.xls) or an encrypted workbook: save it as .xlsx or CSV"}}
	case bytes.HasPrefix(head, []byte("\xff\xfe")) || bytes.HasPrefix(head, []byte("\xfe\xff")):
		return List{}, problems.List{{File: name, Message: "UTF-16 text: save it as CSV UTF-8 or as .xlsx"}}
	case bytes.IndexByte(head, 0) >= 0:
		// Text has no NUL bytes; a PDF, an image or an archive other than XLSX does.
		return List{}, problems.List{{File: name, Message: "neither a CSV nor an XLSX price list"}}
	}
	return ParseCSV(br, name)
}

// ParseCSV reads a New Commerce licence-based price list from CSV, streaming. Columns
// are found by header name. Any broken row stops the read: every problem is returned
// as a problems.List naming file, line and column, and no price is returned.
func ParseCSV(r io.Reader, name string) (List, error) {
	probs := &problems.Collector{File: name}
	cr, header, err := records.OpenMicrosoftCSV(r, probs)
	if err != nil {
		return List{}, fmt.Errorf("read price list %s: %w", name, err)
	}
	if cr == nil {
		return List{}, probs.Err()
	}
	b := newBuilder(name, probs)
	if !b.header(header, 1) {
		return List{}, probs.Err()
	}
	for !b.enough() {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			records.AddCSVError(probs, err)
			break
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		b.row(rec, line)
	}
	return b.finish()
}

// builder checks rows, whichever file they come from, and keeps them compact.
type builder struct {
	rowParser
	list List
}

func newBuilder(name string, probs *problems.Collector) *builder {
	return &builder{
		rowParser: rowParser{probs: probs, ids: map[string]uint32{}},
		list:      List{file: name},
	}
}

// header finds the columns in a header row at line; false when one it needs is missing.
func (b *builder) header(cells []string, line int) bool {
	b.col = headerColumns(cells)
	before := b.probs.Len()
	for _, need := range required {
		if _, ok := b.col[need]; !ok {
			b.probs.Add(line, columnNames[need], "column missing from the header")
		}
	}
	return b.probs.Len() == before
}

// headerColumns maps each header cell, as records.HeaderKey writes it, to its index.
func headerColumns(cells []string) map[string]int {
	col := map[string]int{}
	for i, h := range cells {
		col[records.HeaderKey(records.UnquoteHeader(h))] = i
	}
	return col
}

func (b *builder) row(rec []string, line int) {
	if pr, ok := b.parse(rec, line); ok {
		b.list.rows = append(b.list.rows, b.compact(pr, line))
	}
}

// enough tells when to stop reading: a list with a broken column breaks on every
// row, and a few lines say enough.
func (b *builder) enough() bool { return b.probs.Len() >= 20 }

func (b *builder) finish() (List, error) {
	if err := b.probs.Err(); err != nil {
		return List{}, err
	}
	l := b.list
	if len(l.rows) == 0 {
		b.probs.Add(0, "", "no prices in the file")
		return List{}, b.probs.Err()
	}
	l.strs = b.strs
	l.rank = ranks(l.strs)
	l.rows = slices.Clip(l.rows)
	l.resolveOverlaps()
	l.Effective = map[Market]time.Time{}
	for i := range l.rows {
		r := &l.rows[i]
		m := Market{l.strs[r.market], l.strs[r.currency]}
		from := fromDays(r.from)
		if e, ok := l.Effective[m]; !ok || from.After(e) {
			if !ok {
				l.Markets = append(l.Markets, m)
			}
			l.Effective[m] = from
		}
	}
	slices.SortFunc(l.Markets, func(a, b Market) int {
		return cmp.Or(cmp.Compare(a.Market, b.Market), cmp.Compare(a.Currency, b.Currency))
	})
	return l, nil
}

type rowParser struct {
	col   map[string]int
	probs *problems.Collector
	// ids numbers each title and code once: a 200,000-row list repeats the same few
	// thousand, and each row would otherwise hold its own.
	ids  map[string]uint32
	strs []string
}

func (p *rowParser) get(rec []string, key string) string {
	if i, ok := p.col[key]; ok && i < len(rec) {
		return strings.TrimSpace(rec[i])
	}
	return ""
}

func (p *rowParser) intern(s string) string {
	if id, ok := p.ids[s]; ok {
		return p.strs[id]
	}
	s = strings.Clone(s)
	p.ids[s] = uint32(len(p.strs))
	p.strs = append(p.strs, s)
	return s
}

// id is the number of a string, interned if it was not yet.
func (p *rowParser) id(s string) uint32 {
	if id, ok := p.ids[s]; ok {
		return id
	}
	p.intern(s)
	return p.ids[s]
}

// isCode tells whether s is n to m characters, each an upper-case letter or, where
// digits are allowed, a digit. Checked by hand: a regular expression per field cost a
// tenth of a large list's read.
func isCode(s string, n, m int, digits bool) bool {
	if len(s) < n || len(s) > m {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('A' <= c && c <= 'Z' || digits && '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// parse checks one row, whichever reader it came from; the problems go to p.probs.
func (p *rowParser) parse(rec []string, line int) (Price, bool) {
	before := p.probs.Len()
	bad := func(key, format string, args ...any) { p.probs.Add(line, columnNames[key], format, args...) }
	var pr Price
	pr.ProductID = p.intern(strings.ToUpper(p.get(rec, colProductID)))
	if !isCode(pr.ProductID, 12, 12, true) {
		bad(colProductID, "%q is not a Partner Center ProductId (12 letters and digits)", pr.ProductID)
	}
	pr.SKUID = p.intern(strings.ToUpper(p.get(rec, colSKUID)))
	if !isCode(pr.SKUID, 4, 4, true) {
		bad(colSKUID, "%q is not a Partner Center SkuId (4 letters and digits)", pr.SKUID)
	}
	pr.TermDuration = p.intern(strings.ToUpper(p.get(rec, colTerm)))
	if Months(pr.TermDuration) == 0 {
		bad(colTerm, "%q is not a known term (P1M, P1Y, P3Y)", pr.TermDuration)
	}
	pr.BillingPlan = p.intern(strings.ToLower(p.get(rec, colBillingPlan)))
	if pr.BillingPlan == "" {
		bad(colBillingPlan, "missing")
	}
	pr.Market = p.intern(strings.ToUpper(p.get(rec, colMarket)))
	if !isCode(pr.Market, 2, 3, false) {
		bad(colMarket, "%q is not a country code", pr.Market)
	}
	pr.Currency = p.intern(strings.ToUpper(p.get(rec, colCurrency)))
	if !isCode(pr.Currency, 3, 3, false) {
		bad(colCurrency, "%q is not an ISO 4217 currency code", pr.Currency)
	}
	pr.Segment = DefaultSegment
	if s := p.get(rec, colSegment); s != "" {
		pr.Segment = p.intern(strings.ToLower(s))
	}
	var err error
	if pr.UnitPrice, err = money.ParsePlain(p.get(rec, colUnitPrice)); err != nil {
		bad(colUnitPrice, "%v", err)
	} else if pr.UnitPrice.IsNegative() {
		bad(colUnitPrice, "%s is negative", pr.UnitPrice)
	}
	if s := p.get(rec, colERP); s != "" {
		erp, err := money.ParsePlain(s)
		if err != nil {
			bad(colERP, "%v", err)
		}
		pr.ERPPrice = &erp
	}
	if pr.TierMin, err = tier(p.get(rec, colTierMin)); err != nil {
		bad(colTierMin, "%v", err)
	}
	if pr.TierMax, err = tier(p.get(rec, colTierMax)); err != nil {
		bad(colTierMax, "%v", err)
	}
	if pr.TierMax != 0 && pr.TierMax < pr.TierMin {
		bad(colTierMax, "%d is below the tier's minimum %d", pr.TierMax, pr.TierMin)
	}
	from, open, err := ParseDate(p.get(rec, colStart))
	switch {
	case err != nil:
		bad(colStart, "%v", err)
	case !open:
		pr.From = from
	}
	if s := p.get(rec, colEnd); s != "" {
		end, open, err := ParseDate(s)
		switch {
		case err != nil:
			bad(colEnd, "%v", err)
		case !open:
			last := lastDay(s, end)
			if last.Before(pr.From) {
				bad(colEnd, "%s ends before the start %s", s, p.get(rec, colStart))
			}
			pr.To = &last
		}
	}
	if p.probs.Len() > before {
		return Price{}, false
	}
	pr.ProductTitle = p.intern(p.get(rec, colProductTitle))
	pr.SKUTitle = p.intern(p.get(rec, colSKUTitle))
	return pr, true
}

func tier(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q is not a number of seats", s)
	}
	return n, nil
}

var dateLayouts = []string{
	"1/2/2006 3:04:05 PM", "1/2/2006 3:04 PM", "1/2/2006 15:04:05", "1/2/2006 15:04", "1/2/2006",
	time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02",
}

// ParseDate reads a price list date: Partner Center writes 2/1/2019 12:00:00 AM or
// 2/1/2023 0:00 (month first), or ISO 8601. Years before 1900 and after 9000 are the
// list's placeholders for "no limit": open is true and the time is zero.
func ParseDate(s string) (t time.Time, open bool, err error) {
	s = strings.TrimSpace(s)
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			if t.Year() < 1900 || t.Year() > 9000 {
				return time.Time{}, true, nil
			}
			return t.UTC(), false, nil
		}
	}
	return time.Time{}, false, fmt.Errorf("%q is not a date (2/1/2023 0:00, 2/1/2019 12:00:00 AM or 2023-02-01)", s)
}

// day is the calendar day of t, as the list means it.
func day(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// lastDay turns an end date into the last day in force: an end at midnight is the
// start of the next range's first day, so the day before is the last; any other time
// falls within the last day itself.
func lastDay(raw string, end time.Time) time.Time {
	d := day(end)
	if end.Equal(d) && (strings.ContainsAny(raw, ": ") || strings.Contains(raw, "T")) {
		return d.AddDate(0, 0, -1)
	}
	return d
}

// CompareKeys orders keys by product, SKU, term, billing plan, market, currency,
// segment and tier.
func CompareKeys(a, b Key) int {
	return cmp.Or(cmp.Compare(a.ProductID, b.ProductID), cmp.Compare(a.SKUID, b.SKUID), cmp.Compare(a.TermDuration, b.TermDuration),
		cmp.Compare(a.BillingPlan, b.BillingPlan), cmp.Compare(a.Market, b.Market), cmp.Compare(a.Currency, b.Currency),
		cmp.Compare(a.Segment, b.Segment), cmp.Compare(a.TierMin, b.TierMin))
}
