package app

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"
)

// NowVariable names the environment variable that sets the clock of every command:
// an RFC 3339 time, so that advice can be replayed as of a day and tests can drive
// time from outside.
const NowVariable = "SEATLEDGER_NOW"

// clockFromEnv is the wall clock, or a fixed time when SEATLEDGER_NOW is set.
func clockFromEnv() (func() time.Time, *time.Time, error) {
	v := strings.TrimSpace(os.Getenv(NowVariable))
	if v == "" {
		return time.Now, nil, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return nil, nil, fmt.Errorf("%s=%q: not an RFC 3339 time (for example 2026-11-30T12:00:00Z)", NowVariable, v)
	}
	t = t.UTC()
	return func() time.Time { return t }, &t, nil
}

// clock is the App's clock, the wall clock for an App built without Open.
func (a *App) clock() func() time.Time {
	if a.Now == nil {
		return time.Now
	}
	return a.Now
}

// warnPartnerTenant says, at every command whose numbers depend on it, that without
// partner.tenant_id every partner-created subscription counts as the partner's own.
func (a *App) warnPartnerTenant() {
	if a.Config == nil || a.Config.Partner.TenantID != "" {
		return
	}
	a.Log.Warn("partner.tenant_id is not set: every subscription a partner created counts as this partner's, so seats held with another partner show as bought and not billed; set partner.tenant_id to the partner's own Entra tenant id")
}

// staleAfter is how old the synced state may be before advice on it says so.
const staleAfter = 48 * time.Hour

// checkDataAge refuses to judge a tenant as of a time before its last sync — the
// advice would read data from that time's future and resolve findings that still
// hold — and warns when the state judged is old.
func (a *App) checkDataAge(ctx context.Context, sc *scope) error {
	last, err := a.Store.LastSyncs(ctx)
	if err != nil {
		return err
	}
	stale := 0
	var oldest time.Time
	for _, c := range sc.customers {
		at, ok := last[c.TenantID]
		switch {
		case !ok:
		case sc.now.Before(at.Add(-time.Minute)):
			return fmt.Errorf("the time judged, %s, is before the last sync of %s (%s): advice reads what that sync stored, so it cannot judge an earlier time; set %s after it",
				sc.now.Format(time.RFC3339), c.Name, at.Format(time.RFC3339), NowVariable)
		case sc.now.Sub(at) > staleAfter:
			stale++
			if oldest.IsZero() || at.Before(oldest) {
				oldest = at
			}
		}
	}
	if stale > 0 {
		a.Log.Warn("advice judges old data: sync first for current findings", "customers", stale, "oldest_sync", oldest.Format(time.RFC3339),
			"judged_at", sc.now.Format(time.RFC3339))
	}
	return nil
}
