package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/seatledger/seatledger/internal/store"
)

// tokens create prints the token once (with a warning that it is shown once), list
// never shows it, revoke ends it, and audit list names who did each.
func TestTokenAndAuditCommands(t *testing.T) {
	t.Setenv("SEATLEDGER_CONFIG", "")
	eachDatabase(t, func(t *testing.T, db string) {
		mustRun(t, "--db", db, "migrate", "up")
		code, out, errOut := seatledger(t, "--db", db, "--actor", "alice", "tokens", "create", "--name", "ci", "--role", "finance")
		token := strings.TrimSpace(out)
		if code != 0 || !strings.HasPrefix(token, store.TokenPrefix) || strings.Contains(token, "\n") || !strings.Contains(errOut, "shown this once") {
			t.Fatalf("create: exit %d\n%s\n%s", code, out, errOut)
		}
		if code, _, errOut := seatledger(t, "--db", db, "tokens", "create", "--name", "x", "--role", "root"); code == 0 || !strings.Contains(errOut, "viewer") {
			t.Fatalf("an unknown role: exit %d %s", code, errOut)
		}
		list := mustRun(t, "--db", db, "tokens", "list")
		if !strings.Contains(list, "ci") || !strings.Contains(list, "finance") || strings.Contains(list, token) || strings.Contains(list, store.HashToken(token)) {
			t.Fatalf("list:\n%s", list)
		}
		mustRun(t, "--db", db, "--actor", "bob", "tokens", "revoke", "ci")
		var tokens []store.APIToken
		if err := json.Unmarshal([]byte(mustRun(t, "--db", db, "-o", "json", "tokens", "list")), &tokens); err != nil || len(tokens) != 1 || tokens[0].RevokedAt == nil {
			t.Fatalf("list after revoke: %+v %v", tokens, err)
		}
		var entries []store.AuditEntry
		if err := json.Unmarshal([]byte(mustRun(t, "--db", db, "-o", "json", "audit", "list", "--limit", "2")), &entries); err != nil || len(entries) != 2 {
			t.Fatalf("audit: %+v %v", entries, err)
		}
		if entries[0].Action != "token.revoke" || entries[0].Actor != "bob" || entries[1].Action != "token.create" || entries[1].Actor != "alice" {
			t.Fatalf("audit: %+v", entries)
		}
		if out := mustRun(t, "--db", db, "audit", "list"); !strings.Contains(out, "token.revoke") || strings.Contains(out, token) {
			t.Fatalf("audit list:\n%s", out)
		}
	})
}
