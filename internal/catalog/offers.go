package catalog

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/seatledger/seatledger/internal/ids"
	"github.com/seatledger/seatledger/internal/problems"
	"github.com/seatledger/seatledger/internal/records"
)

// Offer links a Partner Center catalogue item (ProductId:SkuId, e.g. CFQ7TTC0LCHC:0002)
// to the Graph SKU it provisions.
type Offer struct {
	ProductID  string `json:"productId"`
	SKU        string `json:"skuId"`
	Title      string `json:"title"`
	GraphSKUID string `json:"graphSkuId"`
	PartNumber string `json:"skuPartNumber"`
}

// Key is the ProductId:SkuId a contract or a price list names the offer by.
func (o Offer) Key() string { return o.ProductID + ":" + o.SKU }

// OfferKey matches a Partner Center ProductId:SkuId.
var OfferKey = regexp.MustCompile(`^(?i)[A-Z0-9]{12}[:/][0-9A-Z]{4}$`)

// NormalOfferKey writes a ProductId:SkuId in upper case with a colon.
func NormalOfferKey(s string) string {
	return strings.ToUpper(strings.Replace(strings.TrimSpace(s), "/", ":", 1))
}

// A quote followed by trailing blanks ends Partner Center's offer-matrix header; a
// strict CSV reader fails on it and a lazy one runs the header into the first row.
var trailingBlanks = regexp.MustCompile(`"[ \t]+(\r?\n|$)`)

// ParseOfferMatrix reads Partner Center's offer matrix CSV (columns found by name) and
// returns the offers that provision a Graph SKU. Every problem is reported at once.
func ParseOfferMatrix(r io.Reader, name string) ([]Offer, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read offer matrix: %w", err)
	}
	probs := &problems.Collector{File: name}
	cr := records.NewCSVReader(strings.NewReader(trailingBlanks.ReplaceAllString(string(data), `"$1`)))
	header, err := cr.Read()
	if err != nil {
		probs.Add(1, "", "cannot read the header: %v", err)
		return nil, probs.Err()
	}
	col := map[string]int{}
	for i, h := range header {
		col[records.HeaderKey(h)] = i
	}
	for _, need := range []string{"productid", "skuid", "provisioningid", "provisioningstring"} {
		if _, ok := col[need]; !ok {
			probs.Add(1, need, "column missing from the header")
		}
	}
	if probs.Len() > 0 {
		return nil, probs.Err()
	}
	get := func(rec []string, key string) string {
		if i, ok := col[key]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	var out []Offer
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			records.AddCSVError(probs, err)
			return nil, probs.Err()
		}
		line, _ := cr.FieldPos(0)
		if !fitsLimits(rec, header, line, probs) {
			continue
		}
		o := Offer{ProductID: strings.ToUpper(get(rec, "productid")), SKU: strings.ToUpper(get(rec, "skuid")), Title: get(rec, "producttitle"), PartNumber: CleanID(get(rec, "provisioningstring"))}
		if !OfferKey.MatchString(o.Key()) {
			probs.Add(line, "ProductId", "%q:%q is not a Partner Center ProductId:SkuId", o.ProductID, o.SKU)
			continue
		}
		prov := get(rec, "provisioningid")
		if prov == "" {
			continue // not a licence (Azure, marketplace): nothing to provision in Graph
		}
		id, ok := ids.ParseGUID(prov)
		if !ok {
			probs.Add(line, "ProvisioningId", "%q is not a GUID", prov)
			continue
		}
		o.GraphSKUID = id
		out = append(out, o)
	}
	if err := probs.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		probs.Add(0, "", "no offers with a ProvisioningId in the file")
		return nil, probs.Err()
	}
	return out, nil
}
