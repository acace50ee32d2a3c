package graph_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seatledger/seatledger/internal/catalog"
	"github.com/seatledger/seatledger/internal/inventory"
	"github.com/seatledger/seatledger/internal/sandbox"
	"github.com/seatledger/seatledger/internal/store"
	"github.com/seatledger/seatledger/internal/store/storetest"
)

// TestGraphShapesFromTheField syncs a world whose tenants answer in the shapes real
// tenants do (issue 9) and checks what is stored of each.
func TestGraphShapesFromTheField(t *testing.T) {
	eachDB(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		w := newWorld(t, dbURL, setup{tenants: 12})
		sum := w.sync(t)
		if sum.Failed != 0 {
			t.Fatalf("sync: %+v", sum.Tenants)
		}
		st := w.srv.Stats()
		if sent := st.Requests.Load() + st.Downloads.Load(); int64(sum.Requests) != sent {
			t.Errorf("summary counts %d requests, the simulated cloud received %d (%d Graph, %d downloads)", sum.Requests, sent, st.Requests.Load(), st.Downloads.Load())
		}
		states, err := w.app.Store.TenantStates(ctx)
		if err != nil {
			t.Fatal(err)
		}
		stateOf := map[string]store.TenantState{}
		for _, s := range states {
			stateOf[s.TenantID] = s
		}
		cat, err := catalog.Builtin()
		if err != nil {
			t.Fatal(err)
		}
		truth := w.srv.Truth()
		var sprayed, withoutUPN, sharedAsked, refusedTenants int
		for _, tt := range truth.Tenants {
			world := worldTenant(w, tt.ID)
			state := stateOf[tt.ID]
			users, err := w.app.Store.Users(ctx, tt.ID)
			if err != nil {
				t.Fatal(err)
			}
			byID := map[string]inventory.User{}
			for _, u := range users {
				byID[u.ID] = u
				// Case 22: the zero date is never, in every sign-in field.
				for _, at := range []*time.Time{u.LastSignIn, u.LastNonInteractive, u.LastSuccessfulSignIn, u.Created} {
					if at != nil && at.Year() < 1970 {
						t.Errorf("%s: %s stored with the date %s", tt.Name, u.UPN, at)
					}
				}
			}

			// Case 8: the sprayed account's activity is its last successful sign-in.
			for _, upn := range tt.Sprayed {
				want := world.User(upn)
				got := byID[want.ID]
				if got.LastSuccessfulSignIn == nil || !got.LastSuccessfulSignIn.Equal(*want.LastSuccessfulSignIn) ||
					!got.LastActivity().Equal(*want.LastSuccessfulSignIn) || got.LastSignIn == nil || !got.LastSignIn.After(got.LastActivity()) {
					t.Errorf("%s: sprayed %s stored as %+v", tt.Name, upn, got)
				}
				if !slices.Contains(tt.InactiveLicensed, upn) {
					t.Errorf("%s: the truth does not count sprayed %s as inactive", tt.Name, upn)
				}
				sprayed++
			}

			// Case 20: users without a principal name are stored by id with their mail,
			// and found by either.
			for _, mail := range tt.WithoutUPN {
				rec, err := w.app.UserHistory(ctx, tt.ID, strings.ToUpper(mail))
				if err != nil || rec.User == nil || rec.User.UPN != "" || !strings.EqualFold(rec.User.Mail, mail) || len(rec.Assignments) == 0 {
					t.Errorf("%s: user without a principal name, by mail %s: %v %+v", tt.Name, mail, err, rec)
					continue
				}
				if byID, err := w.app.UserHistory(ctx, tt.ID, rec.User.ID); err != nil || byID.User == nil || byID.User.Mail != rec.User.Mail {
					t.Errorf("%s: the same user by id %s: %v", tt.Name, rec.User.ID, err)
				}
				withoutUPN++
			}

			// Case 19 and 11: names concealed or not, whatever the shape of the
			// settings, and read from the data when the settings are refused.
			usage, err := w.app.Store.UsageSignals(ctx, tt.ID)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case tt.ConcealedNames && (len(usage) != 0 || !strings.Contains(state.UsageNote, "concealed")):
				t.Errorf("%s conceals names (settings nested %v, refused %v): %d usage rows, note %q", tt.Name, tt.NestedReportSettings, tt.ReportSettingsRefused, len(usage), state.UsageNote)
			case !tt.ConcealedNames && len(usage) == 0:
				t.Errorf("%s shows names (settings nested %v, refused %v): no usage kept, note %q", tt.Name, tt.NestedReportSettings, tt.ReportSettingsRefused, state.UsageNote)
			case tt.ReportSettingsRefused && !strings.Contains(state.UsageNote, "refused admin/reportSettings"):
				t.Errorf("%s: reportSettings refused, but the note says %q", tt.Name, state.UsageNote)
			}

			// Case 10: the mailbox purpose of disabled Exchange holders, or a note.
			if tt.MailboxSettingsRefused {
				refusedTenants++
				if state.MailboxPurposeData || !strings.Contains(state.MailboxNote, "refused mailboxSettings") {
					t.Errorf("%s refuses mailboxSettings: state %+v", tt.Name, state)
				}
			} else if !state.MailboxPurposeData || state.MailboxNote != "" {
				t.Errorf("%s answers mailboxSettings: state %+v", tt.Name, state)
			}
			for _, su := range world.Users {
				got := byID[su.ID]
				candidate := !su.Enabled && slices.ContainsFunc(su.Licenses, func(l sandbox.License) bool {
					sku, ok := cat.ByID(l.SKUID)
					return !ok || sku.ExchangeMailbox()
				})
				want := ""
				switch {
				case !candidate || tt.MailboxSettingsRefused:
				case su.SharedMailbox:
					want = "shared"
				default:
					want = "user"
				}
				if got.MailboxPurpose != want {
					t.Errorf("%s: %s (enabled %v, shared %v) has mailbox purpose %q, want %q", tt.Name, su.UPN, su.Enabled, su.SharedMailbox, got.MailboxPurpose, want)
				}
				if want == "shared" {
					sharedAsked++
				}
			}
		}
		if sprayed == 0 || withoutUPN == 0 || sharedAsked == 0 || refusedTenants == 0 {
			t.Errorf("the world lacks a shape: %d sprayed, %d without UPN, %d shared mailboxes asked, %d tenants refusing mailboxSettings",
				sprayed, withoutUPN, sharedAsked, refusedTenants)
		}
		checkAgainstTruth(t, w)

		asked := st.MailboxSettings.Load()
		again := w.sync(t)
		if again.Changes != 0 {
			t.Errorf("unchanged re-sync wrote %d rows", again.Changes)
		}
		// The same day, known purposes are not asked again; a refusing tenant is
		// tried once more.
		if more := st.MailboxSettings.Load() - asked; more > int64(refusedTenants) {
			t.Errorf("the re-sync asked %d mailbox purposes again (first sync: %d)", more, asked)
		}
	})
}

