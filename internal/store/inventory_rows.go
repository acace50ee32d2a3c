package store

import (
	"time"

	"github.com/seatledger/seatledger/internal/inventory"
)

type tenantStateRow struct {
	TenantID   string `gorm:"column:tenant_id;primaryKey"`
	SignInData bool
	SignInNote string
	UsageNote  string
	// MailboxPurposeData is false when Graph refused mailboxSettings; MailboxNote says why.
	MailboxPurposeData bool
	MailboxNote        string
	// UsersDigest identifies the users and licences stored for the tenant.
	UsersDigest string
	// UsageReportDate is when the usage reports were last refreshed by Microsoft.
	UsageReportDate *time.Time
	// PartnerCenterNote says why Partner Center could not be read at the last sync.
	PartnerCenterNote string
}

func (tenantStateRow) TableName() string { return "tenant_state" }

type poolRow struct {
	TenantID         string `gorm:"column:tenant_id;primaryKey"`
	SKUID            string `gorm:"column:sku_id;primaryKey"`
	PartNumber       string
	AppliesTo        string
	CapabilityStatus string
	Enabled          int
	Warning          int
	Suspended        int
	LockedOut        int
	Consumed         int
}

func (poolRow) TableName() string { return "licence_pools" }

var poolRowColumns = []string{"tenant_id", "sku_id", "part_number", "applies_to", "capability_status", "enabled", "warning", "suspended", "locked_out", "consumed"}

func (poolRow) columns() []string { return poolRowColumns }

func (r poolRow) values() []any {
	return []any{r.TenantID, r.SKUID, r.PartNumber, r.AppliesTo, r.CapabilityStatus, r.Enabled, r.Warning, r.Suspended, r.LockedOut, r.Consumed}
}

func (r poolRow) pool() inventory.Pool {
	return inventory.Pool{SKUID: r.SKUID, PartNumber: r.PartNumber, AppliesTo: r.AppliesTo, CapabilityStatus: r.CapabilityStatus,
		Enabled: r.Enabled, Warning: r.Warning, Suspended: r.Suspended, LockedOut: r.LockedOut, Consumed: r.Consumed}
}

type poolHistoryRow struct {
	ID        int64
	TenantID  string `gorm:"column:tenant_id"`
	SKUID     string `gorm:"column:sku_id"`
	ValidFrom time.Time
	ValidTo   *time.Time
	Enabled   int
	Warning   int
	Suspended int
	LockedOut int
	Consumed  int
}

func (poolHistoryRow) TableName() string { return "licence_pool_history" }

var poolHistoryRowColumns = []string{"tenant_id", "sku_id", "valid_from", "valid_to", "enabled", "warning", "suspended", "locked_out", "consumed"}

func (poolHistoryRow) columns() []string { return poolHistoryRowColumns }

func (r poolHistoryRow) values() []any {
	return []any{r.TenantID, r.SKUID, r.ValidFrom, r.ValidTo, r.Enabled, r.Warning, r.Suspended, r.LockedOut, r.Consumed}
}

type subscriptionRow struct {
	TenantID        string `gorm:"column:tenant_id;primaryKey"`
	SubscriptionID  string `gorm:"column:subscription_id;primaryKey"`
	CommerceID      string
	SKUID           string `gorm:"column:sku_id"`
	PartNumber      string
	Status          string
	TotalLicenses   int
	IsTrial         bool
	CreatedAt       time.Time `gorm:"autoCreateTime:false"`
	NextLifecycleAt *time.Time
	OwnerTenantID   string `gorm:"column:owner_tenant_id"`
	OwnerType       string
}

func (subscriptionRow) TableName() string { return "subscriptions" }

var subscriptionRowColumns = []string{"tenant_id", "subscription_id", "commerce_id", "sku_id", "part_number", "status", "total_licenses", "is_trial", "created_at", "next_lifecycle_at", "owner_tenant_id", "owner_type"}

func (subscriptionRow) columns() []string { return subscriptionRowColumns }

