package store

import (
	"context"
	"database/sql/driver"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"

	"github.com/seatledger/seatledger/internal/inventory"
)

// changeSet is one tenant's transaction and the number of rows it wrote.
type changeSet struct {
	tx      *gorm.DB
	dialect Dialect
	tenant  string
	at      time.Time
	changes int
	// usersUnchanged is set when the fresh users have the digest of the stored ones.
	usersUnchanged bool
	// copyRows, when set, writes new rows with COPY (PostgreSQL).
	copyRows func(table string, columns []string, n int, row func(i int) []any) error
}

// ApplySnapshot compares a fresh read of a tenant with its stored current state and,
// in one transaction, writes only what changed: the current state, and history rows
// that close at and open from `at`. It returns the number of rows written. A snapshot
// identical to the stored state writes nothing.
func (s *Store) ApplySnapshot(ctx context.Context, snap *inventory.Snapshot, at time.Time) (int, error) {
	c := &changeSet{dialect: s.dialect, tenant: snap.TenantID, at: at.UTC().Truncate(time.Microsecond)}
	apply := func(tx *gorm.DB) error {
		c.tx = tx
		for _, step := range []func(*changeSet, *inventory.Snapshot) error{applyTenantState, applyPools, applySubscriptions, applyUsers, applyUsage} {
			if err := step(c, snap); err != nil {
				return err
			}
		}
		return nil
	}
	if err := s.bulkTransaction(ctx, c, apply); err != nil {
		return 0, fmt.Errorf("store tenant %s: %w", snap.TenantID, err)
	}
	return c.changes, nil
}

// bulkTransaction runs apply in one transaction that may write many rows: on
// PostgreSQL on a pinned connection that can COPY, elsewhere as usual.
func (s *Store) bulkTransaction(ctx context.Context, c *changeSet, apply func(tx *gorm.DB) error) error {
	if s.dialect == Postgres {
		return s.inCopyTransaction(ctx, c, apply)
	}
	return s.db.WithContext(ctx).Transaction(apply)
}

// inCopyTransaction runs fn in a PostgreSQL transaction on one pinned connection, so
// that new rows can go in with COPY on that same connection: a first sync of a large
// partner writes hundreds of thousands of rows, and COPY takes them at a fraction of
// the cost of INSERT.
func (s *Store) inCopyTransaction(ctx context.Context, c *changeSet, fn func(tx *gorm.DB) error) (err error) {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN"); err != nil {
		return err
	}
	defer func() {
		p := recover()
		end := "COMMIT"
		if err != nil || p != nil {
			end = "ROLLBACK"
		}
		if _, endErr := conn.ExecContext(context.WithoutCancel(ctx), end); endErr != nil {
			// The connection may still be inside the transaction: never pool it again.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
			if err == nil {
				err = endErr
			}
		}
		if p != nil {
			panic(p)
		}
		if err != nil && ctx.Err() != nil {
			err = fmt.Errorf("%w (%v)", ctx.Err(), err)
		}
	}()
	// Two syncs of the same tenant (a manual run over a scheduled one) take turns;
	// SQLite gets the same from its write lock.
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_xact_lock(hashtext($1))", "seatledger.tenant."+c.tenant); err != nil {
		return err
	}
	tx := s.db.WithContext(ctx).Session(&gorm.Session{NewDB: true, SkipDefaultTransaction: true})
	tx.Statement.ConnPool = conn
	c.copyRows = func(table string, columns []string, n int, row func(i int) []any) error {
		return conn.Raw(func(driverConn any) error {
			pc, ok := driverConn.(*stdlib.Conn)
			if !ok {
				return fmt.Errorf("COPY needs a pgx connection, not %T", driverConn)
			}
			_, err := pc.Conn().CopyFrom(ctx, pgx.Identifier{table}, columns, pgx.CopyFromSlice(n, func(i int) ([]any, error) { return row(i), nil }))
			return err
		})
	}
	return fn(tx)
}

func applyTenantState(c *changeSet, snap *inventory.Snapshot) error {
	fresh := tenantStateRow{TenantID: c.tenant, SignInData: snap.SignInData, SignInNote: snap.SignInNote, UsageNote: snap.UsageNote,
		MailboxPurposeData: snap.MailboxPurposeData, MailboxNote: snap.MailboxNote,
		UsersDigest: snap.Users.Digest(), UsageReportDate: inventory.UTC(snap.UsageReportDate)}
	var old []tenantStateRow
	if err := c.tx.Where("tenant_id = ?", c.tenant).Find(&old).Error; err != nil {
		return err
	}
	if len(old) == 1 {
		// Partner Center's part is written by ApplyPartnerCenter.
		fresh.PartnerCenterNote = old[0].PartnerCenterNote
		c.usersUnchanged = old[0].UsersDigest != "" && old[0].UsersDigest == fresh.UsersDigest
		if !snap.UsageRead {
			// Usage is read at most daily: a sync without it keeps the last report
			// date, and the last note unless it has a new one (a refused report).
			fresh.UsageReportDate = old[0].UsageReportDate
			if fresh.UsageNote == "" {
				fresh.UsageNote = old[0].UsageNote
			}
		}
		if sameTenantState(old[0], fresh) {
			return nil
		}
		c.changes++
		return c.tx.Save(&fresh).Error
	}
	c.changes++
	return c.tx.Create(&fresh).Error
}

func sameTenantState(a, b tenantStateRow) bool {
	return a.TenantID == b.TenantID && a.SignInData == b.SignInData && a.SignInNote == b.SignInNote && a.UsageNote == b.UsageNote && a.UsersDigest == b.UsersDigest &&
		a.MailboxPurposeData == b.MailboxPurposeData && a.MailboxNote == b.MailboxNote && a.PartnerCenterNote == b.PartnerCenterNote &&
		sameTime(a.UsageReportDate, b.UsageReportDate)
}

