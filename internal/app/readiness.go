package app

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/seatledger/seatledger/internal/customers"
	"github.com/seatledger/seatledger/internal/store"
)

// CustomerStatus is how ready a customer's tenant is to be advised, as the last
// syncs observed it.
type CustomerStatus struct {
	Customer string `json:"customer"`
	TenantID string `json:"tenantId"`
	// Registry is the customer's status in the registry: active, discovered or ended.
	Registry string `json:"registryStatus"`
	// Ready is set when the tenant's latest sync succeeded. State says in words what
	// holds: "ready", "not synced", "sign-in failed: ...", "sync failed: ..." (no sync
	// ever succeeded) or "last sync failed: ..." (the data of an earlier one stands).
	Ready       bool          `json:"ready"`
	State       string        `json:"state"`
	Consent     Consent       `json:"consent"`
	Permissions []Permission  `json:"permissions"`
	Partner     Relationship  `json:"partnerCenter"`
	LastSync    LastSyncParts `json:"lastSuccessfulSync"`
}

// Consent is whether the app obtained a token for the tenant at its latest sync.
type Consent struct {
	// State is ConsentGranted, ConsentFailed or ConsentUnknown.
	State string `json:"state"`
	// Reason is Entra ID's reason (AADSTS code and message) of a failed sign-in, or
	// why the consent is unknown.
	Reason string `json:"reason,omitempty"`
	// At is when the sync that told started.
	At *time.Time `json:"at,omitempty"`
}

// Consent states.
const (
	ConsentGranted = "token obtained"
	ConsentFailed  = "sign-in failed"
	ConsentUnknown = "unknown"
)

// Permission is one Graph call the sync makes that a tenant may refuse without
// failing, as the last successful sync observed it.
type Permission struct {
	Call       string `json:"call"`
	Permission string `json:"permission"`
	// State is PermissionAllowed, PermissionRefused or PermissionUnknown.
	State string `json:"state"`
	Note  string `json:"note,omitempty"`
}

// Permission states.
const (
	PermissionAllowed = "allowed"
	PermissionRefused = "refused"
	PermissionUnknown = "unknown"
)

// Relationship is the partner's relationship with the customer as Partner Center
// shows it: RelationListed, RelationNotListed, RelationEnded, RelationNotRead
// (Partner Center is off) or RelationUnknown (not read yet).
type Relationship struct {
	State string `json:"state"`
	Note  string `json:"note,omitempty"`
}

// Partner Center relationships.
const (
	RelationListed    = "listed"
	RelationNotListed = "not listed"
	RelationEnded     = "ended"
	RelationNotRead   = "not read"
	RelationUnknown   = "unknown"
)

// LastSyncParts is when each part of a tenant was last read successfully; nil: never.
type LastSyncParts struct {
	Graph         *time.Time `json:"graph"`
	UsageReports  *time.Time `json:"usageReports"`
	PartnerCenter *time.Time `json:"partnerCenter"`
	// Now is the time the ages are counted to.
	Now time.Time `json:"now"`
}

// StateNotSynced is the state of a tenant no sync has tried yet.
const StateNotSynced = "not synced"

// signInFailed is how the Graph adapter's sign-in error (graph.ErrSignIn) reads in
// a recorded tenant run: the run keeps errors as text.
const signInFailed = "sign-in to the customer tenant failed"

