package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/seatledger/seatledger/internal/ids"
	"github.com/seatledger/seatledger/internal/inventory"
	"github.com/seatledger/seatledger/internal/terms"
)

// TenantPool is one licence pool of one tenant.
type TenantPool struct {
	TenantID string `json:"tenantId"`
	inventory.Pool
}

// Pools lists the current licence pools of the given tenants, or of all when none.
func (s *Store) Pools(ctx context.Context, tenantIDs []string) ([]TenantPool, error) {
	q := s.db.WithContext(ctx).Order("tenant_id, part_number")
	if len(tenantIDs) > 0 {
		q = q.Where("tenant_id IN ?", tenantIDs)
	}
	var rows []poolRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("read licence pools: %w", err)
	}
	out := make([]TenantPool, len(rows))
	for i, r := range rows {
		out[i] = TenantPool{TenantID: r.TenantID, Pool: r.pool()}
	}
	return out, nil
}

// Subscriptions lists a tenant's current subscriptions.
func (s *Store) Subscriptions(ctx context.Context, tenantID string) ([]inventory.Subscription, error) {
	var rows []subscriptionRow
	if err := s.db.WithContext(ctx).Where("tenant_id = ?", tenantID).Order("part_number, subscription_id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("read subscriptions of %s: %w", tenantID, err)
	}
	out := make([]inventory.Subscription, len(rows))
	for i, r := range rows {
		out[i] = r.subscription()
	}
	return out, nil
}

// Period is a span of time a fact held: From inclusive, To exclusive, To nil while
// it still holds.
type Period struct {
	From time.Time  `json:"from"`
	To   *time.Time `json:"to,omitempty"`
}

// SubscriptionPeriod is a span during which a subscription had one status and seat count.
type SubscriptionPeriod struct {
	SubscriptionID string `json:"subscriptionId"`
	SKUID          string `json:"skuId"`
	Status         string `json:"status"`
	TotalLicenses  int    `json:"totalLicenses"`
	Period
}

// SubscriptionHistory lists a tenant's subscription periods, oldest first.
func (s *Store) SubscriptionHistory(ctx context.Context, tenantID string) ([]SubscriptionPeriod, error) {
	var rows []subscriptionHistoryRow
	if err := s.db.WithContext(ctx).Where("tenant_id = ?", tenantID).Order("subscription_id, valid_from").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("read subscription history of %s: %w", tenantID, err)
	}
	out := make([]SubscriptionPeriod, len(rows))
	for i, r := range rows {
		out[i] = SubscriptionPeriod{SubscriptionID: r.SubscriptionID, SKUID: r.SKUID, Status: r.Status, TotalLicenses: r.TotalLicenses,
			Period: Period{From: r.ValidFrom.UTC(), To: inventory.UTC(r.ValidTo)}}
	}
	return out, nil
}

