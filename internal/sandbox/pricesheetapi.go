package sandbox

import (
	"archive/zip"
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The Partner API of the simulated partner (api.partner.microsoft.com: price sheets
// and the offer matrix) and the device code sign-in of its Partner Center user, as
// MSAL drives them: a device code, authorization_pending until the simulated user
// approves (after the first poll), then an access token, a refresh token, an id_token
// and client_info; refresh tokens rotate on every use. The Partner API takes only
// those user tokens: an app-only token is refused, as Partner Center refuses it.

// SignInOutcome is what the simulated user does with a device code.
type SignInOutcome int

const (
	// SignInApproved: the user enters the code and signs in (the default).
	SignInApproved SignInOutcome = iota
	// SignInDeclined: the user declines the sign-in.
	SignInDeclined
	// SignInExpired: the code expires before the user enters it.
	SignInExpired
)

// DownloadFault is what a Partner API download is answered with instead of its file.
type DownloadFault int

const (
	// DownloadThrottled: 429 with Retry-After.
	DownloadThrottled DownloadFault = iota + 1
	// DownloadCutOff: the body stops halfway short of its Content-Length.
	DownloadCutOff
	// DownloadCutOffClean: the connection closes mid-line after a 200 that named no
	// length, so that only the CSV itself shows it is incomplete.
	DownloadCutOffClean
)

// PartnerUser is the simulated partner's Partner Center user (Admin Agent).
var PartnerUser = struct{ ObjectID, Username, Name string }{
	"7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f", "sales.agent@sandbox-partner.onmicrosoft.com", "Sam Sales",
}

// userSignIn is the state of the device code sign-in and of the user tokens issued.
type userSignIn struct {
	mu      sync.Mutex
	codes   map[string]*deviceCodeState
	refresh map[string]bool
	access  map[string]time.Time
	outcome SignInOutcome
	// lifetime of user access tokens (default 1 hour); MSAL refreshes a token
	// expiring within 5 minutes, so a short one makes every download refresh.
	lifetime time.Duration
	// downloads counts authorised Partner API downloads; every fifth, from the
	// second, is throttled and every fifth, from the fourth, cut off, unless
	// faultsOff. queued faults come first.
	downloads int
	faultsOff bool
	queued    []DownloadFault
}

type deviceCodeState struct {
	polls   int
	scope   string
	outcome SignInOutcome
}

func (u *userSignIn) init() {
	if u.codes == nil {
		u.codes, u.refresh, u.access = map[string]*deviceCodeState{}, map[string]bool{}, map[string]time.Time{}
	}
}

// SetSignInOutcome decides what the simulated user does with the next device codes.
func (s *Server) SetSignInOutcome(o SignInOutcome) {
	s.signIn.mu.Lock()
	defer s.signIn.mu.Unlock()
	s.signIn.outcome = o
}

// RevokeSignIns revokes every refresh token issued, as an administrator revoking the
// user's sessions does; access tokens stay valid until they expire.
func (s *Server) RevokeSignIns() {
	s.signIn.mu.Lock()
	defer s.signIn.mu.Unlock()
	s.signIn.init()
	clear(s.signIn.refresh)
}

// SetUserTokenLifetime sets the lifetime of the user access tokens issued from now.
func (s *Server) SetUserTokenLifetime(d time.Duration) {
	s.signIn.mu.Lock()
	defer s.signIn.mu.Unlock()
	s.signIn.lifetime = d
}

// SetDownloadFaults turns the Partner API's occasional 429s and cut-off downloads on
// (the default) or off.
func (s *Server) SetDownloadFaults(on bool) {
	s.signIn.mu.Lock()
	defer s.signIn.mu.Unlock()
	s.signIn.faultsOff = !on
}

// FailNextDownloads answers the next Partner API downloads with these faults, in order.
func (s *Server) FailNextDownloads(faults ...DownloadFault) {
	s.signIn.mu.Lock()
	defer s.signIn.mu.Unlock()
	s.signIn.queued = append(s.signIn.queued, faults...)
}

// PartnerAPIDownloads is the number of authorised Partner API downloads so far,
// faulted or not.
func (s *Server) PartnerAPIDownloads() int {
	s.signIn.mu.Lock()
	defer s.signIn.mu.Unlock()
	return s.signIn.downloads
}

func randomToken(prefix string, n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// deviceCode starts a device code sign-in.
func (s *Server) deviceCode(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_request", "error_description": err.Error()})
		return
	}
	if tenant := r.PathValue("tenant"); tenant != PartnerTenantID {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_request", "error_description": "AADSTS90002: Tenant '" + tenant + "' not found."})
		return
	}
	if r.PostForm.Get("client_id") != s.opts.ClientID {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "unauthorized_client", "error_description": "AADSTS700016: Application with identifier '" + r.PostForm.Get("client_id") + "' was not found in the directory."})
		return
	}
	s.signIn.mu.Lock()
	s.signIn.init()
	code := randomToken("DC.", 24)
	s.signIn.codes[code] = &deviceCodeState{scope: r.PostForm.Get("scope"), outcome: s.signIn.outcome}
	s.signIn.mu.Unlock()
	user := strings.ToUpper(randomToken("", 4))
	verify := s.srv.URL + "/devicelogin"
	writeJSON(w, http.StatusOK, map[string]any{
		"user_code": user, "device_code": code, "verification_uri": verify, "expires_in": 900, "interval": 5,
		"message": "To sign in, use a web browser to open the page " + verify + " and enter the code " + user + " to authenticate.",
	})
}

