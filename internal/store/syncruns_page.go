package store

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"
)

// SyncRunsPage lists up to limit runs with an id below before (all when before is
// 0), newest first: a keyset page on the primary key.
func (s *Store) SyncRunsPage(ctx context.Context, before int64, limit int) ([]SyncRun, error) {
	q := s.db.WithContext(ctx).Order("id DESC").Limit(limit)
	if before > 0 {
		q = q.Where("id < ?", before)
	}
	var out []SyncRun
	if err := q.Find(&out).Error; err != nil {
		return nil, fmt.Errorf("read sync runs: %w", err)
	}
	return out, nil
}

// SyncRun reads one run.
func (s *Store) SyncRun(ctx context.Context, id int64) (SyncRun, error) {
	var r SyncRun
	err := s.db.WithContext(ctx).Take(&r, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return SyncRun{}, fmt.Errorf("sync run %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return SyncRun{}, fmt.Errorf("read sync run %d: %w", id, err)
	}
	return r, nil
}
