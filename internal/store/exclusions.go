package store

import (
	"context"
	"fmt"
	"time"

	"github.com/seatledger/seatledger/internal/advice"
)

type exclusionRow struct {
	ID        int64
	TenantID  string
	SKUID     string `gorm:"column:sku_id"`
	UPN       string `gorm:"column:upn"`
	Reason    string
	CreatedBy string
	CreatedAt time.Time
}

func (exclusionRow) TableName() string { return "advice_exclusions" }

// AddExclusion keeps future findings away from a tenant, SKU or user, and audits it.
func (s *Store) AddExclusion(ctx context.Context, e advice.Exclusion, actor string) (advice.Exclusion, error) {
	row := exclusionRow{TenantID: e.TenantID, SKUID: e.SKUID, UPN: e.UPN, Reason: e.Reason, CreatedBy: actor, CreatedAt: s.nowUTC()}
	if err := s.db.WithContext(ctx).Create(&row).Error; err != nil {
		return advice.Exclusion{}, fmt.Errorf("add exclusion: %w", err)
	}
	e.ID = row.ID
	err := s.audit(s.db.WithContext(ctx), actor, "advice.exclude", fmt.Sprintf("tenant=%s sku=%s user=%s", e.TenantID, e.SKUID, e.UPN), e.Reason)
	return e, err
}

// RemoveExclusion deletes an exclusion by id.
func (s *Store) RemoveExclusion(ctx context.Context, id int64, actor string) error {
	res := s.db.WithContext(ctx).Delete(&exclusionRow{}, id)
	if res.Error != nil {
		return fmt.Errorf("remove exclusion %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("exclusion %d: %w", id, ErrNotFound)
	}
	return s.audit(s.db.WithContext(ctx), actor, "advice.include", fmt.Sprint(id), "exclusion removed")
}

// Exclusions lists every exclusion.
func (s *Store) Exclusions(ctx context.Context) ([]advice.Exclusion, error) {
	var rows []exclusionRow
	if err := s.db.WithContext(ctx).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("read exclusions: %w", err)
	}
	out := make([]advice.Exclusion, len(rows))
	for i, r := range rows {
		out[i] = advice.Exclusion{ID: r.ID, TenantID: r.TenantID, SKUID: r.SKUID, UPN: r.UPN, Reason: r.Reason}
	}
	return out, nil
}

// UserTenants lists the synced tenants that have a user with this user principal
// name, compared without case as the advice compares it.
func (s *Store) UserTenants(ctx context.Context, upn string) ([]string, error) {
	var tenants []string
	err := s.db.WithContext(ctx).Model(&userRow{}).Distinct("tenant_id").
		Where("lower(upn) = lower(?)", upn).Order("tenant_id").Pluck("tenant_id", &tenants).Error
	if err != nil {
		return nil, fmt.Errorf("find user %s: %w", upn, err)
	}
	return tenants, nil
}