// SeatAdditions lists, per subscription of a tenant, when its seat count went up and
// by how much. The time is that of the sync before the one that saw the rise — the
// earliest it can have happened — so that a reduction window is never taken for open
// after it closed.
func (s *Store) SeatAdditions(ctx context.Context, tenantID string) (map[string][]terms.SeatAddition, error) {
	periods, err := s.SubscriptionHistory(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	out := map[string][]terms.SeatAddition{}
	for i := 1; i < len(periods); i++ {
		prev, cur := periods[i-1], periods[i]
		if prev.SubscriptionID != cur.SubscriptionID || cur.TotalLicenses <= prev.TotalLicenses {
			continue
		}
		at := cur.From
		var before []TenantRun
		// The run that saw the rise started before it stored the rise; the one before
		// had finished by then.
		if err := s.db.WithContext(ctx).Where("tenant_id = ? AND status IN ? AND finished_at < ?", tenantID, []string{SyncOK, SyncPartial}, cur.From).
			Order("started_at DESC").Limit(1).Find(&before).Error; err != nil {
			return nil, fmt.Errorf("read sync runs of %s: %w", tenantID, err)
		}
		if len(before) == 1 {
			at = before[0].StartedAt.UTC()
		}
		out[cur.SubscriptionID] = append(out[cur.SubscriptionID], terms.SeatAddition{At: at, Seats: cur.TotalLicenses - prev.TotalLicenses})
	}
	return out, nil
}

// AssignmentPeriod is a span during which a user held a licence.
type AssignmentPeriod struct {
	UserID string `json:"userId"`
	SKUID  string `json:"skuId"`
	Group  string `json:"group,omitempty"`
	Period
}

// EnabledPeriod is a span during which an account was enabled or disabled.
type EnabledPeriod struct {
	UserID  string `json:"userId"`
	Enabled bool   `json:"enabled"`
	Period
}

// UserRecord is what the store knows of one user principal name in a tenant: the
// user as last read (nil when gone from the directory), its current licences, and
// the history of both.
type UserRecord struct {
	User        *inventory.User        `json:"user,omitempty"`
	Holdings    []AssignmentPeriod     `json:"holdings"`
	Enabled     []EnabledPeriod        `json:"enabled"`
	Assignments []inventory.Assignment `json:"currentAssignments"`
}

// ErrNotFound is returned when a requested record does not exist.
var ErrNotFound = errors.New("not found")

// UserHistory finds a user of a tenant by principal name, mail address (both
// case-insensitive) or object id: Graph can hand out a user without its principal
// name. Users who have left are still found through their history, by the principal
// name they last had or their id.
func (s *Store) UserHistory(ctx context.Context, tenantID, key string) (*UserRecord, error) {
	db := s.db.WithContext(ctx)
	key = strings.ToLower(strings.TrimSpace(key))
	id, isID := ids.ParseGUID(key)
	rec := &UserRecord{}
	var users []userRow
	lookups := []*gorm.DB{db.Where("tenant_id = ? AND LOWER(upn) = ?", tenantID, key), db.Where("tenant_id = ? AND LOWER(mail) = ?", tenantID, key)}
	if isID {
		lookups = []*gorm.DB{db.Where("tenant_id = ? AND user_id = ?", tenantID, id)}
	}
	for _, q := range lookups {
		if err := q.Order("user_id").Find(&users).Error; err != nil {
			return nil, fmt.Errorf("read user %s: %w", key, err)
		}
		if len(users) > 0 {
			break
		}
	}
	if len(users) > 0 {
		u := users[0].user()
		rec.User = &u
		var as []assignmentRow
		if err := db.Where("tenant_id = ? AND user_id = ?", tenantID, u.ID).Order("sku_id, group_id").Find(&as).Error; err != nil {
			return nil, fmt.Errorf("read licences of %s: %w", key, err)
		}
		for _, a := range as {
			rec.Assignments = append(rec.Assignments, inventory.Assignment{SKUID: a.SKUID, Group: a.GroupID, State: a.State, Error: a.Error, DisabledPlans: a.DisabledPlans})
		}
	}
	// History follows the user id, which survives a rename; a user who has left is
	// found by the name it last had.
	who := db.Where("tenant_id = ? AND LOWER(upn) = ?", tenantID, key)
	switch {
	case rec.User != nil:
		who = db.Where("tenant_id = ? AND user_id = ?", tenantID, rec.User.ID)
	case isID:
		who = db.Where("tenant_id = ? AND user_id = ?", tenantID, id)
	}
	var held []assignmentHistoryRow
	if err := who.Session(&gorm.Session{}).Order("valid_from, sku_id").Find(&held).Error; err != nil {
		return nil, fmt.Errorf("read licence history of %s: %w", key, err)
	}
	for _, h := range held {
		rec.Holdings = append(rec.Holdings, AssignmentPeriod{UserID: h.UserID, SKUID: h.SKUID, Group: h.GroupID, Period: Period{From: h.ValidFrom.UTC(), To: inventory.UTC(h.ValidTo)}})
	}
	var enabled []enabledHistoryRow
	if err := who.Session(&gorm.Session{}).Order("valid_from").Find(&enabled).Error; err != nil {
		return nil, fmt.Errorf("read account history of %s: %w", key, err)
	}
	for _, e := range enabled {
		rec.Enabled = append(rec.Enabled, EnabledPeriod{UserID: e.UserID, Enabled: e.Enabled, Period: Period{From: e.ValidFrom.UTC(), To: inventory.UTC(e.ValidTo)}})
	}
	if rec.User == nil && len(rec.Holdings) == 0 && len(rec.Enabled) == 0 {
		return nil, fmt.Errorf("user %s in tenant %s: %w", key, tenantID, ErrNotFound)
	}
	return rec, nil
}

// TenantState is what the last successful sync noted about a tenant.
type TenantState struct {
	TenantID   string `json:"tenantId"`
	SignInData bool   `json:"signInData"`
	SignInNote string `json:"signInNote,omitempty"`
	UsageNote  string `json:"usageNote,omitempty"`
	// MailboxPurposeData is false when Graph refused mailboxSettings (or the tenant
	// has not been synced since seatledger began to ask): users' MailboxPurpose is
	// then unknown, and MailboxNote says why.
	MailboxPurposeData bool   `json:"mailboxPurposeData"`
	MailboxNote        string `json:"mailboxNote,omitempty"`
	// UsageReportDate is the refresh date of the usage reports last read.
	UsageReportDate *time.Time `json:"usageReportDate,omitempty"`
	// PartnerCenterRead is when Partner Center was last read for the tenant (nil:
	// never); PartnerCenterNote says why it could not be at the last sync.
	PartnerCenterRead *time.Time `json:"partnerCenterRead,omitempty"`
	PartnerCenterNote string     `json:"partnerCenterNote,omitempty"`
}

// TenantStates lists the noted state of every synced tenant.
func (s *Store) TenantStates(ctx context.Context) ([]TenantState, error) {
	var rows []tenantStateRow
	if err := s.db.WithContext(ctx).Order("tenant_id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("read tenant state: %w", err)
	}
	pcRead, err := s.LastPartnerCenterReads(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]TenantState, len(rows))
	for i, r := range rows {
		out[i] = TenantState{TenantID: r.TenantID, SignInData: r.SignInData, SignInNote: r.SignInNote, UsageNote: r.UsageNote,
			MailboxPurposeData: r.MailboxPurposeData, MailboxNote: r.MailboxNote, UsageReportDate: inventory.UTC(r.UsageReportDate),
			PartnerCenterNote: r.PartnerCenterNote}
		if t, ok := pcRead[r.TenantID]; ok {
			out[i].PartnerCenterRead = &t
		}
	}
	return out, nil
}