func worldTenant(w *world, id string) *sandbox.Tenant {
	var t *sandbox.Tenant
	w.srv.Mutate(func(world *sandbox.World) { t = world.Tenant(id) })
	return t
}

// TestFractionalRetryAfterIsWaitedInFull throttles one request with Graph's
// "Retry-After: 2.128": the retry must come no earlier than 2.128 s later (the SDK's
// own handler waited 2 s), and the retry counts as a request sent.
func TestFractionalRetryAfterIsWaitedInFull(t *testing.T) {
	// Two requests pass, the third (the users page) is throttled; the window is over
	// by the time of the retry.
	w := newWorld(t, storetest.SQLiteURL(t), setup{tenants: 1, server: sandbox.ServerOptions{ThrottleLimit: 2, ThrottleWindow: 2 * time.Second, RetryAfter: "2.128"}})
	tenant := w.srv.Truth().Tenants[0]
	snap, stats, err := w.reader.ReadTenant(context.Background(), tenant.ID, inventory.ReadOptions{ExchangeSKU: func(string) bool { return false }})
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	if snap.Users.Len() != tenant.Users {
		t.Errorf("read %d users, truth %d", snap.Users.Len(), tenant.Users)
	}
	gaps := w.srv.RetryGaps()
	if len(gaps) != 1 || gaps[0] < 2128*time.Millisecond {
		t.Errorf("waits after a Retry-After of 2.128 s: %v", gaps)
	}
	if st := w.srv.Stats(); int64(stats.Requests) != st.Requests.Load() || stats.Requests != 4 {
		t.Errorf("ReadStats counts %d requests, the simulated cloud received %d; want 4 (one of them the retry)", stats.Requests, st.Requests.Load())
	}
}
