package store

import (
	"context"
	"fmt"
)

// FindingPageFilter chooses a page of findings: of some tenants, of a kind, in a
// state (open, acknowledged, suppressed, resolved; "" is every unresolved one),
// after a fingerprint.
type FindingPageFilter struct {
	TenantIDs []string
	Kind      string
	State     string
	After     string
	Limit     int
}

// FindingsPage lists findings in fingerprint order after f.After. It is a keyset
// query on the primary key (or tenant_id, fingerprint), so the thousandth page costs
// what the first does.
func (s *Store) FindingsPage(ctx context.Context, f FindingPageFilter) ([]StoredFinding, error) {
	q := s.db.WithContext(ctx).Model(&findingRow{})
	if len(f.TenantIDs) > 0 {
		q = q.Where("tenant_id IN ?", f.TenantIDs)
	}
	if f.Kind != "" {
		q = q.Where("kind = ?", f.Kind)
	}
	switch f.State {
	case "":
		q = q.Where("resolved_at IS NULL")
	case "resolved":
		q = q.Where("resolved_at IS NOT NULL")
	default:
		q = q.Where("resolved_at IS NULL AND status = ?", f.State)
	}
	if f.After != "" {
		q = q.Where("fingerprint > ?", f.After)
	}
	var rows []findingRow
	if err := q.Order("fingerprint").Limit(f.Limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("read findings: %w", err)
	}
	out := make([]StoredFinding, len(rows))
	for i, r := range rows {
		out[i] = r.stored()
	}
	return out, nil
}
