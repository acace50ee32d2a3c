package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/seatledger/seatledger/internal/catalog"
)

type offerRow struct {
	ProductID  string `gorm:"primaryKey"`
	SKU        string `gorm:"primaryKey;column:sku"`
	Title      string
	GraphSKUID string `gorm:"column:graph_sku_id"`
	PartNumber string
	UpdatedAt  time.Time
}

func (offerRow) TableName() string { return "partner_center_offers" }

// ImportOffers upserts Partner Center offers in one transaction and audits it.
func (s *Store) ImportOffers(ctx context.Context, offers []catalog.Offer, actor, source string) (int, error) {
	now := s.nowUTC()
	rows := make([]offerRow, len(offers))
	for i, o := range offers {
		rows[i] = offerRow{ProductID: o.ProductID, SKU: o.SKU, Title: o.Title, GraphSKUID: o.GraphSKUID, PartNumber: o.PartNumber, UpdatedAt: now}
	}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.OnConflict{UpdateAll: true}).CreateInBatches(&rows, 500).Error; err != nil {
			return fmt.Errorf("write offers: %w", err)
		}
		return s.audit(tx, actor, "offers.import", source, fmt.Sprintf("%d offers", len(rows)))
	})
	if err != nil {
		return 0, fmt.Errorf("import offers: %w", err)
	}
	return len(rows), nil
}

// Offer finds a Partner Center offer by ProductId:SkuId.
func (s *Store) Offer(ctx context.Context, key string) (catalog.Offer, error) {
	var rows []offerRow
	product, sku := key[:12], key[13:]
	if err := s.db.WithContext(ctx).Where("product_id = ? AND sku = ?", product, sku).Find(&rows).Error; err != nil {
		return catalog.Offer{}, fmt.Errorf("read offer %s: %w", key, err)
	}
	if len(rows) == 0 {
		return catalog.Offer{}, fmt.Errorf("offer %s: %w", key, ErrNotFound)
	}
	r := rows[0]
	return catalog.Offer{ProductID: r.ProductID, SKU: r.SKU, Title: r.Title, GraphSKUID: r.GraphSKUID, PartNumber: r.PartNumber}, nil
}

// OffersByGraphSKU lists the imported Partner Center offers per Graph skuId: the way
// from a subscription Graph shows to the price list's rows.
func (s *Store) OffersByGraphSKU(ctx context.Context) (map[string][]catalog.Offer, error) {
	var rows []offerRow
	if err := s.db.WithContext(ctx).Order("product_id, sku").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("read offers: %w", err)
	}
	out := map[string][]catalog.Offer{}
	for _, r := range rows {
		id := strings.ToLower(r.GraphSKUID)
		out[id] = append(out[id], catalog.Offer{ProductID: r.ProductID, SKU: r.SKU, Title: r.Title, GraphSKUID: id, PartNumber: r.PartNumber})
	}
	return out, nil
}
