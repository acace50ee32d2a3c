package sandbox

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// ServerOptions set the simulated cloud's behaviour.
type ServerOptions struct {
	// Addr to listen on (default 127.0.0.1:0).
	Addr string
	// URL, when set, is the root other machines reach the server at, such as
	// https://sandbox.example.com:8443 in a compose network: every URL the server
	// hands out (next links, sign-in endpoints, redirects) uses it, where the listening
	// address (0.0.0.0) would send clients to themselves. Its host must be one the
	// certificate names: 127.0.0.1, ::1, example.com or *.example.com.
	URL string
	// ClientID and ClientSecret the token endpoint accepts (defaults below).
	ClientID, ClientSecret string
	// Latency is added to every Graph request.
	Latency time.Duration
	// FaultRate, ResetRate and MalformedRate are the shares of Graph requests answered
	// with a 500, with a dropped connection, or with a body cut off mid-JSON.
	FaultRate, ResetRate, MalformedRate float64
	// ThrottleLimit is the number of Graph requests a tenant may make per
	// ThrottleWindow before getting 429 with Retry-After; 0 disables throttling.
	ThrottleLimit  int
	ThrottleWindow time.Duration
	// RetryAfter, when set, is sent verbatim as the Retry-After of every 429 (Graph
	// sends fractions such as "2.128"); otherwise the rest of the window, in whole
	// seconds.
	RetryAfter string
	// ControlCharsInNames serves the first user of every tenant with a display name
	// carrying what Graph passes through from a directory: a NUL, a terminal escape,
	// a C1 control and a bidi override around the user's name.
	ControlCharsInNames bool
	// NextLinkBase and ReportBase, when set, replace the server's own root in users'
	// @odata.nextLink and in reports' download redirects: links to elsewhere, as a
	// compromised or spoofed answer would carry them.
	NextLinkBase, ReportBase string
	// BlobBase, when set, replaces the server's own root in the billed export's
	// rootDirectory: blobs elsewhere, over http or on a host that does not answer.
	BlobBase string
	// ExportRetryAfter is the Retry-After of the billed invoice export's 202 and of
	// its running operation, in seconds (default "1").
	ExportRetryAfter string
}

// Default credentials of the simulated partner app.
const (
	DefaultClientID     = "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9"
	DefaultClientSecret = "sandbox-secret"
)

// Server is the simulated Microsoft cloud over HTTPS.
type Server struct {
	opts  ServerOptions
	mu    sync.RWMutex // guards world
	world *World
	srv   *httptest.Server

	failMu   sync.Mutex
	failing  map[string]bool
	throttle map[string]*window
	// throttled is when each tenant was last answered 429, until its next request;
	// retryGaps are the times between the two.
	throttled map[string]time.Time
	retryGaps []time.Duration

	// Partner Center's faults and the requests it received (partnerapi.go), under failMu.
	pcFailing    map[string]bool
	pcThrottle   int
	pcRetryAfter string
	pcLog        []PartnerCenterRequest

	// signIn is the device code sign-in and the Partner API (pricesheetapi.go).
	signIn userSignIn

	// Graph's billed invoice exports (billingexport.go).
	exports billingExports

	// Mail sent through Graph's sendMail (sendmail.go), under failMu.
	mail sentMail

	stats Stats
}

// Stats counts what the server did.
type Stats struct {
	Requests atomic.Int64
	// Downloads counts report downloads, the other end of a report's redirect.
	Downloads atomic.Int64
	// MailboxSettings counts requests for a user's mailboxSettings (in Requests too).
	MailboxSettings atomic.Int64
	Throttled       atomic.Int64
	Faults          atomic.Int64
	Tokens          atomic.Int64
	// PartnerCenterRequests counts requests to the Partner Center API.
	PartnerCenterRequests atomic.Int64
	// Connections counts TCP connections accepted: a client that reuses its
	// connections opens few.
	Connections atomic.Int64
}

type window struct {
	start time.Time
	count int
}

// NewServer starts the simulated cloud for world.
func NewServer(world *World, opts ServerOptions) (*Server, error) {
	if opts.ClientID == "" {
		opts.ClientID = DefaultClientID
	}
	if opts.ClientSecret == "" {
		opts.ClientSecret = DefaultClientSecret
	}
	if opts.ThrottleWindow == 0 {
		opts.ThrottleWindow = time.Second
	}
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	s := &Server{opts: opts, world: world, failing: map[string]bool{}, throttle: map[string]*window{}, throttled: map[string]time.Time{}, pcFailing: map[string]bool{}}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("sandbox: listen on %s: %w", opts.Addr, err)
	}
	s.srv = httptest.NewUnstartedServer(s.routes())
	s.srv.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			s.stats.Connections.Add(1)
		}
	}
	s.srv.Listener.Close()
	s.srv.Listener = ln
	s.srv.StartTLS()
	if opts.URL != "" {
		u, err := url.Parse(opts.URL)
		if err != nil || u.Scheme != "https" || u.Host == "" || (u.Path != "" && u.Path != "/") {
			s.srv.Close()
			return nil, fmt.Errorf("sandbox: URL %q is not https://HOST[:PORT]", opts.URL)
		}
		s.srv.URL = "https://" + u.Host
	}
	return s, nil
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// URL is the server's root, e.g. https://127.0.0.1:41234.
func (s *Server) URL() string { return s.srv.URL }