func applyPools(c *changeSet, snap *inventory.Snapshot) error {
	var old []poolRow
	if err := c.tx.Where("tenant_id = ?", c.tenant).Find(&old).Error; err != nil {
		return err
	}
	stored := make(map[string]poolRow, len(old))
	for _, r := range old {
		stored[r.SKUID] = r
	}
	var inserts []poolRow
	var history []poolHistoryRow
	var closeSKUs []string
	for _, p := range snap.Pools {
		row := poolRow{TenantID: c.tenant, SKUID: p.SKUID, PartNumber: p.PartNumber, AppliesTo: p.AppliesTo, CapabilityStatus: p.CapabilityStatus,
			Enabled: p.Enabled, Warning: p.Warning, Suspended: p.Suspended, LockedOut: p.LockedOut, Consumed: p.Consumed}
		prev, found := stored[p.SKUID]
		delete(stored, p.SKUID)
		switch {
		case !found:
			inserts = append(inserts, row)
		case prev == row:
			continue
		default:
			c.changes++
			if err := c.tx.Save(&row).Error; err != nil {
				return err
			}
			if prev.Enabled == p.Enabled && prev.Consumed == p.Consumed && prev.Warning == p.Warning && prev.Suspended == p.Suspended && prev.LockedOut == p.LockedOut {
				continue
			}
			closeSKUs = append(closeSKUs, p.SKUID)
		}
		history = append(history, poolHistoryRow{TenantID: c.tenant, SKUID: p.SKUID, ValidFrom: c.at,
			Enabled: p.Enabled, Warning: p.Warning, Suspended: p.Suspended, LockedOut: p.LockedOut, Consumed: p.Consumed})
	}
	for sku := range stored {
		c.changes++
		if err := c.tx.Where("tenant_id = ? AND sku_id = ?", c.tenant, sku).Delete(&poolRow{}).Error; err != nil {
			return err
		}
		closeSKUs = append(closeSKUs, sku)
	}
	if err := c.closeHistory(&poolHistoryRow{}, "sku_id", closeSKUs); err != nil {
		return err
	}
	if err := insertAll(c, inserts); err != nil {
		return err
	}
	return insertAll(c, history)
}

// closeHistory ends the open history rows of the given keys at the change's time.
func (c *changeSet) closeHistory(model any, column string, keys []string) error {
	for start := 0; start < len(keys); start += batchSize {
		end := min(start+batchSize, len(keys))
		res := c.tx.Model(model).Where("tenant_id = ? AND "+column+" IN ? AND valid_to IS NULL", c.tenant, keys[start:end]).Update("valid_to", c.at)
		if res.Error != nil {
			return res.Error
		}
		c.changes += int(res.RowsAffected)
	}
	return nil
}

func applySubscriptions(c *changeSet, snap *inventory.Snapshot) error {
	var old []subscriptionRow
	if err := c.tx.Where("tenant_id = ?", c.tenant).Find(&old).Error; err != nil {
		return err
	}
	stored := make(map[string]subscriptionRow, len(old))
	for _, r := range old {
		stored[r.SubscriptionID] = r
	}
	var inserts []subscriptionRow
	var history []subscriptionHistoryRow
	var closeIDs []string
	for _, sub := range snap.Subscriptions {
		row := subscriptionRow{TenantID: c.tenant, SubscriptionID: sub.ID, CommerceID: sub.CommerceID, SKUID: sub.SKUID, PartNumber: sub.PartNumber,
			Status: sub.Status, TotalLicenses: sub.TotalLicenses, IsTrial: sub.IsTrial, CreatedAt: sub.Created.UTC(), NextLifecycleAt: inventory.UTC(sub.NextLifecycle),
			OwnerTenantID: sub.OwnerTenantID, OwnerType: sub.OwnerType}
		prev, found := stored[sub.ID]
		delete(stored, sub.ID)
		if found {
			p := prev.subscription()
			if p.CommerceID == sub.CommerceID && p.SKUID == sub.SKUID && p.PartNumber == sub.PartNumber && p.Status == sub.Status &&
				p.TotalLicenses == sub.TotalLicenses && p.IsTrial == sub.IsTrial && p.Created.Equal(sub.Created) &&
				sameTime(p.NextLifecycle, sub.NextLifecycle) && p.OwnerTenantID == sub.OwnerTenantID && p.OwnerType == sub.OwnerType {
				continue
			}
			c.changes++
			if err := c.tx.Save(&row).Error; err != nil {
				return err
			}
			if p.Status == sub.Status && p.TotalLicenses == sub.TotalLicenses {
				continue
			}
			closeIDs = append(closeIDs, sub.ID)
		} else {
			inserts = append(inserts, row)
		}
		history = append(history, subscriptionHistoryRow{TenantID: c.tenant, SubscriptionID: sub.ID, SKUID: sub.SKUID, ValidFrom: c.at, Status: sub.Status, TotalLicenses: sub.TotalLicenses})
	}
	for id := range stored {
		c.changes++
		if err := c.tx.Where("tenant_id = ? AND subscription_id = ?", c.tenant, id).Delete(&subscriptionRow{}).Error; err != nil {
			return err
		}
		closeIDs = append(closeIDs, id)
	}
	if err := c.closeHistory(&subscriptionHistoryRow{}, "subscription_id", closeIDs); err != nil {
		return err
	}
	if err := insertAll(c, inserts); err != nil {
		return err
	}
	return insertAll(c, history)
}