// CustomersStatus tells, per registered customer (or only the one named), how ready
// its tenant is: the app's consent, each permission as last observed, the Partner
// Center relationship and the age of each part's last successful sync.
func (a *App) CustomersStatus(ctx context.Context, customer string) ([]CustomerStatus, error) {
	list, err := a.Customers(ctx)
	if err != nil {
		return nil, err
	}
	if customer != "" {
		id, err := registry(list).Customer(customer)
		if err != nil {
			return nil, err
		}
		for _, c := range list {
			if c.TenantID == id {
				list = []customers.Customer{c}
				break
			}
		}
	}
	syncs, err := a.Store.SyncsByTenant(ctx)
	if err != nil {
		return nil, err
	}
	states, err := a.Store.TenantStates(ctx)
	if err != nil {
		return nil, err
	}
	byTenant := make(map[string]store.TenantState, len(states))
	for _, s := range states {
		byTenant[s.TenantID] = s
	}
	now := a.clock()().UTC()
	out := make([]CustomerStatus, len(list))
	for i, c := range list {
		ts, tried := syncs[c.TenantID]
		state, stored := byTenant[c.TenantID]
		cs := CustomerStatus{Customer: c.Name, TenantID: c.TenantID, Registry: c.Status,
			LastSync: LastSyncParts{Graph: ts.Graph, UsageReports: ts.Usage, PartnerCenter: ts.PartnerCenter, Now: now}}
		cs.State, cs.Ready = readiness(ts, tried)
		cs.Consent = consent(ts, tried)
		cs.Permissions = permissions(state, stored && ts.Graph != nil, ts.Usage != nil)
		cs.Partner = a.relationship(c, state)
		out[i] = cs
	}
	return out, nil
}

// readiness says in words whether a tenant's stored data can be advised on.
func readiness(ts store.TenantSyncs, tried bool) (string, bool) {
	last := ts.Last
	switch {
	case !tried:
		return StateNotSynced, false
	case last.Status == store.SyncOK:
		return "ready", true
	case ts.Graph != nil:
		return "last sync failed: " + failureText(last.Error), false
	case strings.Contains(last.Error, signInFailed):
		return ConsentFailed + ": " + signInReason(last.Error), false
	}
	return "sync failed: " + failureText(last.Error), false
}

func consent(ts store.TenantSyncs, tried bool) Consent {
	last := ts.Last
	switch {
	case !tried:
		return Consent{State: ConsentUnknown, Reason: "no sync has tried the tenant yet"}
	case strings.Contains(last.Error, signInFailed):
		return Consent{State: ConsentFailed, Reason: signInReason(last.Error), At: &last.StartedAt}
	case last.Status == store.SyncOK:
		return Consent{State: ConsentGranted, At: &last.StartedAt}
	case ts.Graph != nil:
		// A failure after signing in (Graph answering 500) says nothing against the
		// consent the last successful sync proved.
		return Consent{State: ConsentGranted, At: ts.Graph}
	}
	return Consent{State: ConsentUnknown, Reason: "the only syncs failed before saying: " + failureText(last.Error), At: &last.StartedAt}
}

// signInReason is Entra ID's AADSTS code and message in a sign-in error, or the
// error after its sign-in prefix when it has none (the authority did not answer).
func signInReason(text string) string {
	if i := strings.Index(text, "AADSTS"); i >= 0 {
		reason := text[i:]
		if j := strings.Index(reason, " (check "); j >= 0 {
			reason = reason[:j]
		}
		return strings.TrimSpace(reason)
	}
	if _, after, ok := strings.Cut(text, signInFailed+": "); ok {
		return after
	}
	return text
}

// failureText is a recorded error, or what an empty one means.
func failureText(text string) string {
	if text == "" {
		return "no reason recorded"
	}
	return text
}

