package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/seatledger/seatledger/internal/inventory"
	"github.com/seatledger/seatledger/internal/store"
	"github.com/seatledger/seatledger/internal/store/storetest"
)

const (
	tenant = "6be97ab6-bc1f-4ceb-8ef5-62b48957a652"
	e3     = "05e9a617-0261-4cee-bb44-138d3ef5d965"
	eop2   = "19ec0d23-8335-4cbd-94ac-6050e30712fa"
	anna   = "11111111-0000-4000-8000-000000000001"
	bob    = "11111111-0000-4000-8000-000000000002"
)

var day0 = time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)

// snapshot builds a tenant read with the given users; sign-in data is present.
func snapshot(t *testing.T, users ...inventory.User) *inventory.Snapshot {
	t.Helper()
	set := &inventory.UserSet{SpillAfter: 1} // exercise the spool
	if err := set.Add(users...); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = set.Close() })
	return &inventory.Snapshot{TenantID: tenant, SignInData: true, Users: set,
		Pools: []inventory.Pool{{SKUID: e3, PartNumber: "SPE_E3", Enabled: 5, Consumed: 2}}}
}

func user(id, upn string, signIn *time.Time, skus ...string) inventory.User {
	u := inventory.User{ID: id, UPN: upn, DisplayName: upn, Enabled: true, UserType: "Member", LastSignIn: signIn}
	for _, s := range skus {
		u.Assignments = append(u.Assignments, inventory.Assignment{SKUID: s, State: "Active"})
	}
	return u
}

func apply(t *testing.T, s *store.Store, snap *inventory.Snapshot, at time.Time) int {
	t.Helper()
	n, err := s.ApplySnapshot(context.Background(), snap, at)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestApplySnapshotHistory(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		seen := day0.Add(-time.Hour)
		apply(t, s, snapshot(t, user(anna, "anna@contoso.example", &seen, e3, eop2), user(bob, "bob@contoso.example", &seen, e3)), day0)
		if n := apply(t, s, snapshot(t, user(bob, "bob@contoso.example", &seen, e3), user(anna, "anna@contoso.example", &seen, eop2, e3)), day0.AddDate(0, 0, 1)); n != 0 {
			t.Errorf("the same users in another order wrote %d rows", n)
		}

		// Day 2: Anna loses Exchange Plan 2 and is renamed; Bob leaves.
		day2 := day0.AddDate(0, 0, 2)
		if n := apply(t, s, snapshot(t, user(anna, "anna.jansen@contoso.example", &seen, e3)), day2); n == 0 {
			t.Fatal("changes wrote nothing")
		}
		rec, err := s.UserHistory(ctx, tenant, "ANNA.JANSEN@contoso.example")
		if err != nil {
			t.Fatal(err)
		}
		ended := map[string]*time.Time{}
		for _, h := range rec.Holdings {
			ended[h.SKUID] = h.To
		}
		if len(rec.Holdings) != 2 || ended[e3] != nil || ended[eop2] == nil || !ended[eop2].Equal(day2) {
			t.Errorf("renamed user's licence history: %+v", rec.Holdings)
		}
		if len(rec.Enabled) != 1 || !rec.Enabled[0].From.Equal(day0) {
			t.Errorf("renamed user's account history: %+v", rec.Enabled)
		}
		gone, err := s.UserHistory(ctx, tenant, "bob@contoso.example")
		if err != nil {
			t.Fatal(err)
		}
		if gone.User != nil || len(gone.Holdings) != 1 || gone.Holdings[0].To == nil || !gone.Holdings[0].To.Equal(day2) ||
			len(gone.Enabled) != 1 || gone.Enabled[0].To == nil {
			t.Errorf("leaver: %+v", gone)
		}
	})
}

func TestApplySnapshotWithoutSignInDataKeepsTheLastKnown(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		seen := day0.Add(-48 * time.Hour)
		apply(t, s, snapshot(t, user(anna, "anna@contoso.example", &seen, e3)), day0)

		refused := snapshot(t, user(anna, "anna@contoso.example", nil, e3))
		refused.SignInData, refused.SignInNote = false, "Graph refused signInActivity: 403"
		refused.UsageNote = "Graph refused getM365AppUserDetail: 403"
		apply(t, s, refused, day0.AddDate(0, 0, 1))

		users, err := s.Users(ctx, tenant)
		if err != nil {
			t.Fatal(err)
		}
		if len(users) != 1 || users[0].LastSignIn == nil || !users[0].LastSignIn.Equal(seen) {
			t.Errorf("last sign-in after a refused read: %+v", users)
		}
		states, err := s.TenantStates(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(states) != 1 || states[0].SignInData || states[0].SignInNote == "" || states[0].UsageNote != refused.UsageNote {
			t.Errorf("tenant state after refusals: %+v", states)
		}
		if n := apply(t, s, refused, day0.AddDate(0, 0, 2)); n != 0 {
			t.Errorf("the same refused read again wrote %d rows", n)
		}
	})
}

