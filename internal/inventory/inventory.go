// Package inventory is the picture of a customer tenant that the sync reads from
// Microsoft Graph: licence pools, subscriptions, users with their licence assignments,
// and usage signals. It holds values only; the store keeps them with their history.
package inventory

import "time"

// Snapshot is everything read from one tenant in one sync.
type Snapshot struct {
	TenantID      string
	Pools         []Pool
	Subscriptions []Subscription
	// Users are read and replayed page by page; Close releases them.
	Users *UserSet
	// SignInData is false when Graph refused signInActivity (no Entra ID P1/P2, or no
	// AuditLog.Read.All); SignInNote says why.
	SignInData bool
	SignInNote string
	// UsageRead is true when usage reports were read in this sync; UsageNote says why
	// not, or why no per-user usage was kept (concealed names).
	UsageRead bool
	UsageNote string
	// MailboxPurposeData is false when Graph refused mailboxSettings (no
	// MailboxSettings.Read): the users' MailboxPurpose is then unknown, and
	// MailboxNote says why.
	MailboxPurposeData bool
	MailboxNote        string
	// UsageReportDate is the reports' refresh date, kept per tenant so that a daily
	// re-read rewrites only the users whose activity changed.
	UsageReportDate *time.Time
	Usage           []Usage
}

// Close releases what the snapshot holds outside memory.
func (s *Snapshot) Close() error {
	if s == nil {
		return nil
	}
	return s.Users.Close()
}

// Pool is one SKU's licence pool in the tenant (Graph subscribedSkus).
type Pool struct {
	SKUID            string `json:"skuId"`
	PartNumber       string `json:"skuPartNumber"`
	AppliesTo        string `json:"appliesTo"`
	CapabilityStatus string `json:"capabilityStatus"`
	Enabled          int    `json:"enabled"`
	Warning          int    `json:"warning"`
	Suspended        int    `json:"suspended"`
	LockedOut        int    `json:"lockedOut"`
	Consumed         int    `json:"consumed"`
}

// Idle is the number of enabled seats nobody holds; negative when over-assigned.
func (p Pool) Idle() int { return p.Enabled - p.Consumed }

// Subscription is one directory subscription.
type Subscription struct {
	ID            string     `json:"id"`
	CommerceID    string     `json:"commerceSubscriptionId"`
	SKUID         string     `json:"skuId"`
	PartNumber    string     `json:"skuPartNumber"`
	Status        string     `json:"status"`
	TotalLicenses int        `json:"totalLicenses"`
	IsTrial       bool       `json:"isTrial"`
	Created       time.Time  `json:"createdDateTime"`
	NextLifecycle *time.Time `json:"nextLifecycleDateTime,omitempty"`
	OwnerTenantID string     `json:"ownerTenantId"`
	OwnerType     string     `json:"ownerType"`
}

// User is one directory user and the licences it holds.
type User struct {
	ID string `json:"id"`
	// UPN is empty when Graph's page did not carry it; Mail and ID still name the user.
	UPN           string     `json:"userPrincipalName"`
	Mail          string     `json:"mail,omitempty"`
	DisplayName   string     `json:"displayName"`
	Enabled       bool       `json:"accountEnabled"`
	UserType      string     `json:"userType"`
	Created       *time.Time `json:"createdDateTime,omitempty"`
	UsageLocation string     `json:"usageLocation,omitempty"`
	// LastSignIn and LastNonInteractive move on failed attempts too;
	// LastSuccessfulSignIn (Graph has it since December 2023) does not. Nil is never.
	LastSignIn           *time.Time `json:"lastSignIn,omitempty"`
	LastNonInteractive   *time.Time `json:"lastNonInteractiveSignIn,omitempty"`
	LastSuccessfulSignIn *time.Time `json:"lastSuccessfulSignIn,omitempty"`
	// MailboxPurpose is Graph's mailboxSettings userPurpose: "user", "shared", "room",
	// "equipment" (or another value Graph adds); "" when not asked or unknown. It is
	// asked only for disabled accounts holding an Exchange Online licence.
	MailboxPurpose string       `json:"mailboxPurpose,omitempty"`
	Assignments    []Assignment `json:"assignments"`
}

// LastActivity is when the user last signed in successfully: the last successful
// sign-in when Graph gives one, otherwise the later of the last interactive and
// non-interactive sign-ins (which count failed attempts too: a sprayed account looks
// active by them). The zero time means never, as far as Graph knows.
func (u User) LastActivity() time.Time {
	if u.LastSuccessfulSignIn != nil {
		return *u.LastSuccessfulSignIn
	}
	var t time.Time
	if u.LastSignIn != nil {
		t = *u.LastSignIn
	}
	if u.LastNonInteractive != nil && u.LastNonInteractive.After(t) {
		t = *u.LastNonInteractive
	}
	return t
}

// Assignment is one licence a user holds, directly (Group empty) or through a group.
type Assignment struct {
	SKUID         string `json:"skuId"`
	Group         string `json:"group,omitempty"`
	State         string `json:"state"`
	Error         string `json:"error,omitempty"`
	DisabledPlans string `json:"disabledPlans,omitempty"` // sorted, comma-separated plan ids
}

// Usage is what the usage reports say about one user.
type Usage struct {
	UPN              string     `json:"userPrincipalName"`
	DesktopActivated *bool      `json:"desktopActivated,omitempty"`
	LastActivation   *time.Time `json:"lastActivation,omitempty"`
	ExchangeActivity *time.Time `json:"exchangeLastActivity,omitempty"`
	TeamsActivity    *time.Time `json:"teamsLastActivity,omitempty"`
	MailboxBytes     *int64     `json:"mailboxBytes,omitempty"`
	HasArchive       *bool      `json:"hasArchive,omitempty"`
	RecipientType    string     `json:"recipientType,omitempty"`
	AssignedProducts string     `json:"assignedProducts,omitempty"`
}

// ReadOptions say what to read from a tenant besides its licences.
type ReadOptions struct {
	// Usage reads the usage reports; they change once a day, so at most daily.
	Usage bool
	// ExchangeSKU tells whether a SKU includes an Exchange Online mailbox plan. The
	// mailbox purpose is asked only of disabled accounts holding such a SKU (they may
	// be shared mailboxes that need their licence); nil asks every disabled account
	// that holds any licence.
	ExchangeSKU func(skuID string) bool
	// MailboxPurposes are the purposes the last sync learnt, by user id. They are
	// used instead of asking again unless RefreshMailboxPurposes is set: a mailbox
	// turned shared is seen within a day (the daily read sets it) without a request
	// per candidate on every sync.
	MailboxPurposes        map[string]string
	RefreshMailboxPurposes bool
}

// ReadStats count the requests one tenant's read made.
type ReadStats struct {
	// Requests are HTTP requests as sent: retries, redirects and report downloads
	// each count.
	Requests int
}

// UTC returns t in UTC, keeping nil as nil: Graph, the databases and the tests each
// hand times back in their own zone, and only UTC values compare and hash alike.
func UTC(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
