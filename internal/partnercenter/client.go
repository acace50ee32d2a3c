// Package partnercenter is seatledger's door to the Partner Center REST API: the
// partner's own view of its customers and of the subscriptions it sold them, with the
// terms Graph does not give. It signs in to the partner's own tenant as the same app
// that reads Graph (app-only access) and hands out plain inventory values.
package partnercenter

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/seatledger/seatledger/internal/entra"
	"github.com/seatledger/seatledger/internal/ids"
	"github.com/seatledger/seatledger/internal/inventory"
	"github.com/seatledger/seatledger/internal/mshttp"
)

// Config is how to reach Partner Center as the partner's app.
type Config struct {
	// PartnerTenantID is the partner's own Entra tenant: the token is for it.
	PartnerTenantID string
	ClientID        string
	// Either a client secret or a PEM file with the certificate and its private key.
	ClientSecret    string
	CertificateFile string
	// Cloud picks the hosts: global, usgov, usgovdod, china.
	Cloud string
	// BaseURL (the API root, without /v1), AuthorityHost and CAFile override the
	// cloud's hosts and the trusted roots.
	BaseURL       string
	AuthorityHost string
	CAFile        string
	// RequestTimeout bounds each HTTP request, retries included.
	RequestTimeout time.Duration
	// MaxRetries bounds the retries of one request after a 429 or 5xx (default 5);
	// MaxDelay bounds one wait (default 1 minute).
	MaxRetries int
	MaxDelay   time.Duration
	Log        *slog.Logger
	// Observe, when set, is told the status of every answer (0 when a request got
	// none), retries included: the service's metrics count them.
	Observe func(status int)
}

type cloudHosts struct{ authority, api, scope string }

// clouds are Partner Center's hosts per Microsoft cloud. Only the global one is
// confirmed here; the others follow Microsoft's documentation for national clouds
// and can be overridden with partner_center.base_url.
var clouds = map[string]cloudHosts{
	"global":   {"https://login.microsoftonline.com/", "https://api.partnercenter.microsoft.com", "https://api.partnercenter.microsoft.com/.default"},
	"usgov":    {"https://login.microsoftonline.us/", "https://api.partnercenter.microsoft.us", "https://api.partnercenter.microsoft.us/.default"},
	"usgovdod": {"https://login.microsoftonline.us/", "https://api.partnercenter.microsoft.us", "https://api.partnercenter.microsoft.us/.default"},
	"china":    {"https://login.chinacloudapi.cn/", "https://partner.partnercenterapi.microsoftonline.cn", "https://partnercenterapi.microsoftonline.cn/.default"},
}

// cloudOf is a Microsoft cloud's hosts by graph.cloud's name, the global cloud's when
// the name is empty.
func cloudOf(name string) (cloudHosts, error) {
	hosts, ok := clouds[cmp.Or(name, "global")]
	if !ok {
		return cloudHosts{}, fmt.Errorf("graph.cloud: %q is not allowed (allowed: global, usgov, usgovdod, china)", name)
	}
	return hosts, nil
}

// Client reads the partner's customers and subscriptions. It is safe for concurrent
// use. One client serves one run: its MS-CorrelationId ties the run's requests
// together in Partner Center's logs.
type Client struct {
	cfg           Config
	base          *url.URL
	scope         string
	http          *http.Client
	cred          azcore.TokenCredential
	correlationID string
	// sleep waits between retries; tests may shorten it.
	sleep func(ctx context.Context, d time.Duration) error

	mu    sync.Mutex
	token azcore.AccessToken
}

