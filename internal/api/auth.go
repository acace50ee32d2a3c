package api

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/seatledger/seatledger/internal/store"
)

// access names, per route, the least role that may call it. Roles are not a
// ladder: consultant and finance each add their own writes to what viewer reads,
// and admin may do everything (see allowed).
var access = map[string]string{
	"GET /api/v1/customers":                           store.RoleViewer,
	"GET /api/v1/customers/{customer}":                store.RoleViewer,
	"GET /api/v1/customers/{customer}/users":          store.RoleViewer,
	"GET /api/v1/customers/{customer}/users/{user}":   store.RoleViewer,
	"GET /api/v1/customers/{customer}/subscriptions":  store.RoleViewer,
	"GET /api/v1/customers/{customer}/reconciliation": store.RoleViewer,
	"POST /api/v1/customers/{customer}/sync":          store.RoleAdmin,
	"GET /api/v1/seats":                               store.RoleViewer,
	"GET /api/v1/findings":                            store.RoleViewer,
	"POST /api/v1/findings/{fingerprint}/ack":         store.RoleConsultant,
	"POST /api/v1/findings/{fingerprint}/suppress":    store.RoleConsultant,
	"POST /api/v1/findings/{fingerprint}/reopen":      store.RoleConsultant,
	"GET /api/v1/exclusions":                          store.RoleViewer,
	"POST /api/v1/exclusions":                         store.RoleConsultant,
	"DELETE /api/v1/exclusions/{id}":                  store.RoleConsultant,
	"GET /api/v1/prices":                              store.RoleViewer,
	"GET /api/v1/prices/changes":                      store.RoleViewer,
	"GET /api/v1/prices/impact":                       store.RoleViewer,
	"GET /api/v1/billing/runs":                        store.RoleViewer,
	"GET /api/v1/billing/runs/{period}":               store.RoleViewer,
	"GET /api/v1/billing/runs/{period}/lines":         store.RoleViewer,
	"GET /api/v1/billing/runs/{period}/diff":          store.RoleViewer,
	"POST /api/v1/billing/runs/{period}/approve":      store.RoleFinance,
	"GET /api/v1/billing/runs/{period}/export":        store.RoleFinance,
	"GET /api/v1/notices":                             store.RoleViewer,
	"GET /api/v1/notices/{id}":                        store.RoleViewer,
	"GET /api/v1/notices/{id}/preview":                store.RoleViewer,
	"POST /api/v1/notices/{id}/hold":                  store.RoleFinance,
	"POST /api/v1/notices/{id}/release":               store.RoleFinance,
	"POST /api/v1/notices/{id}/cancel":                store.RoleFinance,
	"GET /api/v1/sync/runs":                           store.RoleViewer,
	"GET /api/v1/sync/runs/{id}/tenants":              store.RoleViewer,
	"GET /api/v1/jobs":                                store.RoleViewer,
	"GET /api/v1/jobs/schedule":                       store.RoleViewer,
	"GET /api/v1/audit":                               store.RoleViewer,
	"GET /api/v1/tokens":                              store.RoleAdmin,
	"POST /api/v1/tokens":                             store.RoleAdmin,
	"DELETE /api/v1/tokens/{token}":                   store.RoleAdmin,
}

// allowed tells whether a token's role may call a route that needs role need.
func allowed(role, need string) bool {
	switch {
	case role == store.RoleAdmin || need == store.RoleViewer:
		return slices.Contains(store.Roles, role)
	default:
		return role == need
	}
}

var (
	errUnauthorized = errors.New("a valid API token is required: Authorization: Bearer TOKEN")
	errNoRoute      = errors.New("no such endpoint")
	errMethod       = errors.New("the endpoint does not take this method")
)

// forbiddenError refuses a route to a token's role.
type forbiddenError struct{ role, need string }

func (e forbiddenError) Error() string {
	return "a " + e.role + " token may not do this; it needs " + e.need
}

// guard authenticates every /api/v1 request by its bearer token and checks the
// token's role against the route before the generated code parses anything.
type guard struct {
	server   *server
	mux      *http.ServeMux
	patterns []string
}

func (g *guard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, pattern := g.mux.Handler(r)
	if pattern != "" {
		// Whoever mounted the API times requests by the route they took: the API's
		// own, not the prefix it was mounted under.
		r.Pattern = pattern
	}
	if pattern == "" {
		if allow := g.allowedMethods(r); len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			g.server.problem(w, r, errMethod)
			return
		}
		g.server.problem(w, r, errNoRoute)
		return
	}
	need, guarded := access[pattern]
	if !guarded {
		// The document is public: it says what exists, not what is in it.
		g.mux.ServeHTTP(w, r)
		return
	}
	tok, err := g.authenticate(r)
	if err != nil {
		g.server.problem(w, r, err)
		return
	}
	if !allowed(tok.Role, need) {
		g.server.problem(w, r, forbiddenError{tok.Role, need})
		return
	}
	acting := *g.server.app
	acting.Actor = "token:" + tok.Name
	ctx := context.WithValue(r.Context(), appKey{}, &acting)
	g.mux.ServeHTTP(&statusWriter{ResponseWriter: w}, r.WithContext(ctx))
}

// statusWriter remembers that an answer has begun, so that an error while writing
// its body (a client gone) is logged instead of answered a second time.
type statusWriter struct {
	http.ResponseWriter
	started bool
}

func (w *statusWriter) WriteHeader(code int) {
	w.started = true
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	w.started = true
	return w.ResponseWriter.Write(p)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// allowedMethods lists the methods the request's path is served with.
func (g *guard) allowedMethods(r *http.Request) []string {
	var out []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, p := g.mux.Handler(probe); p != "" {
			out = append(out, m)
		}
	}
	return out
}

func (g *guard) authenticate(r *http.Request) (store.APIToken, error) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return store.APIToken{}, errUnauthorized
	}
	tok, err := g.server.app.Authenticate(r.Context(), token)
	if errors.Is(err, store.ErrNotFound) {
		return store.APIToken{}, errUnauthorized
	}
	return tok, err
}