// permissions reads the calls a tenant refused from what its last successful sync
// noted; synced is false when no sync of it has succeeded, usageRead when the usage
// reports have been read at least once.
func permissions(s store.TenantState, synced, usageRead bool) []Permission {
	out := []Permission{
		{Call: "signInActivity", Permission: "AuditLog.Read.All (and Entra ID P1/P2)"},
		{Call: "reports", Permission: "Reports.Read.All"},
		{Call: "admin/reportSettings", Permission: "ReportSettings.Read.All"},
		{Call: "mailboxSettings", Permission: "MailboxSettings.Read"},
	}
	if !synced {
		for i := range out {
			out[i].State, out[i].Note = PermissionUnknown, "no successful sync yet"
		}
		return out
	}
	out[0].State = PermissionAllowed
	if !s.SignInData {
		out[0].State, out[0].Note = PermissionRefused, s.SignInNote
	}
	// The usage note holds the refusal of a report or of the report settings; the
	// reports are read after the settings, so a refused report hides the settings'
	// answer.
	reportsRefused := strings.HasPrefix(s.UsageNote, "Graph refused get")
	settingsRefused := strings.Contains(s.UsageNote, "Graph refused admin/reportSettings")
	switch {
	case reportsRefused:
		out[1].State, out[1].Note = PermissionRefused, s.UsageNote
		out[2].State, out[2].Note = PermissionUnknown, "not known while the reports are refused"
	case !usageRead:
		out[1].State, out[1].Note = PermissionUnknown, "the usage reports have not been read yet"
		out[2].State, out[2].Note = PermissionUnknown, "the usage reports have not been read yet"
	default:
		out[1].State, out[1].Note = PermissionAllowed, s.UsageNote
		out[2].State = PermissionAllowed
		if settingsRefused {
			out[2].State, out[2].Note = PermissionRefused, s.UsageNote
		}
	}
	switch {
	case s.MailboxPurposeData:
		out[3].State = PermissionAllowed
	case s.MailboxNote != "":
		out[3].State, out[3].Note = PermissionRefused, s.MailboxNote
	default:
		out[3].State, out[3].Note = PermissionUnknown, "not asked since the tenant was last synced"
	}
	return out
}

// relationship is what Partner Center says of a customer: the registry's status
// (discovery marks ended those it no longer lists) and the last read of its
// subscriptions.
func (a *App) relationship(c customers.Customer, s store.TenantState) Relationship {
	switch {
	case !a.Config.PartnerCenter.Enabled:
		return Relationship{State: RelationNotRead, Note: "partner_center.enabled is off"}
	case c.Status == customers.StatusEnded:
		return Relationship{State: RelationEnded, Note: "Partner Center no longer lists the customer"}
	case strings.Contains(s.PartnerCenterNote, "HTTP 404"):
		return Relationship{State: RelationNotListed, Note: s.PartnerCenterNote}
	case s.PartnerCenterRead != nil && s.PartnerCenterNote != "":
		return Relationship{State: RelationListed, Note: "its last read failed: " + s.PartnerCenterNote}
	case s.PartnerCenterRead != nil, c.Status == customers.StatusDiscovered:
		return Relationship{State: RelationListed}
	case s.PartnerCenterNote != "":
		return Relationship{State: RelationUnknown, Note: s.PartnerCenterNote}
	}
	return Relationship{State: RelationUnknown, Note: "Partner Center has not been read for it yet"}
}

// NotSynced is a registered customer whose tenant no sync has read successfully:
// it has no seats and no findings to show, only why.
type NotSynced struct {
	Customer string `json:"customer"`
	TenantID string `json:"tenantId"`
	// State is "not synced", "sign-in failed: ..." or "sync failed: ...".
	State string `json:"state"`
}

// notSynced lists the customers among tenants (every registered one when empty)
// whose tenant has no successful sync, in registry order.
func (a *App) notSynced(ctx context.Context, tenants []string) ([]NotSynced, error) {
	list, err := a.Customers(ctx)
	if err != nil {
		return nil, err
	}
	syncs, err := a.Store.SyncsByTenant(ctx)
	if err != nil {
		return nil, err
	}
	var out []NotSynced
	for _, c := range list {
		ts, tried := syncs[c.TenantID]
		if ts.Graph != nil || len(tenants) > 0 && !slices.Contains(tenants, c.TenantID) {
			continue
		}
		state, _ := readiness(ts, tried)
		out = append(out, NotSynced{Customer: c.Name, TenantID: c.TenantID, State: state})
	}
	return out, nil
}