// New validates the configuration and prepares the credential.
func New(cfg Config) (*Client, error) {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	hosts, err := cloudOf(cfg.Cloud)
	if err != nil {
		return nil, err
	}
	tenant, ok := ids.ParseGUID(cfg.PartnerTenantID)
	if !ok {
		return nil, errors.New("partner.tenant_id is required to read Partner Center (the partner's own tenant id)")
	}
	if cfg.ClientID == "" {
		return nil, errors.New("graph.client_id is required to read Partner Center")
	}
	app, err := entra.NewApp(cfg.ClientID, cfg.ClientSecret, cfg.CertificateFile)
	if err != nil {
		return nil, fmt.Errorf("partner center: %w", err)
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = 60 * time.Second
	}
	if cfg.MaxRetries <= 0 {
		cfg.MaxRetries = 5
	}
	if cfg.MaxDelay <= 0 {
		cfg.MaxDelay = time.Minute
	}
	baseURL, authority := hosts.api, hosts.authority
	if cfg.BaseURL != "" {
		baseURL = cfg.BaseURL
	}
	if cfg.AuthorityHost != "" {
		authority = cfg.AuthorityHost
	}
	base, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil || base.Host == "" || (base.Scheme != "https" && base.Scheme != "http") {
		return nil, fmt.Errorf("partner_center.base_url: %q is not a URL", baseURL)
	}
	transport, err := mshttp.Transport(cfg.CAFile, 16)
	if err != nil {
		return nil, err
	}
	c := &Client{cfg: cfg, base: base, scope: hosts.scope, correlationID: newGUID(), sleep: mshttp.Sleep,
		http: &http.Client{Transport: transport, Timeout: cfg.RequestTimeout,
			// A redirect would carry the partner's token to wherever it points.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}

	c.cred, err = app.Credential(tenant, authority, cfg.AuthorityHost != "", &http.Client{Transport: transport, Timeout: cfg.RequestTimeout})
	if err != nil {
		return nil, fmt.Errorf("partner center credential: %w", err)
	}
	return c, nil
}

// CorrelationID is the MS-CorrelationId every request of this client carries.
func (c *Client) CorrelationID() string { return c.correlationID }

// Customers lists the partner's customers, every page.
func (c *Client) Customers(ctx context.Context) ([]inventory.PartnerCustomer, error) {
	var out []inventory.PartnerCustomer
	err := c.list(ctx, "/v1/customers?size=500", func(body []byte) (next, error) {
		page, n, err := decodeCustomers(body)
		out = append(out, page...)
		return n, err
	})
	if err != nil {
		return nil, fmt.Errorf("partner center customers: %w", err)
	}
	return out, nil
}

// Subscriptions lists the subscriptions the partner sold one customer, NCE or not.
func (c *Client) Subscriptions(ctx context.Context, customerTenantID string) ([]inventory.PartnerSubscription, error) {
	id, ok := ids.ParseGUID(customerTenantID)
	if !ok {
		return nil, fmt.Errorf("partner center subscriptions: customer %q is not a tenant id", customerTenantID)
	}
	var out []inventory.PartnerSubscription
	err := c.list(ctx, "/v1/customers/"+id+"/subscriptions", func(body []byte) (next, error) {
		page, n, err := decodeSubscriptions(body)
		out = append(out, page...)
		return n, err
	})
	if err != nil {
		return nil, fmt.Errorf("partner center subscriptions of %s: %w", id, err)
	}
	return out, nil
}

// maxPages stops a collection whose continuation never ends.
const maxPages = 10000

// list reads a collection page by page, following links.next with its continuation
// token.
func (c *Client) list(ctx context.Context, path string, page func(body []byte) (next, error)) error {
	target, token := path, ""
	for range maxPages {
		body, err := c.get(ctx, target, token)
		if err != nil {
			return err
		}
		n, err := page(body)
		if err != nil {
			return fmt.Errorf("GET %s: %w", target, err)
		}
		if n.empty() {
			return nil
		}
		if n.URI == "" {
			n.URI = path // a bare token continues the same request
		}
		target, token = n.URI, n.Token
	}
	return fmt.Errorf("GET %s: more than %d pages", path, maxPages)
}

// resolve turns a link of Partner Center's into a URL on the API's host. Its links
// are relative to the version root ("/customers?..." for "/v1/customers?...").
func (c *Client) resolve(ref string) (*url.URL, error) {
	u, err := url.Parse(ref)
	if err != nil {
		return nil, fmt.Errorf("link %q: %w", ref, err)
	}
	if u.IsAbs() {
		// The token goes only to the API's own host.
		if u.Host != c.base.Host {
			return nil, fmt.Errorf("link %q leaves %s", ref, c.base.Host)
		}
		return u, nil
	}
	p := u.Path
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	if !strings.HasPrefix(p, "/v1/") {
		p = "/v1" + p
	}
	out := *c.base
	out.Path = strings.TrimRight(c.base.Path, "/") + p
	out.RawQuery = u.RawQuery
	return &out, nil
}

// StatusError is an answer other than success after the retries.
type StatusError struct {
	Status int
	// Description is Partner Center's description of the error, when it gave one.
	Description string
}

func (e *StatusError) Error() string {
	if e.Description != "" {
		return fmt.Sprintf("HTTP %d: %s", e.Status, e.Description)
	}
	return fmt.Sprintf("HTTP %d", e.Status)
}

const maxBody = 64 << 20

// get sends one GET, retrying 429 and 5xx answers, and returns the body.
func (c *Client) get(ctx context.Context, ref, continuation string) ([]byte, error) {
	u, err := c.resolve(ref)
	if err != nil {
		return nil, err
	}
	return c.retry().do(ctx, u.Path, func() answer {
		body, status, retryAfter, err := c.once(ctx, u.String(), continuation)
		return answer{body: body, status: status, retryAfter: retryAfter, err: err}
	})
}

func (c *Client) retry() retrier {
	return retrier{max: c.cfg.MaxRetries, maxDelay: c.cfg.MaxDelay, sleep: c.sleep, log: c.cfg.Log}
}

// once sends one request; a transport error (a dropped connection) is returned as
// err so that get retries it, as Partner Center's reads are idempotent.
func (c *Client) once(ctx context.Context, target, continuation string) ([]byte, int, string, error) {
	tok, err := c.accessToken(ctx)
	if err != nil {
		return nil, 0, "", &TokenError{Err: err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, 0, "", err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("MS-RequestId", newGUID())
	req.Header.Set("MS-CorrelationId", c.correlationID)
	if continuation != "" {
		req.Header.Set("MS-ContinuationToken", continuation)
	}
	resp, err := c.http.Do(req)
	if c.cfg.Observe != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		c.cfg.Observe(status)
	}
	if err != nil {
		return nil, 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, 0, "", err
	}
	return body, resp.StatusCode, resp.Header.Get("Retry-After"), nil
}

// TokenError is a failure to sign in to the partner's tenant: the AADSTS reason is in
// its message. It is not retried.
type TokenError struct{ Err error }

func (e *TokenError) Error() string { return "sign-in to the partner tenant: " + e.Err.Error() }
func (e *TokenError) Unwrap() error { return e.Err }

// accessToken returns a token for Partner Center, refreshed five minutes before it
// expires.
func (c *Client) accessToken(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token.Token != "" && time.Until(c.token.ExpiresOn) > 5*time.Minute {
		return c.token.Token, nil
	}
	tok, err := c.cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{c.scope}})
	if err != nil {
		return "", err
	}
	c.token = tok
	return tok.Token, nil
}

// errorDescription picks Partner Center's description out of an error answer.
func errorDescription(body []byte) string {
	var e struct {
		Code        any    `json:"code"`
		Description string `json:"description"`
		Message     string `json:"message"`
		Error       struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(body, &e); err != nil {
		return ""
	}
	d := firstNonEmpty(e.Description, e.Message, e.Error.Message)
	if len(d) > 300 {
		d = d[:300]
	}
	return d
}

func firstNonEmpty(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}

func newGUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
