package store

import (
	"context"
	"fmt"
	"time"

	"github.com/seatledger/seatledger/internal/contracts"
	"github.com/seatledger/seatledger/internal/inventory"
)

// The billing run reads every customer at once: one query per table, each over the
// days billed, rather than a round of queries per tenant.

// ContractLinesByTenant lists every customer's contract lines in file order, by tenant.
func (s *Store) ContractLinesByTenant(ctx context.Context) (map[string][]contracts.Line, error) {
	lines, err := loadContract(s.db.WithContext(ctx), "")
	if err != nil {
		return nil, err
	}
	out := map[string][]contracts.Line{}
	for _, l := range lines {
		out[l.TenantID] = append(out[l.TenantID], l)
	}
	return out, nil
}

// SubscriptionsByTenant lists every tenant's current subscriptions, by tenant.
func (s *Store) SubscriptionsByTenant(ctx context.Context) (map[string][]inventory.Subscription, error) {
	var rows []subscriptionRow
	if err := s.db.WithContext(ctx).Order("tenant_id, part_number, subscription_id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("read subscriptions: %w", err)
	}
	out := map[string][]inventory.Subscription{}
	for _, r := range rows {
		out[r.TenantID] = append(out[r.TenantID], r.subscription())
	}
	return out, nil
}

// overlapping is the condition on a history table for periods that held at some time
// in [from, to).
const overlapping = "valid_from < ? AND (valid_to IS NULL OR valid_to > ?)"

// SubscriptionHistoryBetween lists, by tenant, the subscription periods that held at
// some time from `from` (inclusive) to `to` (exclusive), oldest first per subscription.
func (s *Store) SubscriptionHistoryBetween(ctx context.Context, from, to time.Time) (map[string][]SubscriptionPeriod, error) {
	// Scanned column by column: a large partner has hundreds of thousands of rows
	// here, and gorm's reflection per row cost more than the query.
	rows, err := s.db.WithContext(ctx).Model(&subscriptionHistoryRow{}).Select("tenant_id", "subscription_id", "sku_id", "valid_from", "valid_to", "status", "total_licenses").
		Where(overlapping, to, from).Order("tenant_id, subscription_id, valid_from, id").Rows()
	if err != nil {
		return nil, fmt.Errorf("read subscription history from %s to %s: %w", from.Format(time.DateOnly), to.Format(time.DateOnly), err)
	}
	defer rows.Close()
	out := map[string][]SubscriptionPeriod{}
	for rows.Next() {
		var r subscriptionHistoryRow
		if err := rows.Scan(&r.TenantID, &r.SubscriptionID, &r.SKUID, &r.ValidFrom, &r.ValidTo, &r.Status, &r.TotalLicenses); err != nil {
			return nil, fmt.Errorf("read subscription history: %w", err)
		}
		out[r.TenantID] = append(out[r.TenantID], SubscriptionPeriod{SubscriptionID: r.SubscriptionID, SKUID: r.SKUID, Status: r.Status,
			TotalLicenses: r.TotalLicenses, Period: Period{From: r.ValidFrom.UTC(), To: inventory.UTC(r.ValidTo)}})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read subscription history from %s to %s: %w", from.Format(time.DateOnly), to.Format(time.DateOnly), err)
	}
	return out, nil
}

// ConsumedPeriod is a span during which a tenant's licence pool of a SKU had one
// number of seats assigned (Graph's consumedUnits).
type ConsumedPeriod struct {
	SKUID    string `json:"skuId"`
	Consumed int    `json:"consumed"`
	Period
}

// ConsumedBetween lists, by tenant, the licence pool periods that held at some time
// from `from` (inclusive) to `to` (exclusive), oldest first per SKU.
func (s *Store) ConsumedBetween(ctx context.Context, from, to time.Time) (map[string][]ConsumedPeriod, error) {
	rows, err := s.db.WithContext(ctx).Model(&poolHistoryRow{}).Select("tenant_id", "sku_id", "valid_from", "valid_to", "consumed").Where(overlapping, to, from).
		Order("tenant_id, sku_id, valid_from").Rows()
	if err != nil {
		return nil, fmt.Errorf("read licence pool history from %s to %s: %w", from.Format(time.DateOnly), to.Format(time.DateOnly), err)
	}
	defer rows.Close()
	out := map[string][]ConsumedPeriod{}
	for rows.Next() {
		var r poolHistoryRow
		if err := rows.Scan(&r.TenantID, &r.SKUID, &r.ValidFrom, &r.ValidTo, &r.Consumed); err != nil {
			return nil, fmt.Errorf("read licence pool history: %w", err)
		}
		out[r.TenantID] = append(out[r.TenantID], ConsumedPeriod{SKUID: r.SKUID, Consumed: r.Consumed, Period: Period{From: r.ValidFrom.UTC(), To: inventory.UTC(r.ValidTo)}})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read licence pool history from %s to %s: %w", from.Format(time.DateOnly), to.Format(time.DateOnly), err)
	}
	return out, nil
}

// PartnerSubscriptionsByTenant lists, by tenant, the subscriptions Partner Center last
// said the partner sold.
func (s *Store) PartnerSubscriptionsByTenant(ctx context.Context) (map[string][]inventory.PartnerSubscription, error) {
	var rows []partnerSubscriptionRow
	if err := s.db.WithContext(ctx).Order("tenant_id, offer_name, subscription_id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("read Partner Center subscriptions: %w", err)
	}
	out := map[string][]inventory.PartnerSubscription{}
	for _, r := range rows {
		v, err := r.value()
		if err != nil {
			return nil, err
		}
		out[r.TenantID] = append(out[r.TenantID], v)
	}
	return out, nil
}

// PartnerHistoryBetween lists, by Partner Center subscription id, the periods of its
// seats and status that held at some time from `from` (inclusive) to `to` (exclusive),
// oldest first.
func (s *Store) PartnerHistoryBetween(ctx context.Context, from, to time.Time) (map[string][]PartnerHistory, error) {
	var rows []partnerHistoryRow
	if err := s.db.WithContext(ctx).Where(overlapping, to, from).Order("subscription_id, valid_from, id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("read Partner Center history from %s to %s: %w", from.Format(time.DateOnly), to.Format(time.DateOnly), err)
	}
	out := map[string][]PartnerHistory{}
	for _, r := range rows {
		out[r.SubscriptionID] = append(out[r.SubscriptionID], PartnerHistory{SubscriptionID: r.SubscriptionID, Quantity: r.Quantity, Status: r.Status,
			CommitmentEnd: inventory.UTC(r.CommitmentEnd), AutoRenew: r.AutoRenew, Period: Period{From: r.ValidFrom.UTC(), To: inventory.UTC(r.ValidTo)}})
	}
	return out, nil
}