// GraphBaseURL is what graph.base_url should be set to.
func (s *Server) GraphBaseURL() string { return s.srv.URL + "/v1.0" }

// PartnerCenterBaseURL is what partner_center.base_url should be set to.
func (s *Server) PartnerCenterBaseURL() string { return s.srv.URL }

// OfferMatrixCSV is an offer matrix holding every SKU the world's partner sells.
func (s *Server) OfferMatrixCSV() []byte {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.world.OfferMatrixCSV()
}

// AuthorityHost is what graph.authority_host should be set to.
func (s *Server) AuthorityHost() string { return s.srv.URL + "/" }

// CAPEM is the server's certificate, for graph.ca_file.
func (s *Server) CAPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.srv.Certificate().Raw})
}

// CertPool trusts the server.
func (s *Server) CertPool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(s.srv.Certificate())
	return p
}

// TLSConfig trusts the server.
func (s *Server) TLSConfig() *tls.Config { return &tls.Config{RootCAs: s.CertPool()} }

// Stats returns the counters.
func (s *Server) Stats() *Stats { return &s.stats }

// ClientID and ClientSecret the token endpoint accepts.
func (s *Server) ClientID() string     { return s.opts.ClientID }
func (s *Server) ClientSecret() string { return s.opts.ClientSecret }

// Advance moves the world one simulated day on.
func (s *Server) Advance() []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.world.Advance()
}

// Now is the simulated time.
func (s *Server) Now() time.Time {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.world.Now()
}

// Truth describes the world now.
func (s *Server) Truth() Truth {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.world.Truth()
}

// Expect says what advice and reconciliation must find in the world today.
func (s *Server) Expect() []Expected {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.world.Expect()
}

// ContractsCSV is the sandbox partner's contracts file for the world today.
func (s *Server) ContractsCSV() []byte {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.world.ContractsCSV()
}

// Mutate changes the world under the server's lock (for tests).
func (s *Server) Mutate(fn func(w *World)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(s.world)
}

// FailTenant makes every Graph request of a tenant fail with a 500 until turned off.
func (s *Server) FailTenant(id string, fail bool) {
	s.failMu.Lock()
	defer s.failMu.Unlock()
	s.failing[id] = fail
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{tenant}/v2.0/.well-known/openid-configuration", s.openIDConfiguration)
	mux.HandleFunc("POST /{tenant}/oauth2/v2.0/token", s.token)
	mux.HandleFunc("POST /{tenant}/oauth2/v2.0/devicecode", s.deviceCode)
	mux.HandleFunc("GET /v1.0/sales/{resource}/{value}", s.partnerAPI)
	mux.HandleFunc("GET /v1.0/subscribedSkus", s.graph(s.subscribedSkus))
	mux.HandleFunc("GET /v1.0/directory/subscriptions", s.graph(s.subscriptions))
	mux.HandleFunc("GET /v1.0/users", s.graph(s.users))
	mux.HandleFunc("GET /v1.0/users/{id}/mailboxSettings", s.graph(s.mailboxSettings))
	mux.HandleFunc("GET /v1.0/admin/reportSettings", s.graph(s.reportSettings))
	mux.HandleFunc("GET /v1.0/reports/{report}", s.graph(s.report))
	mux.HandleFunc("GET /download/{tenant}/{report}", s.download)
	mux.HandleFunc("POST /v1.0/reports/partners/billing/reconciliation/billed/export", s.partnerGraph(s.billedExport))
	mux.HandleFunc("GET /v1.0/reports/partners/billing/operations/{id}", s.partnerGraph(s.billingOperation))
	mux.HandleFunc("GET /blobs/billed/{op}/{name}", s.billingBlob)
	mux.HandleFunc("POST /v1.0/users/{id}/sendMail", s.partnerGraph(s.sendMail))
	mux.HandleFunc("GET /v1/customers", s.partnerCenter(s.pcCustomers))
	mux.HandleFunc("GET /v1/customers/{customer}/subscriptions", s.partnerCenter(s.pcSubscriptions))
	// Control endpoints of the simulation itself, for a server run from the CLI.
	mux.HandleFunc("POST /sandbox/advance", func(w http.ResponseWriter, r *http.Request) {
		events := s.Advance()
		writeJSON(w, http.StatusOK, map[string]any{"now": s.Now(), "events": events})
	})
	mux.HandleFunc("GET /sandbox/truth", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.Truth())
	})
	mux.HandleFunc("GET /sandbox/stats", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]int64{"requests": s.stats.Requests.Load(), "downloads": s.stats.Downloads.Load(), "throttled": s.stats.Throttled.Load(),
			"faults": s.stats.Faults.Load(), "tokens": s.stats.Tokens.Load(), "connections": s.stats.Connections.Load()})
	})
	return mux
}

