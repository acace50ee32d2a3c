package partnercenter

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"

	"github.com/seatledger/seatledger/internal/ids"
	"github.com/seatledger/seatledger/internal/mshttp"
)

// The Partner API (api.partner.microsoft.com: price sheets, offer matrix) takes no
// app-only token: a Partner Center user in the Admin Agent or Sales Agent role signs
// in once with the device code flow, and every later download gets its token
// silently from the encrypted token cache, refreshed with the user's refresh token.

// DelegatedConfig is how a Partner Center user signs in and where the Partner API is.
type DelegatedConfig struct {
	// PartnerTenantID is the partner's own tenant, where its Partner Center users are.
	PartnerTenantID string
	// ClientID is the app registration the user signs in to; it must allow public
	// client flows (device code).
	ClientID string
	// Cloud picks the sign-in host: global, usgov, usgovdod, china.
	Cloud string
	// AuthorityHost overrides the cloud's sign-in host (the simulated cloud); BaseURL
	// overrides the Partner API root, https://api.partner.microsoft.com.
	AuthorityHost string
	BaseURL       string
	CAFile        string
	// CacheFile is where the encrypted token cache lives; CacheKey its 32-byte key.
	CacheFile string
	CacheKey  []byte
	// RequestTimeout bounds each HTTP request (default 5 minutes: a market's price
	// list runs to tens of MB). MaxRetries bounds the retries of one download after a
	// 429, a 5xx or a cut-off transfer (default 5); MaxDelay bounds one wait (default 1
	// minute).
	RequestTimeout time.Duration
	MaxRetries     int
	MaxDelay       time.Duration
	Log            *slog.Logger
	// Observe, when set, is told the status of every download answer (0 when a
	// request got none), retries included: the service's metrics count them.
	Observe func(status int)
}

// partnerAPIHosts is the Partner API per cloud. Only the global one is documented;
// the others must be named with partner_center.partner_api_base_url.
var partnerAPIHosts = map[string]string{"global": "https://api.partner.microsoft.com"}

// partnerAPIScope is what a delegated token for the Partner API is asked for; MSAL adds
// openid, profile and offline_access (the refresh token).
const partnerAPIScope = "https://api.partner.microsoft.com/.default"

// Delegated signs a Partner Center user in and downloads from the Partner API as that
// user. It is safe for concurrent use.
type Delegated struct {
	cfg           DelegatedConfig
	base          *url.URL
	pca           public.Client
	cache         *FileCache
	http          *http.Client
	retry         retrier
	correlationID string
}

// User is who is signed in: no secret, only names.
type User struct {
	Username string `json:"username"`
	Name     string `json:"name,omitempty"`
	TenantID string `json:"tenantId"`
	// Authority is the sign-in host the user signed in at.
	Authority string `json:"authority"`
}

func (u User) String() string {
	if u.Name != "" && u.Name != u.Username {
		return fmt.Sprintf("%s (%s)", u.Username, u.Name)
	}
	return u.Username
}

// NewDelegated validates the configuration and opens the token cache; it makes no
// request.
func NewDelegated(cfg DelegatedConfig) (*Delegated, error) {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	cfg.Cloud = cmp.Or(cfg.Cloud, "global")
	hosts, err := cloudOf(cfg.Cloud)
	if err != nil {
		return nil, err
	}
	tenant, ok := ids.ParseGUID(cfg.PartnerTenantID)
	if !ok {
		return nil, errors.New("partner.tenant_id is required to sign in to Partner Center (the partner's own tenant id)")
	}
	if _, ok := ids.ParseGUID(cfg.ClientID); !ok {
		return nil, errors.New("partner_center.delegated_client_id (or graph.client_id) is required to sign in to Partner Center: the app registration's client id")
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = 5 * time.Minute
	}
	if cfg.MaxRetries <= 0 {
		cfg.MaxRetries = 5
	}
	if cfg.MaxDelay <= 0 {
		cfg.MaxDelay = time.Minute
	}
	baseURL := cfg.BaseURL
	if baseURL == "" {
		if baseURL, ok = partnerAPIHosts[cfg.Cloud]; !ok {
			return nil, fmt.Errorf("partner_center.partner_api_base_url: the Partner API of the %s cloud is not known here; set its root", cfg.Cloud)
		}
	}
	base, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil || base.Host == "" || (base.Scheme != "https" && base.Scheme != "http") {
		return nil, errors.New("partner_center.partner_api_base_url: not an http(s) URL")
	}
	authority := hosts.authority
	if cfg.AuthorityHost != "" {
		authority = cfg.AuthorityHost
	}
	fc, err := NewFileCache(cfg.CacheFile, cfg.CacheKey)
	if err != nil {
		return nil, err
	}
	transport, err := mshttp.Transport(cfg.CAFile, 4)
	if err != nil {
		return nil, err
	}
	d := &Delegated{cfg: cfg, base: base, cache: fc, correlationID: newGUID(),
		http: &http.Client{Transport: transport, Timeout: cfg.RequestTimeout,
			// A redirect would carry the user's token to wherever it points.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		retry: retrier{max: cfg.MaxRetries, maxDelay: cfg.MaxDelay, sleep: mshttp.Sleep, log: cfg.Log}}
	d.pca, err = public.New(cfg.ClientID,
		public.WithAuthority(strings.TrimRight(authority, "/")+"/"+tenant),
		public.WithCache(fc),
		public.WithHTTPClient(&http.Client{Transport: transport, Timeout: 30 * time.Second}),
		// The simulated cloud and a sovereign host serve no instance discovery.
		public.WithInstanceDiscovery(cfg.AuthorityHost == ""))
	if err != nil {
		return nil, fmt.Errorf("partner center sign-in: %w", err)
	}
	return d, nil
}

// CacheFile is the token cache's path.
func (d *Delegated) CacheFile() string { return d.cache.Path() }

// Login signs a user in with the device code flow: prompt gets Microsoft's message
// (open this page, enter this code) and Login waits until the user has signed in,
// declined, or the code expired. The user replaces whoever was signed in before.
func (d *Delegated) Login(ctx context.Context, prompt func(message string)) (User, error) {
	// A cache this key cannot read holds nothing usable; the new sign-in replaces it.
	if _, err := d.cache.read(); errors.Is(err, ErrSignIn) {
		d.cfg.Log.Warn("unreadable Partner Center token cache replaced by a new sign-in", "file", d.cache.Path())
		if err := d.cache.Remove(); err != nil {
			return User{}, err
		}
	}
	dc, err := d.pca.AcquireTokenByDeviceCode(ctx, []string{partnerAPIScope})
	if err != nil {
		return User{}, fmt.Errorf("partner center sign-in: %s", signInReason(err))
	}
	prompt(dc.Result.Message)
	res, err := dc.AuthenticationResult(ctx)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			return User{}, errors.New("partner center sign-in: the code expired before it was entered; run `seatledger partner-center login` again")
		}
		return User{}, fmt.Errorf("partner center sign-in: %s", signInReason(err))
	}
	accounts, err := d.pca.Accounts(ctx)
	if err != nil {
		return User{}, fmt.Errorf("partner center sign-in: %w", err)
	}
	for _, a := range accounts {
		if a.HomeAccountID != res.Account.HomeAccountID {
			if err := d.pca.RemoveAccount(ctx, a); err != nil {
				return User{}, fmt.Errorf("partner center sign-in: forget %s: %w", a.PreferredUsername, err)
			}
		}
	}
	u := userOf(res.Account)
	d.cfg.Log.Info("partner center user signed in", "user", u.Username, "tenant", u.TenantID)
	return u, nil
}