// userToken answers the token endpoint's device_code and refresh_token grants; it
// returns false for the other grants, which the app's own sign-in answers.
func (s *Server) userToken(w http.ResponseWriter, r *http.Request, tenant string) bool {
	grant := r.PostForm.Get("grant_type")
	if grant != "device_code" && grant != "urn:ietf:params:oauth:grant-type:device_code" && grant != "refresh_token" {
		return false
	}
	fail := func(code, description string) bool {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": code, "error_description": description, "error_codes": []int{}, "timestamp": time.Now().UTC().Format(time.DateTime)})
		return true
	}
	if tenant != PartnerTenantID {
		return fail("invalid_request", "AADSTS90002: Tenant '"+tenant+"' not found.")
	}
	if r.PostForm.Get("client_id") != s.opts.ClientID {
		return fail("unauthorized_client", "AADSTS700016: Application with identifier '"+r.PostForm.Get("client_id")+"' was not found in the directory.")
	}
	u := &s.signIn
	u.mu.Lock()
	defer u.mu.Unlock()
	u.init()
	scope := r.PostForm.Get("scope")
	if grant == "refresh_token" {
		rt := r.PostForm.Get("refresh_token")
		if !u.refresh[rt] {
			return fail("invalid_grant", "AADSTS50173: The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.")
		}
		delete(u.refresh, rt) // rotated: the old one is spent
	} else {
		dc := u.codes[r.PostForm.Get("device_code")]
		switch {
		case dc == nil:
			return fail("invalid_grant", "AADSTS70000: The provided value for the input parameter 'device_code' is not valid.")
		case dc.polls == 0:
			dc.polls++
			return fail("authorization_pending", "AADSTS70016: OAuth 2.0 device flow error. Authorization is pending. Continue polling.")
		case dc.outcome == SignInDeclined:
			delete(u.codes, r.PostForm.Get("device_code"))
			return fail("authorization_declined", "AADSTS70000: The user denied the authorization request.")
		case dc.outcome == SignInExpired:
			delete(u.codes, r.PostForm.Get("device_code"))
			return fail("expired_token", "AADSTS70020: The provided value for the input parameter 'device_code' is not valid. This device code has expired.")
		}
		delete(u.codes, r.PostForm.Get("device_code"))
		if scope == "" {
			scope = dc.scope
		}
	}
	lifetime := u.lifetime
	if lifetime <= 0 {
		lifetime = time.Hour
	}
	access, refresh := randomToken("sandboxuser.", 24), randomToken("RT.", 32)
	u.access[access] = time.Now().Add(lifetime)
	u.refresh[refresh] = true
	writeJSON(w, http.StatusOK, map[string]any{
		"token_type": "Bearer", "scope": resourceScopes(scope),
		"expires_in": int(lifetime.Seconds()), "ext_expires_in": int(lifetime.Seconds()),
		"access_token": access, "refresh_token": refresh,
		"id_token":    s.idToken(r.PostForm.Get("client_id")),
		"client_info": b64json(map[string]string{"uid": PartnerUser.ObjectID, "utid": PartnerTenantID}),
	})
	return true
}

