package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/seatledger/seatledger/internal/store"
	"github.com/seatledger/seatledger/internal/store/storetest"
)

// A token is kept only as its hash, authenticates until revoked, and both its
// making and its end are audited.
func TestTokenLifecycle(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tok, plain, err := s.CreateToken(ctx, "ci", store.RoleFinance, "alice")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(plain, store.TokenPrefix) || len(plain) < 40 {
			t.Fatalf("token %q: want sl_ and 32 random bytes", plain)
		}
		if _, _, err := s.CreateToken(ctx, "ci", store.RoleViewer, "alice"); !errors.Is(err, store.ErrTokenExists) {
			t.Fatalf("second token of the same name: %v", err)
		}
		if _, _, err := s.CreateToken(ctx, "x", "root", "alice"); err == nil {
			t.Fatal("unknown role accepted")
		}
		got, err := s.TokenByHash(ctx, store.HashToken(plain))
		if err != nil || got.Name != "ci" || got.Role != store.RoleFinance || got.LastUsedAt == nil {
			t.Fatalf("authenticate: %+v %v", got, err)
		}
		if _, err := s.TokenByHash(ctx, plain); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("the token itself looked up as a hash: %v", err)
		}
		list, err := s.Tokens(ctx)
		if err != nil || len(list) != 1 || list[0].ID != tok.ID {
			t.Fatalf("list: %+v %v", list, err)
		}
		revoked, err := s.RevokeToken(ctx, "ci", "bob")
		if err != nil || revoked.RevokedAt == nil {
			t.Fatalf("revoke: %+v %v", revoked, err)
		}
		if _, err := s.TokenByHash(ctx, store.HashToken(plain)); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("revoked token authenticates: %v", err)
		}
		if _, err := s.RevokeToken(ctx, "nobody", "bob"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("revoke unknown: %v", err)
		}
		log, err := s.AuditPage(ctx, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range log {
			actions = append(actions, e.Action+" "+e.Subject+" by "+e.Actor)
			if strings.Contains(e.Detail, plain) {
				t.Fatal("token written to the audit log")
			}
		}
		if want := "token.revoke ci by bob,token.create ci by alice"; strings.Join(actions, ",") != want {
			t.Fatalf("audit: %q, want %q", strings.Join(actions, ","), want)
		}
		older, err := s.AuditPage(ctx, log[0].ID, 10)
		if err != nil || len(older) != 1 || older[0].Action != "token.create" {
			t.Fatalf("audit page before %d: %+v %v", log[0].ID, older, err)
		}
	})
}