func (r subscriptionRow) values() []any {
	return []any{r.TenantID, r.SubscriptionID, r.CommerceID, r.SKUID, r.PartNumber, r.Status, r.TotalLicenses, r.IsTrial, r.CreatedAt, r.NextLifecycleAt, r.OwnerTenantID, r.OwnerType}
}

func (r subscriptionRow) subscription() inventory.Subscription {
	return inventory.Subscription{ID: r.SubscriptionID, CommerceID: r.CommerceID, SKUID: r.SKUID, PartNumber: r.PartNumber, Status: r.Status,
		TotalLicenses: r.TotalLicenses, IsTrial: r.IsTrial, Created: r.CreatedAt.UTC(), NextLifecycle: inventory.UTC(r.NextLifecycleAt),
		OwnerTenantID: r.OwnerTenantID, OwnerType: r.OwnerType}
}

type subscriptionHistoryRow struct {
	ID             int64
	TenantID       string `gorm:"column:tenant_id"`
	SubscriptionID string `gorm:"column:subscription_id"`
	SKUID          string `gorm:"column:sku_id"`
	ValidFrom      time.Time
	ValidTo        *time.Time
	Status         string
	TotalLicenses  int
}

func (subscriptionHistoryRow) TableName() string { return "subscription_history" }

var subscriptionHistoryRowColumns = []string{"tenant_id", "subscription_id", "sku_id", "valid_from", "valid_to", "status", "total_licenses"}

func (subscriptionHistoryRow) columns() []string { return subscriptionHistoryRowColumns }

func (r subscriptionHistoryRow) values() []any {
	return []any{r.TenantID, r.SubscriptionID, r.SKUID, r.ValidFrom, r.ValidTo, r.Status, r.TotalLicenses}
}

type userRow struct {
	TenantID             string `gorm:"column:tenant_id;primaryKey"`
	UserID               string `gorm:"column:user_id;primaryKey"`
	UPN                  string `gorm:"column:upn"`
	Mail                 string
	DisplayName          string
	AccountEnabled       bool
	UserType             string
	CreatedAt            *time.Time `gorm:"autoCreateTime:false"`
	UsageLocation        string
	LastSignIn           *time.Time
	LastNonInteractive   *time.Time
	LastSuccessfulSignIn *time.Time
	MailboxPurpose       string
}

func (userRow) TableName() string { return "directory_users" }

var userRowColumns = []string{"tenant_id", "user_id", "upn", "mail", "display_name", "account_enabled", "user_type", "created_at", "usage_location",
	"last_sign_in", "last_non_interactive", "last_successful_sign_in", "mailbox_purpose"}

func (userRow) columns() []string { return userRowColumns }

func (r userRow) values() []any {
	return []any{r.TenantID, r.UserID, r.UPN, r.Mail, r.DisplayName, r.AccountEnabled, r.UserType, r.CreatedAt, r.UsageLocation,
		r.LastSignIn, r.LastNonInteractive, r.LastSuccessfulSignIn, r.MailboxPurpose}
}

func newUserRow(tenant string, u inventory.User) userRow {
	return userRow{TenantID: tenant, UserID: u.ID, UPN: u.UPN, Mail: u.Mail, DisplayName: u.DisplayName, AccountEnabled: u.Enabled, UserType: u.UserType,
		CreatedAt: inventory.UTC(u.Created), UsageLocation: u.UsageLocation, LastSignIn: inventory.UTC(u.LastSignIn), LastNonInteractive: inventory.UTC(u.LastNonInteractive),
		LastSuccessfulSignIn: inventory.UTC(u.LastSuccessfulSignIn), MailboxPurpose: u.MailboxPurpose}
}

func (r userRow) user() inventory.User {
	return inventory.User{ID: r.UserID, UPN: r.UPN, Mail: r.Mail, DisplayName: r.DisplayName, Enabled: r.AccountEnabled, UserType: r.UserType,
		Created: inventory.UTC(r.CreatedAt), UsageLocation: r.UsageLocation, LastSignIn: inventory.UTC(r.LastSignIn), LastNonInteractive: inventory.UTC(r.LastNonInteractive),
		LastSuccessfulSignIn: inventory.UTC(r.LastSuccessfulSignIn), MailboxPurpose: r.MailboxPurpose}
}

