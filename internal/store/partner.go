package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/seatledger/seatledger/internal/inventory"
)

type partnerSubscriptionRow struct {
	TenantID       string `gorm:"column:tenant_id;primaryKey"`
	SubscriptionID string `gorm:"column:subscription_id;primaryKey"`
	OfferID        string `gorm:"column:offer_id"`
	ProductSKU     string `gorm:"column:product_sku"`
	OfferName      string
	ProductType    string
	Quantity       int
	Status         string
	CreatedAt      *time.Time `gorm:"autoCreateTime:false"`
	EffectiveStart *time.Time
	CommitmentEnd  *time.Time
	AutoRenew      bool
	TermDuration   string
	BillingCycle   string
	IsTrial        bool
	ResellerID     string `gorm:"column:reseller_id"`
	RefundUntil    *time.Time
	Refundable     string
}

func (partnerSubscriptionRow) TableName() string { return "partner_subscriptions" }

type partnerHistoryRow struct {
	ID             int64
	TenantID       string `gorm:"column:tenant_id"`
	SubscriptionID string `gorm:"column:subscription_id"`
	ValidFrom      time.Time
	ValidTo        *time.Time
	Quantity       int
	Status         string
	CommitmentEnd  *time.Time
	AutoRenew      bool
}

func (partnerHistoryRow) TableName() string { return "partner_subscription_history" }

// stamp is a time as both databases keep it: UTC, to the microsecond. Partner Center
// writes ten-millionths of a second; unrounded they would differ from the stored
// value at every sync.
func stamp(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC().Truncate(time.Microsecond)
	return &u
}

func toPartnerRow(tenantID string, p inventory.PartnerSubscription) partnerSubscriptionRow {
	lots := make([]inventory.RefundableSeats, len(p.Refundable))
	for i, r := range p.Refundable {
		lots[i] = inventory.RefundableSeats{Seats: r.Seats, Until: *stamp(&r.Until)}
	}
	refundable, _ := json.Marshal(lots) // plain ints and times: cannot fail
	return partnerSubscriptionRow{TenantID: tenantID, SubscriptionID: p.ID, OfferID: p.OfferID, ProductSKU: p.ProductSKU, OfferName: p.OfferName,
		ProductType: p.ProductType, Quantity: p.Quantity, Status: p.Status, CreatedAt: stamp(p.Created), EffectiveStart: stamp(p.EffectiveStart),
		CommitmentEnd: stamp(p.CommitmentEnd), AutoRenew: p.AutoRenew, TermDuration: p.TermDuration, BillingCycle: p.BillingCycle, IsTrial: p.IsTrial,
		ResellerID: p.ResellerID, RefundUntil: stamp(p.RefundUntil), Refundable: string(refundable)}
}

func (r partnerSubscriptionRow) value() (inventory.PartnerSubscription, error) {
	var lots []inventory.RefundableSeats
	if err := json.Unmarshal([]byte(r.Refundable), &lots); err != nil {
		return inventory.PartnerSubscription{}, fmt.Errorf("refundable seats of %s: %w", r.SubscriptionID, err)
	}
	for i := range lots {
		lots[i].Until = lots[i].Until.UTC()
	}
	if len(lots) == 0 {
		lots = nil
	}
	return inventory.PartnerSubscription{ID: r.SubscriptionID, OfferID: r.OfferID, ProductSKU: r.ProductSKU, OfferName: r.OfferName, ProductType: r.ProductType,
		Quantity: r.Quantity, Status: r.Status, Created: inventory.UTC(r.CreatedAt), EffectiveStart: inventory.UTC(r.EffectiveStart),
		CommitmentEnd: inventory.UTC(r.CommitmentEnd), AutoRenew: r.AutoRenew, TermDuration: r.TermDuration, BillingCycle: r.BillingCycle,
		IsTrial: r.IsTrial, ResellerID: r.ResellerID, RefundUntil: inventory.UTC(r.RefundUntil), Refundable: lots}, nil
}

func samePartnerRow(a, b partnerSubscriptionRow) bool {
	return a.OfferID == b.OfferID && a.ProductSKU == b.ProductSKU && a.OfferName == b.OfferName && a.ProductType == b.ProductType &&
		a.Quantity == b.Quantity && a.Status == b.Status && sameTime(a.CreatedAt, b.CreatedAt) && sameTime(a.EffectiveStart, b.EffectiveStart) &&
		sameTime(a.CommitmentEnd, b.CommitmentEnd) && a.AutoRenew == b.AutoRenew && a.TermDuration == b.TermDuration && a.BillingCycle == b.BillingCycle &&
		a.IsTrial == b.IsTrial && a.ResellerID == b.ResellerID && sameTime(a.RefundUntil, b.RefundUntil) && sameRefundable(a.Refundable, b.Refundable)
}

// sameRefundable compares two lists of lots by value: the databases may hand a time
// back in another zone or format than it was written in.
func sameRefundable(a, b string) bool {
	var x, y []inventory.RefundableSeats
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return a == b
	}
	return slices.EqualFunc(x, y, func(p, q inventory.RefundableSeats) bool { return p.Seats == q.Seats && p.Until.Equal(q.Until) })
}

