package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/seatledger/seatledger/internal/catalog"
)

type skuRow struct {
	SKUID       string `gorm:"column:sku_id;primaryKey"`
	PartNumber  string
	DisplayName string
	Free        bool
	UpdatedAt   time.Time
}

func (skuRow) TableName() string { return "skus" }

type planRow struct {
	PlanID string `gorm:"primaryKey"`
	Name   string
}

func (planRow) TableName() string { return "service_plans" }

type skuPlanRow struct {
	SKUID        string `gorm:"column:sku_id;primaryKey"`
	PlanID       string `gorm:"primaryKey"`
	FriendlyName string
}

func (skuPlanRow) TableName() string { return "sku_service_plans" }

const batchSize = 500

// ImportCatalog upserts SKUs and their service plans in one transaction. SKUs the list
// does not mention are kept; a SKU it mentions gets exactly the plans listed for it.
// Every import is written to the audit log.
func (s *Store) ImportCatalog(ctx context.Context, skus []catalog.SKU, actor, source string) (ImportCounts, error) {
	var counts ImportCounts
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		current, err := loadCatalog(tx)
		if err != nil {
			return err
		}
		old := make(map[string]catalog.SKU, len(current))
		planNames := map[string]string{}
		for _, sku := range current {
			old[sku.ID] = sku
			for _, p := range sku.Plans {
				planNames[p.ID] = p.Name
			}
		}
		var planRows []planRow
		var changed []catalog.SKU
		for _, sku := range skus {
			for _, p := range sku.Plans {
				if name, ok := planNames[p.ID]; !ok || name != p.Name {
					planNames[p.ID] = p.Name
					planRows = append(planRows, planRow{PlanID: p.ID, Name: p.Name})
				}
			}
			prev, found := old[sku.ID]
			switch {
			case !found:
				counts.Created++
			case sameSKU(prev, sku):
				counts.Unchanged++
				continue
			default:
				counts.Updated++
			}
			changed = append(changed, sku)
		}
		if len(planRows) > 0 {
			err := tx.Clauses(clause.OnConflict{
				Columns:   []clause.Column{{Name: "plan_id"}},
				DoUpdates: clause.AssignmentColumns([]string{"name"}),
			}).CreateInBatches(planRows, batchSize).Error
			if err != nil {
				return fmt.Errorf("write service plans: %w", err)
			}
		}
		if len(changed) > 0 {
			now := s.nowUTC()
			skuRows := make([]skuRow, len(changed))
			ids := make([]string, len(changed))
			var links []skuPlanRow
			for i, sku := range changed {
				skuRows[i] = skuRow{SKUID: sku.ID, PartNumber: sku.PartNumber, DisplayName: sku.DisplayName, Free: sku.Free, UpdatedAt: now}
				ids[i] = sku.ID
				for _, p := range sku.Plans {
					links = append(links, skuPlanRow{SKUID: sku.ID, PlanID: p.ID, FriendlyName: p.FriendlyName})
				}
			}
			err := tx.Clauses(clause.OnConflict{
				Columns:   []clause.Column{{Name: "sku_id"}},
				DoUpdates: clause.AssignmentColumns([]string{"part_number", "display_name", "free", "updated_at"}),
			}).CreateInBatches(skuRows, batchSize).Error
			if err != nil {
				return fmt.Errorf("write SKUs: %w", err)
			}
			for start := 0; start < len(ids); start += batchSize {
				end := min(start+batchSize, len(ids))
				if err := tx.Where("sku_id IN ?", ids[start:end]).Delete(&skuPlanRow{}).Error; err != nil {
					return fmt.Errorf("replace SKU plans: %w", err)
				}
			}
			if len(links) > 0 {
				if err := tx.CreateInBatches(links, batchSize).Error; err != nil {
					return fmt.Errorf("write SKU plans: %w", err)
				}
			}
		}
		return s.audit(tx, actor, "catalog.import", source,
			fmt.Sprintf("%d SKUs: %d new, %d updated, %d unchanged", len(skus), counts.Created, counts.Updated, counts.Unchanged))
	})
	if err != nil {
		return ImportCounts{}, fmt.Errorf("import catalogue: %w", err)
	}
	return counts, nil
}

func sameSKU(a, b catalog.SKU) bool {
	if a.PartNumber != b.PartNumber || a.DisplayName != b.DisplayName || a.Free != b.Free || len(a.Plans) != len(b.Plans) {
		return false
	}
	have := make(map[string]catalog.ServicePlan, len(a.Plans))
	for _, p := range a.Plans {
		have[p.ID] = p
	}
	for _, p := range b.Plans {
		if q, ok := have[p.ID]; !ok || q != p {
			return false
		}
	}
	return true
}

// CatalogSKUs returns every imported SKU with its service plans; empty when nothing
// has been imported.
func (s *Store) CatalogSKUs(ctx context.Context) ([]catalog.SKU, error) {
	skus, err := loadCatalog(s.db.WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("read catalogue: %w", err)
	}
	return skus, nil
}

func loadCatalog(db *gorm.DB) ([]catalog.SKU, error) {
	var skus []skuRow
	if err := db.Order("part_number, sku_id").Find(&skus).Error; err != nil {
		return nil, err
	}
	var plans []planRow
	if err := db.Find(&plans).Error; err != nil {
		return nil, err
	}
	var links []skuPlanRow
	if err := db.Order("sku_id, plan_id").Find(&links).Error; err != nil {
		return nil, err
	}
	planName := make(map[string]string, len(plans))
	for _, p := range plans {
		planName[p.PlanID] = p.Name
	}
	plansOf := map[string][]catalog.ServicePlan{}
	for _, l := range links {
		plansOf[l.SKUID] = append(plansOf[l.SKUID], catalog.ServicePlan{ID: l.PlanID, Name: planName[l.PlanID], FriendlyName: l.FriendlyName})
	}
	out := make([]catalog.SKU, len(skus))
	for i, r := range skus {
		out[i] = catalog.SKU{ID: r.SKUID, PartNumber: r.PartNumber, DisplayName: r.DisplayName, Free: r.Free, Plans: plansOf[r.SKUID]}
	}
	return out, nil
}
