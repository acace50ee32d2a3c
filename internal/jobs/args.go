package jobs

import (
	"time"

	"github.com/riverqueue/river"
)

// Every periodic job's args carry the period it is for, and are unique by args: a
// period is worked once however many replicas enqueue it and however often the
// leader restarts (River's periodic schedule lives in the leader's memory only).
func uniqueByArgs(queue string) river.InsertOpts {
	return river.InsertOpts{Queue: queue, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// FleetSyncArgs fans the day's sync out into one job per customer tenant.
type FleetSyncArgs struct {
	Day string `json:"day"`
}

func (FleetSyncArgs) Kind() string                 { return "fleet_sync" }
func (FleetSyncArgs) InsertOpts() river.InsertOpts { return uniqueByArgs(river.QueueDefault) }

// TenantSyncArgs syncs one tenant for a day. Trigger is empty for the daily sync and
// names a manual one, which is not folded into the day's.
type TenantSyncArgs struct {
	TenantID string `json:"tenant_id"`
	Day      string `json:"day"`
	Trigger  string `json:"trigger,omitempty"`
}

func (TenantSyncArgs) Kind() string { return "tenant_sync" }
func (TenantSyncArgs) InsertOpts() river.InsertOpts {
	o := uniqueByArgs(QueueSync)
	o.MaxAttempts = syncAttempts
	// The day's syncs leave the first priority to a sync someone asked for: it is
	// worked before the rest of a fleet still waiting.
	o.Priority = 2
	return o
}

// AdviseArgs runs the advice for a tenant after its sync of the day succeeded.
type AdviseArgs struct {
	TenantID string `json:"tenant_id"`
	Day      string `json:"day"`
	Trigger  string `json:"trigger,omitempty"`
}

func (AdviseArgs) Kind() string                 { return "advise" }
func (AdviseArgs) InsertOpts() river.InsertOpts { return uniqueByArgs(river.QueueDefault) }

// PricesArgs fetches the configured markets' price lists of a day.
type PricesArgs struct {
	Day string `json:"day"`
}

func (PricesArgs) Kind() string                 { return "price_fetch" }
func (PricesArgs) InsertOpts() river.InsertOpts { return uniqueByArgs(river.QueueDefault) }

// NoticesArgs creates and delivers the notices due in a slot (2026-12-01T10:05).
type NoticesArgs struct {
	Slot string `json:"slot"`
}

func (NoticesArgs) Kind() string                 { return "notices" }
func (NoticesArgs) InsertOpts() river.InsertOpts { return uniqueByArgs(river.QueueDefault) }

// BillingArgs drafts a closed month's billing run when none exists.
type BillingArgs struct {
	Month string `json:"month"`
}

func (BillingArgs) Kind() string                 { return "billing_catch_up" }
func (BillingArgs) InsertOpts() river.InsertOpts { return uniqueByArgs(river.QueueDefault) }

// QueueSync holds the per-tenant syncs, worked jobs.sync_workers at a time per
// replica, apart from the short jobs so that a slow fleet never delays notices.
const QueueSync = "sync"

// syncAttempts bounds the tries of one tenant's daily sync; River's retry policy
// spaces them further apart each time (attempt⁴ seconds).
const syncAttempts = 6

const (
	dayLayout   = "2006-01-02"
	slotLayout  = "2006-01-02T15:04"
	monthLayout = "2006-01"
)

// periodKeys are the periods of t in loc.
func dayOf(t time.Time, loc *time.Location) string { return t.In(loc).Format(dayLayout) }

// slotOf is t's five-minute slot: notices run at most once in it.
func slotOf(t time.Time, loc *time.Location) string {
	return t.In(loc).Truncate(time.Minute).Add(-time.Duration(t.In(loc).Minute()%5) * time.Minute).Format(slotLayout)
}

// lastMonthOf is the month before t's, the one the billing catch-up drafts.
func lastMonthOf(t time.Time, loc *time.Location) string {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, loc).AddDate(0, -1, 0).Format(monthLayout)
}