// ApplyPartnerCenter stores what Partner Center said about a tenant at `at`, in one
// transaction, writing only what changed: its subscriptions (current state and
// history of seats, status, commitment end and auto-renew) when readErr is empty;
// otherwise only the note of why it could not be read, keeping the subscriptions
// last read. It returns the number of rows written.
func (s *Store) ApplyPartnerCenter(ctx context.Context, tenantID string, subs []inventory.PartnerSubscription, readErr string, at time.Time) (int, error) {
	c := &changeSet{dialect: s.dialect, tenant: tenantID, at: at.UTC().Truncate(time.Microsecond)}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		c.tx = tx
		res := tx.Model(&tenantStateRow{}).Where("tenant_id = ? AND partner_center_note <> ?", tenantID, readErr).Update("partner_center_note", readErr)
		if res.Error != nil {
			return res.Error
		}
		c.changes += int(res.RowsAffected)
		if readErr != "" {
			return nil
		}
		return applyPartnerSubscriptions(c, subs)
	})
	if err != nil {
		return 0, fmt.Errorf("store Partner Center subscriptions of %s: %w", tenantID, err)
	}
	return c.changes, nil
}

func applyPartnerSubscriptions(c *changeSet, subs []inventory.PartnerSubscription) error {
	var old []partnerSubscriptionRow
	if err := c.tx.Where("tenant_id = ?", c.tenant).Find(&old).Error; err != nil {
		return err
	}
	stored := make(map[string]partnerSubscriptionRow, len(old))
	for _, r := range old {
		stored[r.SubscriptionID] = r
	}
	var closeIDs []string
	var history []partnerHistoryRow
	for _, p := range subs {
		row := toPartnerRow(c.tenant, p)
		prev, found := stored[p.ID]
		delete(stored, p.ID)
		switch {
		case !found:
			c.changes++
			if err := c.tx.Create(&row).Error; err != nil {
				return err
			}
		case samePartnerRow(prev, row):
			continue
		default:
			c.changes++
			if err := c.tx.Save(&row).Error; err != nil {
				return err
			}
			if prev.Quantity == row.Quantity && prev.Status == row.Status && sameTime(prev.CommitmentEnd, row.CommitmentEnd) && prev.AutoRenew == row.AutoRenew {
				continue
			}
			closeIDs = append(closeIDs, p.ID)
		}
		history = append(history, partnerHistoryRow{TenantID: c.tenant, SubscriptionID: p.ID, ValidFrom: c.at, Quantity: row.Quantity,
			Status: row.Status, CommitmentEnd: row.CommitmentEnd, AutoRenew: row.AutoRenew})
	}
	for id := range stored {
		c.changes++
		if err := c.tx.Where("tenant_id = ? AND subscription_id = ?", c.tenant, id).Delete(&partnerSubscriptionRow{}).Error; err != nil {
			return err
		}
		closeIDs = append(closeIDs, id)
	}
	if err := c.closeHistory(&partnerHistoryRow{}, "subscription_id", closeIDs); err != nil {
		return err
	}
	if len(history) > 0 {
		c.changes += len(history)
		return c.tx.CreateInBatches(history, 500).Error
	}
	return nil
}

// PartnerSubscriptions lists the subscriptions Partner Center last said the partner
// sold a tenant, in offer name and id order.
func (s *Store) PartnerSubscriptions(ctx context.Context, tenantID string) ([]inventory.PartnerSubscription, error) {
	var rows []partnerSubscriptionRow
	if err := s.db.WithContext(ctx).Where("tenant_id = ?", tenantID).Order("offer_name, subscription_id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("read Partner Center subscriptions of %s: %w", tenantID, err)
	}
	out := make([]inventory.PartnerSubscription, 0, len(rows))
	for _, r := range rows {
		v, err := r.value()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// PartnerHistory is one period of a Partner Center subscription's seats, status,
// commitment end and auto-renew.
type PartnerHistory struct {
	SubscriptionID string     `json:"subscriptionId"`
	Quantity       int        `json:"quantity"`
	Status         string     `json:"status"`
	CommitmentEnd  *time.Time `json:"commitmentEnd,omitempty"`
	AutoRenew      bool       `json:"autoRenew"`
	Period         Period     `json:"period"`
}

// PartnerSubscriptionHistory lists the periods of a tenant's Partner Center
// subscriptions, oldest first.
func (s *Store) PartnerSubscriptionHistory(ctx context.Context, tenantID string) ([]PartnerHistory, error) {
	var rows []partnerHistoryRow
	if err := s.db.WithContext(ctx).Where("tenant_id = ?", tenantID).Order("subscription_id, valid_from, id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("read Partner Center history of %s: %w", tenantID, err)
	}
	out := make([]PartnerHistory, len(rows))
	for i, r := range rows {
		out[i] = PartnerHistory{SubscriptionID: r.SubscriptionID, Quantity: r.Quantity, Status: r.Status, CommitmentEnd: inventory.UTC(r.CommitmentEnd),
			AutoRenew: r.AutoRenew, Period: Period{From: r.ValidFrom.UTC(), To: inventory.UTC(r.ValidTo)}}
	}
	return out, nil
}

// LastPartnerCenterReads tells, per tenant, when Partner Center was last read for it
// in a sync; tenants never read are absent.
func (s *Store) LastPartnerCenterReads(ctx context.Context) (map[string]time.Time, error) {
	// MAX over a time column comes back as text from SQLite: the rows are read instead.
	var runs []TenantRun
	if err := s.db.WithContext(ctx).Select("tenant_id", "finished_at").Where("partner_center_read").Find(&runs).Error; err != nil {
		return nil, fmt.Errorf("read last Partner Center reads: %w", err)
	}
	out := map[string]time.Time{}
	for _, r := range runs {
		if t := r.FinishedAt.UTC(); t.After(out[r.TenantID]) {
			out[r.TenantID] = t
		}
	}
	return out, nil
}
