package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// AuditEntry records who did what to the partner's data, and when.
type AuditEntry struct {
	ID      int64     `json:"id"`
	At      time.Time `json:"at"`
	Actor   string    `json:"actor"`
	Action  string    `json:"action"`
	Subject string    `json:"subject"`
	Detail  string    `json:"detail"`
}

func (AuditEntry) TableName() string { return "audit_log" }

func (s *Store) audit(tx *gorm.DB, actor, action, subject, detail string) error {
	e := AuditEntry{At: s.nowUTC(), Actor: actor, Action: action, Subject: subject, Detail: detail}
	if err := tx.Create(&e).Error; err != nil {
		return fmt.Errorf("write audit log: %w", err)
	}
	return nil
}

// AuditLog returns the most recent entries, newest first.
func (s *Store) AuditLog(ctx context.Context, limit int) ([]AuditEntry, error) {
	var out []AuditEntry
	if err := s.db.WithContext(ctx).Order("id DESC").Limit(limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	return out, nil
}