// InventoryCounts counts the rows of every inventory table, to check that a re-sync
// without changes wrote nothing.
func (s *Store) InventoryCounts(ctx context.Context) (map[string]int64, error) {
	out := map[string]int64{}
	for _, model := range []interface{ TableName() string }{&tenantStateRow{}, &poolRow{}, &poolHistoryRow{}, &subscriptionRow{}, &subscriptionHistoryRow{},
		&userRow{}, &enabledHistoryRow{}, &assignmentRow{}, &assignmentHistoryRow{}, &usageRow{}, &partnerSubscriptionRow{}, &partnerHistoryRow{}} {
		var n int64
		if err := s.db.WithContext(ctx).Model(model).Count(&n).Error; err != nil {
			return nil, fmt.Errorf("count %s: %w", model.TableName(), err)
		}
		out[model.TableName()] = n
	}
	return out, nil
}

// Users lists a tenant's directory users as last read, with their current licences.
func (s *Store) Users(ctx context.Context, tenantID string) ([]inventory.User, error) {
	db := s.db.WithContext(ctx)
	var rows []userRow
	if err := db.Where("tenant_id = ?", tenantID).Order("upn").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("read users of %s: %w", tenantID, err)
	}
	var as []assignmentRow
	if err := db.Where("tenant_id = ?", tenantID).Order("user_id, sku_id, group_id").Find(&as).Error; err != nil {
		return nil, fmt.Errorf("read licence assignments of %s: %w", tenantID, err)
	}
	held := make(map[string][]inventory.Assignment)
	for _, a := range as {
		held[a.UserID] = append(held[a.UserID], inventory.Assignment{SKUID: a.SKUID, Group: a.GroupID, State: a.State, Error: a.Error, DisabledPlans: a.DisabledPlans})
	}
	out := make([]inventory.User, len(rows))
	for i, r := range rows {
		out[i] = r.user()
		out[i].Assignments = held[r.UserID]
	}
	return out, nil
}

// MailboxPurposes are the mailbox purposes the last sync stored for a tenant's users,
// by user id (users without one left out).
func (s *Store) MailboxPurposes(ctx context.Context, tenantID string) (map[string]string, error) {
	var rows []userRow
	if err := s.db.WithContext(ctx).Select("user_id", "mailbox_purpose").Where("tenant_id = ? AND mailbox_purpose <> ''", tenantID).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("read mailbox purposes of %s: %w", tenantID, err)
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[r.UserID] = r.MailboxPurpose
	}
	return out, nil
}

// UsageSignals lists what the usage reports last said about a tenant's users.
func (s *Store) UsageSignals(ctx context.Context, tenantID string) ([]inventory.Usage, error) {
	var rows []usageRow
	if err := s.db.WithContext(ctx).Where("tenant_id = ?", tenantID).Order("upn").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("read usage of %s: %w", tenantID, err)
	}
	out := make([]inventory.Usage, len(rows))
	for i, r := range rows {
		out[i] = inventory.Usage{UPN: r.UPN, DesktopActivated: r.DesktopActivated, LastActivation: inventory.UTC(r.LastActivation), ExchangeActivity: inventory.UTC(r.ExchangeActivity),
			TeamsActivity: inventory.UTC(r.TeamsActivity), MailboxBytes: r.MailboxBytes, HasArchive: r.HasArchive, RecipientType: r.RecipientType, AssignedProducts: r.AssignedProducts}
	}
	return out, nil
}

// HeldWithoutPool counts, per tenant and SKU id, the users holding a seat (an
// assignment in force) of a SKU that no licence pool of their tenant lists. One query
// serves every tenant.
func (s *Store) HeldWithoutPool(ctx context.Context) (map[string]map[string]int, error) {
	var rows []struct {
		TenantID string `gorm:"column:tenant_id"`
		SKUID    string `gorm:"column:sku_id"`
		Users    int
	}
	err := s.db.WithContext(ctx).Raw(`SELECT a.tenant_id AS tenant_id, a.sku_id AS sku_id, COUNT(DISTINCT a.user_id) AS users
		FROM licence_assignments a
		WHERE a.state IN ('', 'Active', 'ActiveWithError')
		  AND NOT EXISTS (SELECT 1 FROM licence_pools p WHERE p.tenant_id = a.tenant_id AND p.sku_id = a.sku_id)
		GROUP BY a.tenant_id, a.sku_id`).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("count licences held without a pool: %w", err)
	}
	out := map[string]map[string]int{}
	for _, r := range rows {
		tenant := strings.ToLower(r.TenantID)
		if out[tenant] == nil {
			out[tenant] = map[string]int{}
		}
		out[tenant][strings.ToLower(r.SKUID)] = r.Users
	}
	return out, nil
}
