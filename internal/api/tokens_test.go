package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/seatledger/seatledger/internal/api"
	"github.com/seatledger/seatledger/internal/store"
)

// A token made through the API authenticates, is stored only as its hash, and is
// refused once revoked.
func TestAPITokenLifecycle(t *testing.T) {
	f := newFixture(t, false)
	status, _, body := f.do(t, "POST", "/api/v1/tokens", f.tokens[store.RoleAdmin], map[string]string{"name": "ci", "role": "finance"})
	if status != http.StatusCreated {
		t.Fatalf("create: %d %s", status, body)
	}
	token, _ := decode(t, body)["token"].(string)
	if status, _, body := f.do(t, "GET", "/api/v1/billing/runs", token, nil); status != 200 {
		t.Fatalf("new token: %d %s", status, body)
	}
	ctx := context.Background()
	if _, err := f.store.TokenByHash(ctx, store.HashToken(token)); err != nil {
		t.Fatalf("hash not stored: %v", err)
	}
	if _, err := f.store.TokenByHash(ctx, token); err == nil {
		t.Fatal("the token itself is stored")
	}
	// The audit log names the token's creator, never the token.
	status, _, body = f.do(t, "GET", "/api/v1/audit?limit=1", f.tokens[store.RoleViewer], nil)
	entry := items(t, body, 1)[0]
	if status != 200 || entry["action"] != "token.create" || entry["actor"] != "token:admin-token" || strings.Contains(string(body), token) {
		t.Fatalf("audit: %d %s", status, body)
	}
	if status, _, body := f.do(t, "DELETE", "/api/v1/tokens/ci", f.tokens[store.RoleAdmin], nil); status != 200 {
		t.Fatalf("revoke: %d %s", status, body)
	}
	status, h, body := f.do(t, "GET", "/api/v1/billing/runs", token, nil)
	if status != http.StatusUnauthorized {
		t.Fatalf("revoked token: %d %s", status, body)
	}
	isProblem(t, h, body, 401)
}

// What a token changes is audited in the token's name.
func TestAPIAuditActor(t *testing.T) {
	f := newFixture(t, false)
	path := fmt.Sprintf("/api/v1/notices/%d/hold", f.noticeIDs[0])
	if status, _, body := f.do(t, "POST", path, f.tokens[store.RoleFinance], reason("under review")); status != 200 {
		t.Fatalf("hold: %d %s", status, body)
	}
	if status, _, body := f.do(t, "POST", "/api/v1/findings/"+f.findings[2]+"/ack", f.tokens[store.RoleAdmin], reason("known")); status != 200 {
		t.Fatalf("ack: %d %s", status, body)
	}
	log, err := f.store.AuditPage(context.Background(), 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	if log[0].Actor != "token:admin-token" || log[0].Action != "finding.acknowledged" || log[1].Actor != "token:finance-token" || !strings.HasPrefix(log[1].Action, "notice") {
		t.Fatalf("audit: %+v", log)
	}
}

// Pages of findings follow each other without gaps or repeats, and a cursor from
// another list is refused.
func TestAPIFindingsPaging(t *testing.T) {
	f := newFixture(t, false)
	seen := map[string]bool{}
	cursor := ""
	for range 10 {
		path := "/api/v1/findings?limit=2"
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		status, _, body := f.do(t, "GET", path, f.tokens[store.RoleViewer], nil)
		if status != 200 {
			t.Fatalf("%s: %d %s", path, status, body)
		}
		for _, it := range items(t, body, -1) {
			fp := it["fingerprint"].(string)
			if seen[fp] {
				t.Fatalf("%s twice", fp)
			}
			seen[fp] = true
		}
		next, _ := decode(t, body)["nextCursor"].(string)
		if next == "" {
			break
		}
		cursor = next
	}
	if len(seen) != len(f.findings) {
		t.Fatalf("paged %d findings, want %d", len(seen), len(f.findings))
	}
	status, h, body := f.do(t, "GET", "/api/v1/audit?cursor="+cursor, f.tokens[store.RoleViewer], nil)
	if status != 400 {
		t.Fatalf("a findings cursor on the audit log: %d %s", status, body)
	}
	isProblem(t, h, body, 400)
	if status, _, _ := f.do(t, "GET", "/api/v1/findings?limit=0", f.tokens[store.RoleViewer], nil); status != 400 {
		t.Fatalf("limit 0: %d", status)
	}
}

// Without a job runner the job endpoints say so.
func TestAPIWithoutScheduler(t *testing.T) {
	f := newFixture(t, false)
	for _, c := range []struct{ method, path, role string }{
		{"GET", "/api/v1/jobs", store.RoleViewer}, {"GET", "/api/v1/jobs/schedule", store.RoleViewer},
		{"POST", "/api/v1/customers/DEB-1001/sync", store.RoleAdmin},
	} {
		status, h, body := f.do(t, c.method, c.path, f.tokens[c.role], nil)
		if status != http.StatusServiceUnavailable || !strings.Contains(string(body), "the scheduler is not running") {
			t.Fatalf("%s %s: %d %s", c.method, c.path, status, body)
		}
		isProblem(t, h, body, 503)
	}
	var _ api.Scheduler = (*fakeScheduler)(nil)
}