// Status is who is signed in. The sign-in is checked by getting a token (from the
// cache, or refreshed): err wraps ErrSignIn when nobody is signed in or the sign-in
// no longer works, with the user filled in when one is known.
func (d *Delegated) Status(ctx context.Context) (User, error) {
	acct, err := d.account(ctx)
	if err != nil {
		return User{}, err
	}
	_, err = d.token(ctx)
	return userOf(acct), err
}

// Logout forgets the signed-in user: the token cache file is removed. It tells
// whether there was one.
func (d *Delegated) Logout() (bool, error) {
	existed := d.cache.Exists()
	if err := d.cache.Remove(); err != nil {
		return false, err
	}
	return existed, nil
}

func (d *Delegated) account(ctx context.Context) (public.Account, error) {
	accounts, err := d.pca.Accounts(ctx)
	if err != nil {
		return public.Account{}, err
	}
	if len(accounts) == 0 {
		return public.Account{}, fmt.Errorf("partner center: nobody is signed in: %w", ErrSignIn)
	}
	return accounts[0], nil
}

// token is an access token for the Partner API, from the cache or refreshed with the
// refresh token (the cache file then holds the rotated one).
func (d *Delegated) token(ctx context.Context) (string, error) {
	acct, err := d.account(ctx)
	if err != nil {
		return "", err
	}
	res, err := d.pca.AcquireTokenSilent(ctx, []string{partnerAPIScope}, public.WithSilentAccount(acct))
	if err == nil {
		return res.AccessToken, nil
	}
	if errors.Is(err, ErrSignIn) || ctx.Err() != nil {
		return "", err
	}
	reason := signInReason(err)
	if expired(err) {
		return "", fmt.Errorf("partner center: the sign-in of %s expired or was revoked (%s): %w", acct.PreferredUsername, reason, ErrSignIn)
	}
	return "", &TokenError{Err: errors.New(reason)}
}

func userOf(a public.Account) User {
	return User{Username: a.PreferredUsername, Name: a.Name, TenantID: a.Realm, Authority: a.Environment}
}

// expired tells a refresh that only a new sign-in mends: the refresh token expired,
// was revoked, or needs the user (a password change, MFA, consent), or there is none.
func expired(err error) bool {
	msg := err.Error()
	for _, s := range []string{"invalid_grant", "interaction_required", "no token found", "consent_required"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// signInReason is what Entra said, without the request MSAL's error quotes: the
// error code and description of its JSON answer when there is one.
func signInReason(err error) string {
	msg := err.Error()
	if i := strings.IndexByte(msg, '{'); i >= 0 {
		var e struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
		}
		if json.Unmarshal([]byte(msg[i:]), &e) == nil && e.Error != "" {
			switch e.Error {
			case "authorization_declined":
				return "the user declined the sign-in"
			case "expired_token":
				return "the code expired before it was entered; run `seatledger partner-center login` again"
			}
			d, _, _ := strings.Cut(e.Description, "\r\n")
			if len(d) > 300 {
				d = d[:300]
			}
			return strings.TrimSpace(e.Error + ": " + d)
		}
	}
	if len(msg) > 300 {
		msg = msg[:300]
	}
	return msg
}