type enabledHistoryRow struct {
	ID        int64
	TenantID  string `gorm:"column:tenant_id"`
	UserID    string `gorm:"column:user_id"`
	UPN       string `gorm:"column:upn"`
	ValidFrom time.Time
	ValidTo   *time.Time
	Enabled   bool
}

func (enabledHistoryRow) TableName() string { return "user_enabled_history" }

var enabledHistoryRowColumns = []string{"tenant_id", "user_id", "upn", "valid_from", "valid_to", "enabled"}

func (enabledHistoryRow) columns() []string { return enabledHistoryRowColumns }

func (r enabledHistoryRow) values() []any {
	return []any{r.TenantID, r.UserID, r.UPN, r.ValidFrom, r.ValidTo, r.Enabled}
}

type assignmentRow struct {
	TenantID      string `gorm:"column:tenant_id;primaryKey"`
	UserID        string `gorm:"column:user_id;primaryKey"`
	SKUID         string `gorm:"column:sku_id;primaryKey"`
	GroupID       string `gorm:"column:group_id;primaryKey"`
	State         string
	Error         string
	DisabledPlans string
}

func (assignmentRow) TableName() string { return "licence_assignments" }

var assignmentRowColumns = []string{"tenant_id", "user_id", "sku_id", "group_id", "state", "error", "disabled_plans"}

func (assignmentRow) columns() []string { return assignmentRowColumns }

func (r assignmentRow) values() []any {
	return []any{r.TenantID, r.UserID, r.SKUID, r.GroupID, r.State, r.Error, r.DisabledPlans}
}

type assignmentKey struct{ user, sku, group string }

func (r assignmentRow) key() assignmentKey { return assignmentKey{r.UserID, r.SKUID, r.GroupID} }

type assignmentHistoryRow struct {
	ID        int64
	TenantID  string `gorm:"column:tenant_id"`
	UserID    string `gorm:"column:user_id"`
	UPN       string `gorm:"column:upn"`
	SKUID     string `gorm:"column:sku_id"`
	GroupID   string `gorm:"column:group_id"`
	ValidFrom time.Time
	ValidTo   *time.Time
}

func (assignmentHistoryRow) TableName() string { return "assignment_history" }

var assignmentHistoryRowColumns = []string{"tenant_id", "user_id", "upn", "sku_id", "group_id", "valid_from", "valid_to"}

func (assignmentHistoryRow) columns() []string { return assignmentHistoryRowColumns }

func (r assignmentHistoryRow) values() []any {
	return []any{r.TenantID, r.UserID, r.UPN, r.SKUID, r.GroupID, r.ValidFrom, r.ValidTo}
}

type usageRow struct {
	TenantID         string `gorm:"column:tenant_id;primaryKey"`
	UPN              string `gorm:"column:upn;primaryKey"`
	DesktopActivated *bool
	LastActivation   *time.Time
	ExchangeActivity *time.Time
	TeamsActivity    *time.Time
	MailboxBytes     *int64
	HasArchive       *bool
	RecipientType    string
	AssignedProducts string
}

func (usageRow) TableName() string { return "usage_signals" }

var usageRowColumns = []string{"tenant_id", "upn", "desktop_activated", "last_activation", "exchange_activity", "teams_activity", "mailbox_bytes", "has_archive", "recipient_type", "assigned_products"}

func (usageRow) columns() []string { return usageRowColumns }

func (r usageRow) values() []any {
	return []any{r.TenantID, r.UPN, r.DesktopActivated, r.LastActivation, r.ExchangeActivity, r.TeamsActivity, r.MailboxBytes, r.HasArchive, r.RecipientType, r.AssignedProducts}
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}

func sameBool(a, b *bool) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

func sameInt64(a, b *int64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}
