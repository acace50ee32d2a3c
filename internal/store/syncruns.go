package store

import (
	"context"
	"fmt"
	"time"
)

// SyncRun is one run of the sync over a set of tenants.
type SyncRun struct {
	ID            int64      `json:"id"`
	StartedAt     time.Time  `json:"startedAt"`
	FinishedAt    *time.Time `json:"finishedAt,omitempty"`
	Status        string     `json:"status"`
	Tenants       int        `json:"tenants"`
	TenantsOK     int        `json:"tenantsOk" gorm:"column:tenants_ok"`
	TenantsFailed int        `json:"tenantsFailed"`
	UsersRead     int        `json:"usersRead"`
	Changes       int        `json:"changes"`
}

func (SyncRun) TableName() string { return "sync_runs" }

// TenantRun is one tenant's outcome within a sync run.
type TenantRun struct {
	ID                int64     `json:"-"`
	RunID             int64     `json:"runId"`
	TenantID          string    `json:"tenantId" gorm:"column:tenant_id"`
	StartedAt         time.Time `json:"startedAt"`
	FinishedAt        time.Time `json:"finishedAt"`
	Status            string    `json:"status"`
	Error             string    `json:"error,omitempty"`
	UsersRead         int       `json:"usersRead"`
	SKUsRead          int       `json:"skusRead" gorm:"column:skus_read"`
	SubscriptionsRead int       `json:"subscriptionsRead"`
	Requests          int       `json:"requests"`
	Changes           int       `json:"changes"`
	SignInData        bool      `json:"signInData"`
	UsageRead         bool      `json:"usageRead"`
	// PartnerCenterRead is set when Partner Center was read and stored;
	// PartnerCenterError says why it was not (empty when it was not asked).
	PartnerCenterRead  bool   `json:"partnerCenterRead"`
	PartnerCenterError string `json:"partnerCenterError,omitempty"`
}

func (TenantRun) TableName() string { return "sync_tenant_runs" }

// Sync statuses.
const (
	SyncRunning = "running"
	SyncOK      = "ok"
	SyncFailed  = "failed"
	// SyncPartial is a run in which some tenants failed and others succeeded.
	SyncPartial = "partial"
)

// BeginSyncRun records the start of a run.
func (s *Store) BeginSyncRun(ctx context.Context, started time.Time, tenants int) (*SyncRun, error) {
	run := &SyncRun{StartedAt: started.UTC(), Status: SyncRunning, Tenants: tenants}
	if err := s.db.WithContext(ctx).Create(run).Error; err != nil {
		return nil, fmt.Errorf("record sync run: %w", err)
	}
	return run, nil
}

// RecordTenantRun records one tenant's outcome.
func (s *Store) RecordTenantRun(ctx context.Context, tr *TenantRun) error {
	tr.StartedAt, tr.FinishedAt = tr.StartedAt.UTC(), tr.FinishedAt.UTC()
	if err := s.db.WithContext(ctx).Create(tr).Error; err != nil {
		return fmt.Errorf("record sync of tenant %s: %w", tr.TenantID, err)
	}
	return nil
}

// FinishSyncRun stores a run's totals and final status.
func (s *Store) FinishSyncRun(ctx context.Context, run *SyncRun) error {
	if err := s.db.WithContext(ctx).Save(run).Error; err != nil {
		return fmt.Errorf("finish sync run %d: %w", run.ID, err)
	}
	return nil
}

// LastUsageReads tells, per tenant, when usage reports were last read in a
// successful sync since the given time; tenants not read since are absent.
func (s *Store) LastUsageReads(ctx context.Context, since time.Time) (map[string]time.Time, error) {
	var runs []TenantRun
	err := s.db.WithContext(ctx).Select("tenant_id", "started_at").
		Where("usage_read AND status = ? AND started_at >= ?", SyncOK, since.UTC()).Find(&runs).Error
	if err != nil {
		return nil, fmt.Errorf("read last usage reads: %w", err)
	}
	out := make(map[string]time.Time, len(runs))
	for _, r := range runs {
		if t := r.StartedAt.UTC(); t.After(out[r.TenantID]) {
			out[r.TenantID] = t
		}
	}
	return out, nil
}

// TenantRuns lists the tenant outcomes of a run.
func (s *Store) TenantRuns(ctx context.Context, runID int64) ([]TenantRun, error) {
	var out []TenantRun
	err := s.db.WithContext(ctx).Where("run_id = ?", runID).Order("tenant_id").Find(&out).Error
	return out, err
}

// LastSyncs is, per tenant, when its last successful sync started: what the stored
// state describes.
func (s *Store) LastSyncs(ctx context.Context) (map[string]time.Time, error) {
	// MAX() of a time is text on SQLite: select the rows that hold it instead.
	var runs []TenantRun
	err := s.db.WithContext(ctx).Select("tenant_id", "started_at").
		Where("status = ? AND started_at = (SELECT MAX(r.started_at) FROM sync_tenant_runs r WHERE r.tenant_id = sync_tenant_runs.tenant_id AND r.status = ?)", SyncOK, SyncOK).
		Find(&runs).Error
	if err != nil {
		return nil, fmt.Errorf("read last syncs: %w", err)
	}
	out := make(map[string]time.Time, len(runs))
	for _, r := range runs {
		out[r.TenantID] = r.StartedAt.UTC()
	}
	return out, nil
}