// resourceScopes are the granted scopes Entra names: the resource's, without the
// OpenID ones.
func resourceScopes(scope string) string {
	var out []string
	for _, sc := range strings.Fields(scope) {
		if sc != "openid" && sc != "profile" && sc != "offline_access" {
			out = append(out, sc)
		}
	}
	return strings.Join(out, " ")
}

// idToken is an unsigned id_token of the partner's user: MSAL reads the account
// from it without checking a signature.
func (s *Server) idToken(clientID string) string {
	now := time.Now().Unix()
	header := b64json(map[string]string{"typ": "JWT", "alg": "none"})
	claims := b64json(map[string]any{
		"aud": clientID, "iss": s.srv.URL + "/" + PartnerTenantID + "/v2.0", "iat": now, "nbf": now, "exp": now + 3600,
		"name": PartnerUser.Name, "oid": PartnerUser.ObjectID, "preferred_username": PartnerUser.Username,
		"sub": "sandbox-" + PartnerUser.ObjectID, "tid": PartnerTenantID, "ver": "2.0",
	})
	return header + "." + claims + "."
}

func b64json(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

var (
	priceSheetResource  = regexp.MustCompile(`^pricesheets\(Market='([A-Za-z]{2})',PricesheetView='([A-Za-z_]+)'\)$`)
	offerMatrixResource = regexp.MustCompile(`^offermatrix\(Month='(\d{6})'\)$`)
)

// partnerAPI serves GET /v1.0/sales/{resource}/$value: a price sheet or the offer
// matrix, to a user token only.
func (s *Server) partnerAPI(w http.ResponseWriter, r *http.Request) {
	s.stats.PartnerCenterRequests.Add(1)
	if r.PathValue("value") != "$value" {
		pcError(w, http.StatusNotFound, 404, "Resource not found")
		return
	}
	token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	u := &s.signIn
	u.mu.Lock()
	u.init()
	expires, known := u.access[token]
	u.mu.Unlock()
	switch {
	case strings.HasPrefix(token, "sandbox."):
		pcError(w, http.StatusForbidden, 403, "App only authentication is not supported for this API: sign in as a Partner Center user (App+User)")
		return
	case !known:
		pcError(w, http.StatusUnauthorized, 401, "Unauthorized: the access token is missing or not valid")
		return
	case time.Now().After(expires):
		pcError(w, http.StatusUnauthorized, 401, "Unauthorized: the access token has expired")
		return
	}
	var (
		body []byte
		name string
	)
	resource := r.PathValue("resource")
	if m := priceSheetResource.FindStringSubmatch(resource); m != nil {
		var status int
		var msg string
		body, status, msg = s.priceSheetFile(strings.ToUpper(m[1]), m[2], r.URL.Query().Get("timeline"), r.URL.Query().Get("month"))
		if status != http.StatusOK {
			pcError(w, status, status, msg)
			return
		}
		name = "pricesheet"
	} else if m := offerMatrixResource.FindStringSubmatch(resource); m != nil {
		month, err := time.Parse("200601", m[1])
		if err != nil {
			pcError(w, http.StatusBadRequest, 400, "Month must be YYYYMM")
			return
		}
		if !s.published(month) {
			pcError(w, http.StatusNotFound, 404, "No offer matrix for month "+m[1])
			return
		}
		body, name = s.OfferMatrixCSV(), "offermatrix"
	} else {
		pcError(w, http.StatusNotFound, 404, "Resource not found")
		return
	}
	if fault := s.nextDownloadFault(); fault != 0 {
		serveFault(w, fault, body)
		return
	}
	if strings.Contains(r.Header.Get("Accept-Encoding"), "deflate") {
		body = zipped(name+".csv", body)
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", "attachment; filename="+name)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// nextDownloadFault counts a download and picks its fault, if any.
func (s *Server) nextDownloadFault() DownloadFault {
	u := &s.signIn
	u.mu.Lock()
	defer u.mu.Unlock()
	u.downloads++
	if len(u.queued) > 0 {
		f := u.queued[0]
		u.queued = u.queued[1:]
		return f
	}
	if u.faultsOff {
		return 0
	}
	switch u.downloads % 5 {
	case 2:
		return DownloadThrottled
	case 4:
		if u.downloads%10 == 4 {
			return DownloadCutOff
		}
		return DownloadCutOffClean
	}
	return 0
}

func serveFault(w http.ResponseWriter, fault DownloadFault, body []byte) {
	switch fault {
	case DownloadThrottled:
		w.Header().Set("Retry-After", "1")
		pcError(w, http.StatusTooManyRequests, 429, "Rate limit is exceeded")
	case DownloadCutOff:
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		// Returning short of the Content-Length makes the server close the connection.
		_, _ = w.Write(body[:len(body)/2])
	case DownloadCutOffClean:
		hj, ok := w.(http.Hijacker)
		if !ok {
			pcError(w, http.StatusInternalServerError, 500, "cannot cut the connection")
			return
		}
		conn, buf, err := hj.Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		// Inside the last field of a line, so that the last line keeps the header's
		// number of fields and only a missing line break tells it was cut.
		cut := max(bytes.IndexByte(body[len(body)/2:], '\n')+len(body)/2-2, 1)
		_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n")
		_, _ = buf.Write(body[:cut])
		_ = buf.Flush()
	}
}

// zipped is the file compressed as Partner Center sends it on Accept-Encoding:
// deflate: a zip holding the one CSV.
func zipped(name string, data []byte) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	f, _ := zw.Create(name)
	_, _ = f.Write(data)
	_ = zw.Close()
	return buf.Bytes()
}

// priceSheetFile is a market's price list for the month the timeline names, counted
// from the world's today: current, future (next month's preview) or history with a
// month (YYYYMM) before today's.
func (s *Server) priceSheetFile(market, view, timeline, month string) ([]byte, int, string) {
	if view != "updatedlicensebased" {
		return nil, http.StatusNotFound, "The simulated Partner API serves the updatedlicensebased view only"
	}
	now := s.Now()
	this := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	var at time.Time
	switch timeline {
	case "", "current":
		at = this
	case "future":
		at = this.AddDate(0, 1, 0)
	case "history":
		m, err := time.Parse("200601", month)
		if err != nil {
			return nil, http.StatusBadRequest, "month is required with timeline=history, as YYYYMM"
		}
		if m.After(this) {
			return nil, http.StatusBadRequest, "timeline=history takes a past or the current month; next month is timeline=future"
		}
		at = m
	default:
		return nil, http.StatusBadRequest, "timeline must be history, current or future"
	}
	s.mu.RLock()
	csv, ok := s.world.PriceSheetCSV(market, at)
	s.mu.RUnlock()
	if !ok {
		return nil, http.StatusNotFound, "No price sheet for market " + market + " and month " + at.Format("200601")
	}
	return csv, http.StatusOK, ""
}

// published tells whether the world has price lists, and so an offer matrix, for
// the month.
func (s *Server) published(month time.Time) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, m := range s.world.PriceSheetMonths() {
		if m.Year() == month.Year() && m.Month() == month.Month() {
			return true
		}
	}
	return false
}