func TestApplySnapshotKeepsMailSuccessfulSignInAndMailboxPurpose(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		failed, ok := day0.Add(-time.Hour), day0.AddDate(0, 0, -200)
		shared := user(bob, "", nil, eop2) // a page without userPrincipalName
		shared.Mail, shared.Enabled, shared.MailboxPurpose = "Info@Contoso.example", false, "shared"
		sprayed := user(anna, "anna@contoso.example", &failed, e3)
		sprayed.LastNonInteractive, sprayed.LastSuccessfulSignIn = &failed, &ok
		snap := snapshot(t, sprayed, shared)
		snap.MailboxPurposeData = true
		apply(t, s, snap, day0)

		users, err := s.Users(ctx, tenant)
		if err != nil {
			t.Fatal(err)
		}
		byID := map[string]inventory.User{}
		for _, u := range users {
			byID[u.ID] = u
		}
		if u := byID[anna]; u.LastSuccessfulSignIn == nil || !u.LastSuccessfulSignIn.Equal(ok) || !u.LastActivity().Equal(ok) {
			t.Errorf("sprayed user stored as %+v, last activity %s", u, u.LastActivity())
		}
		if u := byID[bob]; u.Mail != "Info@Contoso.example" || u.MailboxPurpose != "shared" || u.UPN != "" {
			t.Errorf("user without a principal name stored as %+v", u)
		}
		for _, key := range []string{"info@contoso.example", bob, strings.ToUpper(bob), "anna@contoso.example"} {
			rec, err := s.UserHistory(ctx, tenant, key)
			if err != nil || rec.User == nil {
				t.Errorf("UserHistory(%q): %v, %+v", key, err, rec)
			}
		}
		states, err := s.TenantStates(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(states) != 1 || !states[0].MailboxPurposeData {
			t.Errorf("tenant state: %+v", states)
		}

		// mailboxSettings refused the next day: the purpose stays as last known.
		again := snapshot(t, sprayed, func() inventory.User { u := shared; u.MailboxPurpose = ""; return u }())
		again.MailboxPurposeData, again.MailboxNote = false, "Graph refused mailboxSettings: 403"
		apply(t, s, again, day0.AddDate(0, 0, 1))
		rec, err := s.UserHistory(ctx, tenant, bob)
		if err != nil {
			t.Fatal(err)
		}
		if rec.User.MailboxPurpose != "shared" {
			t.Errorf("mailbox purpose after a refused read: %q", rec.User.MailboxPurpose)
		}
		states, _ = s.TenantStates(ctx)
		if len(states) != 1 || states[0].MailboxPurposeData || states[0].MailboxNote == "" {
			t.Errorf("tenant state after mailboxSettings was refused: %+v", states)
		}
		if n := apply(t, s, again, day0.AddDate(0, 0, 2)); n != 0 {
			t.Errorf("the same refused read again wrote %d rows", n)
		}
	})
}

// Users holding a SKU no pool lists are counted per tenant and SKU, once each, and
// licences in error hold nothing.
func TestHeldWithoutPool(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		inError := user(bob, "bob@contoso.example", nil, eop2)
		inError.Assignments[0].State, inError.Assignments[0].Error = "Error", "CountViolation"
		twice := user(anna, "anna@contoso.example", nil, e3, eop2)
		twice.Assignments = append(twice.Assignments, inventory.Assignment{SKUID: eop2, Group: "g1", State: "Active"})
		apply(t, s, snapshot(t, twice, inError), day0)
		held, err := s.HeldWithoutPool(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(held) != 1 || len(held[tenant]) != 1 || held[tenant][eop2] != 1 {
			t.Errorf("held without a pool: %v, want %s: {%s: 1}", held, tenant, eop2)
		}
	})
}
