package graph_test

import (
	"context"
	"testing"

	"github.com/seatledger/seatledger/internal/sandbox"
)

// A display name with a NUL (and other controls) fails no tenant on either database,
// and is stored the same on both: controls dropped, TAB and bidi marks kept.
func TestControlCharactersFromGraphStoredTheSameOnBothDatabases(t *testing.T) {
	eachDB(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		w := newWorld(t, dbURL, setup{tenants: 3, server: sandbox.ServerOptions{ControlCharsInNames: true}})
		want := map[string]map[string]string{} // tenant -> user id -> stored name
		w.srv.Mutate(func(world *sandbox.World) {
			for _, tn := range world.Tenants {
				u := tn.Users[0]
				want[tn.ID] = map[string]string{u.ID: "[2J\u202e" + u.DisplayName + "1m\t(NUL)"}
			}
		})
		if sum := w.sync(t); sum.Failed != 0 || sum.OK != 3 {
			t.Fatalf("want every tenant synced, got %d ok, %d failed: %+v", sum.OK, sum.Failed, sum.Tenants)
		}
		for tenant, names := range want {
			users, err := w.app.Store.Users(ctx, tenant)
			if err != nil {
				t.Fatal(err)
			}
			found := 0
			for _, u := range users {
				if name, ok := names[u.ID]; ok {
					found++
					if u.DisplayName != name {
						t.Errorf("%s: stored %q, want %q", u.ID, u.DisplayName, name)
					}
				}
			}
			if found != len(names) {
				t.Errorf("tenant %s: the user with the served name is not stored", tenant)
			}
		}
		if sum := w.sync(t); sum.Failed != 0 || sum.Changes != 0 {
			t.Errorf("a re-sync of the same names: %d failed, %d changes", sum.Failed, sum.Changes)
		}
	})
}
