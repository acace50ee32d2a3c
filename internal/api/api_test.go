package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/seatledger/seatledger/internal/api"
	"github.com/seatledger/seatledger/internal/store"
)

// endpoint is one request of the table: the route it exercises, who may call it,
// and what a caller allowed to gets.
type endpoint struct {
	route  string // the ServeMux pattern
	method string
	path   func(f *fixture) string
	body   any
	need   string
	status int
	check  func(t *testing.T, f *fixture, h http.Header, body []byte)
}

func fixed(p string) func(*fixture) string { return func(*fixture) string { return p } }

func decode(t *testing.T, body []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("not a JSON object: %v\n%s", err, body)
	}
	return m
}

// items checks a page's shape and returns its items.
func items(t *testing.T, body []byte, want int) []map[string]any {
	t.Helper()
	m := decode(t, body)
	raw, ok := m["items"].([]any)
	if !ok {
		t.Fatalf("no items array: %s", body)
	}
	if _, ok := m["nextCursor"]; !ok {
		t.Fatalf("no nextCursor: %s", body)
	}
	if want >= 0 && len(raw) != want {
		t.Fatalf("%d items, want %d: %s", len(raw), want, body)
	}
	out := make([]map[string]any, len(raw))
	for i, r := range raw {
		out[i], _ = r.(map[string]any)
	}
	return out
}

func pageOf(want int) func(t *testing.T, f *fixture, h http.Header, body []byte) {
	return func(t *testing.T, f *fixture, h http.Header, body []byte) { items(t, body, want) }
}

func field(key, want string) func(t *testing.T, f *fixture, h http.Header, body []byte) {
	return func(t *testing.T, f *fixture, h http.Header, body []byte) {
		t.Helper()
		if got := fmt.Sprint(decode(t, body)[key]); got != want {
			t.Fatalf("%s = %q, want %q: %s", key, got, want, body)
		}
	}
}

func download(contentType, name string) func(t *testing.T, f *fixture, h http.Header, body []byte) {
	return func(t *testing.T, f *fixture, h http.Header, body []byte) {
		t.Helper()
		if got := h.Get("Content-Type"); got != contentType {
			t.Fatalf("Content-Type %q, want %q", got, contentType)
		}
		if got := h.Get("Content-Disposition"); !strings.HasPrefix(got, "attachment; filename=") || !strings.Contains(got, name) {
			t.Fatalf("Content-Disposition %q, want an attachment named like %s", got, name)
		}
		if len(body) == 0 {
			t.Fatal("empty file")
		}
	}
}

func reason(r string) map[string]string { return map[string]string{"reason": r} }

var exclusionID string