func (s *Server) openIDConfiguration(w http.ResponseWriter, r *http.Request) {
	base := s.srv.URL + "/" + r.PathValue("tenant")
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                base + "/v2.0",
		"authorization_endpoint":                base + "/oauth2/v2.0/authorize",
		"token_endpoint":                        base + "/oauth2/v2.0/token",
		"jwks_uri":                              s.srv.URL + "/discovery/v2.0/keys",
		"response_types_supported":              []string{"code", "id_token", "token"},
		"subject_types_supported":               []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"tenant_region_scope":                   "EU",
	})
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	s.stats.Tokens.Add(1)
	tenant := r.PathValue("tenant")
	if err := r.ParseForm(); err != nil {
		graphError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	if s.userToken(w, r, tenant) {
		return
	}
	if r.PostForm.Get("client_id") != s.opts.ClientID || r.PostForm.Get("client_secret") != s.opts.ClientSecret {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided."})
		return
	}
	s.mu.RLock()
	// The partner's own tenant signs in for Partner Center.
	known := s.world.Tenant(tenant) != nil || tenant == PartnerTenantID
	s.mu.RUnlock()
	if !known {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_request", "error_description": "AADSTS90002: Tenant '" + tenant + "' not found."})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599,
		"access_token": "sandbox." + tenant + "." + audience(r.PostForm.Get("scope")) + fmt.Sprint(rand.Uint64()),
	})
}

// audience marks a token asked for Partner Center's scope, so that the Partner
// Center API can refuse one meant for Graph.
func audience(scope string) string {
	if strings.Contains(scope, "partnercenter") {
		return "pc"
	}
	return ""
}

// graph authenticates a Graph request, applies throttling, latency and faults, and
// hands the tenant to the handler.
func (s *Server) graph(h func(w http.ResponseWriter, r *http.Request, t *Tenant)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.stats.Requests.Add(1)
		auth := r.Header.Get("Authorization")
		parts := strings.Split(strings.TrimPrefix(auth, "Bearer "), ".")
		if !strings.HasPrefix(auth, "Bearer ") || len(parts) != 3 || parts[0] != "sandbox" {
			graphError(w, http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token is empty.")
			return
		}
		tenantID := parts[1]
		if s.opts.Latency > 0 {
			time.Sleep(s.opts.Latency)
		}
		if wait, ok := s.admit(tenantID); !ok {
			s.stats.Throttled.Add(1)
			retryAfter := fmt.Sprint(int(math.Ceil(wait.Seconds())))
			if s.opts.RetryAfter != "" {
				retryAfter = s.opts.RetryAfter
			}
			w.Header().Set("Retry-After", retryAfter)
			graphError(w, http.StatusTooManyRequests, "TooManyRequests", "Too many requests, retry later.")
			return
		}
		s.failMu.Lock()
		failing := s.failing[tenantID]
		s.failMu.Unlock()
		switch x := rand.Float64(); {
		case failing || x < s.opts.FaultRate:
			s.stats.Faults.Add(1)
			graphError(w, http.StatusInternalServerError, "generalException", "An internal server error occurred.")
			return
		case x < s.opts.FaultRate+s.opts.ResetRate:
			s.stats.Faults.Add(1)
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					conn.Close()
					return
				}
			}
		case x < s.opts.FaultRate+s.opts.ResetRate+s.opts.MalformedRate:
			s.stats.Faults.Add(1)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write([]byte(`{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#users","value":[{"id":"`))
			return
		}
		s.mu.RLock()
		t := s.world.Tenant(tenantID)
		if t == nil {
			s.mu.RUnlock()
			graphError(w, http.StatusUnauthorized, "InvalidAuthenticationToken", "Unknown tenant.")
			return
		}
		h(w, r, t)
		s.mu.RUnlock()
	}
}

// admit counts a request against the tenant's budget for the current window.
func (s *Server) admit(tenant string) (time.Duration, bool) {
	if s.opts.ThrottleLimit <= 0 {
		return 0, true
	}
	s.failMu.Lock()
	defer s.failMu.Unlock()
	now := time.Now()
	if at, ok := s.throttled[tenant]; ok {
		s.retryGaps = append(s.retryGaps, now.Sub(at))
		delete(s.throttled, tenant)
	}
	win := s.throttle[tenant]
	if win == nil || now.Sub(win.start) >= s.opts.ThrottleWindow {
		win = &window{start: now}
		s.throttle[tenant] = win
	}
	win.count++
	if win.count > s.opts.ThrottleLimit {
		s.throttled[tenant] = now
		return s.opts.ThrottleWindow - now.Sub(win.start), false
	}
	return 0, true
}

// RetryGaps are the times between a 429 to a tenant and that tenant's next request:
// how long clients waited before retrying.
func (s *Server) RetryGaps() []time.Duration {
	s.failMu.Lock()
	defer s.failMu.Unlock()
	return append([]time.Duration(nil), s.retryGaps...)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func graphError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"code": code, "message": message,
		"innerError": map[string]any{"date": time.Now().UTC().Format(time.RFC3339), "request-id": fmt.Sprint(rand.Uint64())}}})
}
