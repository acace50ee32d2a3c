package store

import (
	"context"
	"fmt"
	"time"
)

// TenantSyncs is what the recorded sync runs tell of one tenant: its latest attempt,
// and when each part was last read successfully.
type TenantSyncs struct {
	TenantID string
	// Last is the latest recorded sync of the tenant, successful or not.
	Last TenantRun
	// Graph, Usage and PartnerCenter are when the last sync that read each part
	// successfully started; nil: never.
	Graph, Usage, PartnerCenter *time.Time
}

// SyncsByTenant lists, per tenant that a sync ever tried, its latest attempt and the
// last successful read of Graph, of the usage reports and of Partner Center.
func (s *Store) SyncsByTenant(ctx context.Context) (map[string]TenantSyncs, error) {
	// The latest row of each kind is the one with the highest id: an integer MAX()
	// reads the same on both databases, unlike one over a time, and one grouped scan
	// per kind stays cheap with a year of daily runs.
	var runs []TenantRun
	err := s.db.WithContext(ctx).
		Where("id IN (SELECT MAX(id) FROM sync_tenant_runs GROUP BY tenant_id)"+
			" OR id IN (SELECT MAX(id) FROM sync_tenant_runs WHERE status = ? GROUP BY tenant_id)"+
			" OR id IN (SELECT MAX(id) FROM sync_tenant_runs WHERE status = ? AND usage_read GROUP BY tenant_id)"+
			" OR id IN (SELECT MAX(id) FROM sync_tenant_runs WHERE partner_center_read GROUP BY tenant_id)", SyncOK, SyncOK).
		Order("id").Find(&runs).Error
	if err != nil {
		return nil, fmt.Errorf("read the last syncs of each tenant: %w", err)
	}
	out := map[string]TenantSyncs{}
	// In id order every later row replaces what an earlier one said.
	for _, r := range runs {
		ts := out[r.TenantID]
		ts.TenantID, ts.Last = r.TenantID, r
		started := r.StartedAt.UTC()
		ts.Last.StartedAt, ts.Last.FinishedAt = started, r.FinishedAt.UTC()
		if r.Status == SyncOK {
			ts.Graph = &started
			if r.UsageRead {
				ts.Usage = &started
			}
		}
		if r.PartnerCenterRead {
			ts.PartnerCenter = &started
		}
		out[r.TenantID] = ts
	}
	return out, nil
}