func endpoints() []endpoint {
	fp := func(i int) func(f *fixture) string {
		return func(f *fixture) string { return f.findings[i][:10] }
	}
	notice := func(i int, tail string) func(f *fixture) string {
		return func(f *fixture) string { return fmt.Sprintf("/api/v1/notices/%d%s", f.noticeIDs[i], tail) }
	}
	viewer, consultant, finance, admin := store.RoleViewer, store.RoleConsultant, store.RoleFinance, store.RoleAdmin
	return []endpoint{
		{"GET /api/v1/customers", "GET", fixed("/api/v1/customers"), nil, viewer, 200, pageOf(2)},
		{"GET /api/v1/customers", "GET", fixed("/api/v1/customers?limit=1"), nil, viewer, 200, func(t *testing.T, f *fixture, h http.Header, body []byte) {
			items(t, body, 1)
			if decode(t, body)["nextCursor"] == nil {
				t.Fatal("first of two pages without nextCursor")
			}
		}},
		{"GET /api/v1/customers/{customer}", "GET", fixed("/api/v1/customers/DEB-1001"), nil, viewer, 200, field("name", "Bakkerij de Vries B.V.")},
		{"GET /api/v1/customers/{customer}", "GET", fixed("/api/v1/customers/nobody"), nil, viewer, 404, nil},
		{"GET /api/v1/customers/{customer}/users", "GET", fixed("/api/v1/customers/" + bakkerij + "/users"), nil, viewer, 200, pageOf(2)},
		{"GET /api/v1/customers/{customer}/users/{user}", "GET", fixed("/api/v1/customers/DEB-1001/users/anna@bakkerij.example"), nil, viewer, 200,
			func(t *testing.T, f *fixture, h http.Header, body []byte) {
				if u, _ := decode(t, body)["user"].(map[string]any); u["userPrincipalName"] != "anna@bakkerij.example" {
					t.Fatalf("user: %s", body)
				}
			}},
		{"GET /api/v1/customers/{customer}/users/{user}", "GET", fixed("/api/v1/customers/DEB-1001/users/nobody@bakkerij.example"), nil, viewer, 404, nil},
		{"GET /api/v1/customers/{customer}/subscriptions", "GET", fixed("/api/v1/customers/DEB-1001/subscriptions"), nil, viewer, 200, pageOf(1)},
		{"GET /api/v1/customers/{customer}/reconciliation", "GET", fixed("/api/v1/customers/DEB-1001/reconciliation"), nil, viewer, 200, pageOf(-1)},
		{"GET /api/v1/seats", "GET", fixed("/api/v1/seats?customer=DEB-1001"), nil, viewer, 200, func(t *testing.T, f *fixture, h http.Header, body []byte) {
			if got := items(t, body, -1); len(got) == 0 {
				t.Fatal("no seats")
			}
		}},
		{"GET /api/v1/findings", "GET", fixed("/api/v1/findings"), nil, viewer, 200, pageOf(3)},
		{"GET /api/v1/findings", "GET", fixed("/api/v1/findings?status=bogus"), nil, viewer, 400, nil},
		{"POST /api/v1/findings/{fingerprint}/ack", "POST", func(f *fixture) string { return "/api/v1/findings/" + fp(0)(f) + "/ack" }, reason("customer keeps it"), consultant, 200, field("status", "acknowledged")},
		{"POST /api/v1/findings/{fingerprint}/ack", "POST", func(f *fixture) string { return "/api/v1/findings/" + fp(0)(f) + "/ack" }, reason(""), consultant, 422, nil},
		{"POST /api/v1/findings/{fingerprint}/suppress", "POST", func(f *fixture) string { return "/api/v1/findings/" + fp(1)(f) + "/suppress" }, reason("service account"), consultant, 200, field("status", "suppressed")},
		{"POST /api/v1/findings/{fingerprint}/reopen", "POST", func(f *fixture) string { return "/api/v1/findings/" + fp(1)(f) + "/reopen" }, reason("not one after all"), consultant, 200, field("status", "open")},
		{"POST /api/v1/findings/{fingerprint}/reopen", "POST", fixed("/api/v1/findings/abcdef0123/reopen"), reason("x"), consultant, 404, nil},
		{"GET /api/v1/findings", "GET", fixed("/api/v1/findings?status=acknowledged"), nil, viewer, 200, pageOf(1)},
		{"POST /api/v1/exclusions", "POST", fixed("/api/v1/exclusions"), map[string]string{"customer": "DEB-1001", "user": "bob@bakkerij.example", "reason": "service account"}, consultant, 201,
			func(t *testing.T, f *fixture, h http.Header, body []byte) {
				exclusionID = fmt.Sprint(decode(t, body)["id"])
			}},
		{"POST /api/v1/exclusions", "POST", fixed("/api/v1/exclusions"), map[string]string{"sku": "NO_SUCH_SKU", "reason": "x"}, consultant, 422, nil},
		{"POST /api/v1/exclusions", "POST", fixed("/api/v1/exclusions"), map[string]string{"customer": "nobody", "reason": "x"}, consultant, 422, nil},
		{"GET /api/v1/exclusions", "GET", fixed("/api/v1/exclusions"), nil, viewer, 200, pageOf(1)},
		{"DELETE /api/v1/exclusions/{id}", "DELETE", func(*fixture) string { return "/api/v1/exclusions/" + exclusionID }, nil, consultant, 204, nil},
		{"DELETE /api/v1/exclusions/{id}", "DELETE", fixed("/api/v1/exclusions/999999"), nil, consultant, 404, nil},
		{"GET /api/v1/prices", "GET", fixed("/api/v1/prices?market=NL"), nil, viewer, 200, pageOf(0)},
		{"GET /api/v1/prices/changes", "GET", fixed("/api/v1/prices/changes?since=2026-01-01"), nil, viewer, 200, pageOf(0)},
		{"GET /api/v1/prices/changes", "GET", fixed("/api/v1/prices/changes?since=yesterday"), nil, viewer, 400, nil},
		{"GET /api/v1/prices/impact", "GET", fixed("/api/v1/prices/impact?customer=DEB-1001"), nil, viewer, 200, pageOf(0)},
		{"GET /api/v1/billing/runs", "GET", fixed("/api/v1/billing/runs"), nil, viewer, 200, pageOf(1)},
		{"GET /api/v1/billing/runs/{period}", "GET", fixed("/api/v1/billing/runs/2026-11"), nil, viewer, 200, func(t *testing.T, f *fixture, h http.Header, body []byte) {
			if run, _ := decode(t, body)["run"].(map[string]any); run["status"] != "draft" || run["period"] != "2026-11" {
				t.Fatalf("run: %s", body)
			}
		}},
		{"GET /api/v1/billing/runs/{period}", "GET", fixed("/api/v1/billing/runs/2025-01"), nil, viewer, 404, nil},
		{"GET /api/v1/billing/runs/{period}", "GET", fixed("/api/v1/billing/runs/november"), nil, viewer, 400, nil},
		{"GET /api/v1/billing/runs/{period}/lines", "GET", fixed("/api/v1/billing/runs/2026-11/lines?limit=1000"), nil, viewer, 200, pageOf(-1)},
		{"GET /api/v1/billing/runs/{period}/diff", "GET", fixed("/api/v1/billing/runs/2026-11/diff"), nil, viewer, 200, field("period", "2026-11")},
		{"GET /api/v1/billing/runs/{period}/export", "GET", fixed("/api/v1/billing/runs/2026-11/export"), nil, finance, 200, download("text/csv; charset=utf-8", "DRAFT")},
		{"GET /api/v1/billing/runs/{period}/export", "GET", fixed("/api/v1/billing/runs/2026-11/export?format=csv&profile=excel-eu"), nil, finance, 200, download("text/csv; charset=utf-8", ".csv")},
		{"GET /api/v1/billing/runs/{period}/export", "GET", fixed("/api/v1/billing/runs/2026-11/export?format=xlsx"), nil, finance, 200,
			download("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx")},
		{"GET /api/v1/billing/runs/{period}/export", "GET", fixed("/api/v1/billing/runs/2026-11/export?format=json"), nil, finance, 200,
			func(t *testing.T, f *fixture, h http.Header, body []byte) {
				download("application/json", ".json")(t, f, h, body)
				field("status", "DRAFT")(t, f, h, body)
			}},
		{"GET /api/v1/billing/runs/{period}/export", "GET", fixed("/api/v1/billing/runs/2026-11/export?format=csv&profile=nosuch"), nil, finance, 400, nil},
		{"POST /api/v1/billing/runs/{period}/approve", "POST", fixed("/api/v1/billing/runs/2026-11/approve"), nil, finance, 200,
			func(t *testing.T, f *fixture, h http.Header, body []byte) {
				m := decode(t, body)
				if m["status"] != "approved" || m["approvedBy"] != "token:finance-token" {
					t.Fatalf("approved run: %s", body)
				}
			}},
		{"POST /api/v1/billing/runs/{period}/approve", "POST", fixed("/api/v1/billing/runs/2026-11/approve"), nil, finance, 409, nil},
		{"GET /api/v1/notices", "GET", fixed("/api/v1/notices"), nil, viewer, 200, func(t *testing.T, f *fixture, h http.Header, body []byte) {
			for _, n := range items(t, body, 3) {
				if n["html"] != "" || n["text"] != "" {
					t.Fatalf("a list carries bodies: %v", n)
				}
			}
		}},
		{"GET /api/v1/notices/{id}", "GET", notice(0, ""), nil, viewer, 200, field("subject", "Verlenging sub-1")},
		{"GET /api/v1/notices/{id}", "GET", fixed("/api/v1/notices/999999"), nil, viewer, 404, nil},
		{"GET /api/v1/notices/{id}/preview", "GET", notice(0, "/preview"), nil, viewer, 200, func(t *testing.T, f *fixture, h http.Header, body []byte) {
			if h.Get("Content-Type") != "text/html; charset=utf-8" || !strings.Contains(h.Get("Content-Security-Policy"), "sandbox") || string(body) != "<p>Beste Anna, sub-1</p>" {
				t.Fatalf("preview %v: %s", h, body)
			}
		}},
		{"POST /api/v1/notices/{id}/hold", "POST", notice(0, "/hold"), reason("price under review"), finance, 200, field("status", "held")},
		{"POST /api/v1/notices/{id}/hold", "POST", notice(1, "/hold"), reason(" "), finance, 422, nil},
		{"POST /api/v1/notices/{id}/release", "POST", notice(0, "/release"), reason("price confirmed"), finance, 200, field("status", "pending")},
		{"POST /api/v1/notices/{id}/cancel", "POST", notice(2, "/cancel"), reason("customer left"), finance, 200, field("status", "cancelled")},
		{"POST /api/v1/notices/{id}/release", "POST", notice(2, "/release"), reason("again"), finance, 409, nil},
		{"GET /api/v1/sync/runs", "GET", fixed("/api/v1/sync/runs"), nil, viewer, 200, pageOf(1)},
		{"GET /api/v1/sync/runs/{id}/tenants", "GET", func(f *fixture) string { return fmt.Sprintf("/api/v1/sync/runs/%d/tenants", f.syncRun) }, nil, viewer, 200, pageOf(1)},
		{"GET /api/v1/sync/runs/{id}/tenants", "GET", fixed("/api/v1/sync/runs/999999/tenants"), nil, viewer, 404, nil},
		{"GET /api/v1/jobs", "GET", fixed("/api/v1/jobs"), nil, viewer, 200, pageOf(1)},
		{"GET /api/v1/jobs/schedule", "GET", fixed("/api/v1/jobs/schedule"), nil, viewer, 200, pageOf(1)},
		{"POST /api/v1/customers/{customer}/sync", "POST", fixed("/api/v1/customers/DEB-1001/sync"), nil, admin, 202, func(t *testing.T, f *fixture, h http.Header, body []byte) {
			field("state", "available")(t, f, h, body)
			if !slices.Equal(f.scheduler.triggered, []string{bakkerij}) {
				t.Fatalf("triggered %v", f.scheduler.triggered)
			}
			log, err := f.store.AuditPage(context.Background(), 0, 1)
			if err != nil || log[0].Action != "sync.queue" || log[0].Actor != "token:admin-token" || log[0].Subject != bakkerij {
				t.Fatalf("audit: %+v %v", log, err)
			}
		}},
		{"GET /api/v1/audit", "GET", fixed("/api/v1/audit?limit=5"), nil, viewer, 200, pageOf(5)},
		{"GET /api/v1/tokens", "GET", fixed("/api/v1/tokens"), nil, admin, 200, func(t *testing.T, f *fixture, h http.Header, body []byte) {
			for _, tok := range items(t, body, 4) {
				if _, ok := tok["hash"]; ok {
					t.Fatalf("a hash listed: %v", tok)
				}
			}
		}},
		{"POST /api/v1/tokens", "POST", fixed("/api/v1/tokens"), map[string]string{"name": "extra", "role": "viewer"}, admin, 201, func(t *testing.T, f *fixture, h http.Header, body []byte) {
			if tok, _ := decode(t, body)["token"].(string); !strings.HasPrefix(tok, store.TokenPrefix) {
				t.Fatalf("created: %s", body)
			}
		}},
		{"POST /api/v1/tokens", "POST", fixed("/api/v1/tokens"), map[string]string{"name": "extra", "role": "viewer"}, admin, 409, nil},
		{"POST /api/v1/tokens", "POST", fixed("/api/v1/tokens"), map[string]string{"name": "root", "role": "root"}, admin, 422, nil},
		{"DELETE /api/v1/tokens/{token}", "DELETE", fixed("/api/v1/tokens/extra"), nil, admin, 200, func(t *testing.T, f *fixture, h http.Header, body []byte) {
			if decode(t, body)["revokedAt"] == nil {
				t.Fatalf("revoked: %s", body)
			}
		}},
	}
}

