package store

import (
	"context"
	"fmt"
	"os"
	"os/user"
	"strconv"
	"time"

	"gorm.io/gorm"
)

// AuditEntry records who did what to the partner's data, and when.
type AuditEntry struct {
	ID    int64     `json:"id"`
	At    time.Time `json:"at"`
	Actor string    `json:"actor"`
	// OSUser is the operating-system account of the process that wrote the entry;
	// Actor is what it said (the CLI's --actor), OSUser who it ran as.
	OSUser  string `json:"osUser" gorm:"column:os_user"`
	Action  string `json:"action"`
	Subject string `json:"subject"`
	Detail  string `json:"detail"`
}

func (AuditEntry) TableName() string { return "audit_log" }

func (s *Store) audit(tx *gorm.DB, actor, action, subject, detail string) error {
	e := AuditEntry{At: s.nowUTC(), Actor: actor, OSUser: s.osUser, Action: action, Subject: subject, Detail: detail}
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

// CurrentOSUser names the operating-system account this process runs as: its user
// name, or its uid when the account has no entry (a container's arbitrary uid).
func CurrentOSUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "uid " + strconv.Itoa(os.Geteuid())
}

// AuditPage returns up to limit entries older than the entry with id before (all
// when before is 0), newest first: a keyset page on the primary key.
func (s *Store) AuditPage(ctx context.Context, before int64, limit int) ([]AuditEntry, error) {
	q := s.db.WithContext(ctx).Order("id DESC").Limit(limit)
	if before > 0 {
		q = q.Where("id < ?", before)
	}
	var out []AuditEntry
	if err := q.Find(&out).Error; err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	return out, nil
}

// RecordAudit writes one entry for an action that changes nothing the store keeps
// (a job queued elsewhere), so that the log still says who asked for it.
func (s *Store) RecordAudit(ctx context.Context, actor, action, subject, detail string) error {
	return s.audit(s.db.WithContext(ctx), actor, action, subject, detail)
}