// isProblem checks an RFC 9457 answer.
func isProblem(t *testing.T, h http.Header, body []byte, status int) {
	t.Helper()
	if ct := h.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type %q, want application/problem+json: %s", ct, body)
	}
	var p struct {
		Type, Title, Detail, Instance string
		Status                        int
	}
	if err := json.Unmarshal(body, &p); err != nil || p.Status != status || p.Title == "" || p.Type == "" || p.Instance == "" {
		t.Fatalf("problem %+v (%v), want status %d: %s", p, err, status, body)
	}
}

// Every endpoint refuses a request without a valid token (401), a token whose role
// may not call it (403), and answers a role that may as the table says.
func TestAPIEndpoints(t *testing.T) {
	f := newFixture(t, true)
	for _, e := range endpoints() {
		path := e.path(f)
		t.Run(e.method+" "+path, func(t *testing.T) {
			for _, token := range []string{"", "sl_not-a-token"} {
				status, h, body := f.do(t, e.method, path, token, e.body)
				if status != http.StatusUnauthorized || !strings.HasPrefix(h.Get("WWW-Authenticate"), "Bearer") {
					t.Fatalf("token %q: %d %v, want 401 with WWW-Authenticate: Bearer", token, status, h)
				}
				isProblem(t, h, body, 401)
			}
			for _, role := range store.Roles {
				if role == e.need || role == store.RoleAdmin || e.need == store.RoleViewer {
					continue
				}
				status, h, body := f.do(t, e.method, path, f.tokens[role], e.body)
				if status != http.StatusForbidden {
					t.Fatalf("%s token: %d, want 403: %s", role, status, body)
				}
				isProblem(t, h, body, 403)
			}
			status, h, body := f.do(t, e.method, path, f.tokens[e.need], e.body)
			if status != e.status {
				t.Fatalf("%s token: %d, want %d: %s", e.need, status, e.status, body)
			}
			if status >= 400 {
				isProblem(t, h, body, status)
			}
			if e.check != nil {
				e.check(t, f, h, body)
			}
		})
	}
}

// The table exercises every route the handler serves.
func TestAPITableCoversEveryRoute(t *testing.T) {
	h, err := api.New(api.Options{App: newBareApp(t)})
	if err != nil {
		t.Fatal(err)
	}
	covered := map[string]bool{}
	for _, e := range endpoints() {
		covered[e.route] = true
	}
	for _, r := range api.Routes(h) {
		if !covered[r] {
			t.Errorf("route %s has no case in the endpoint table", r)
		}
		delete(covered, r)
	}
	for r := range covered {
		t.Errorf("the table names %s, which the handler does not serve", r)
	}
}
