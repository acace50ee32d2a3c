// Package graph is seatledger's only door to Microsoft Graph and Entra ID, and the
// only package that imports msgraph-sdk-go and azidentity (they take minutes to
// compile). It signs in to each customer tenant as the partner's app and hands out
// plain inventory values.
package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	kiotaauth "github.com/microsoft/kiota-authentication-azure-go"
	kiotahttp "github.com/microsoft/kiota-http-go"
	msgraph "github.com/microsoftgraph/msgraph-sdk-go"
	"github.com/seatledger/seatledger/internal/entra"
	"github.com/seatledger/seatledger/internal/mshttp"
)

// Config is how to reach Graph as the partner's app.
type Config struct {
	ClientID string
	// Either a client secret or a PEM file with the certificate and its private key.
	ClientSecret    string
	CertificateFile string
	// Cloud picks the hosts: global, usgov, usgovdod, china.
	Cloud string
	// BaseURL, AuthorityHost and CAFile override the cloud's hosts and the trusted
	// roots (the simulated cloud, TLS-inspecting proxies).
	BaseURL       string
	AuthorityHost string
	CAFile        string
	// RequestTimeout bounds each HTTP request, retries included.
	RequestTimeout time.Duration
	// PageSize is $top for users (1-999).
	PageSize int
	// SpillUsersAfter is how many of a tenant's users are held in memory before the
	// rest go to a temporary file (default inventory.DefaultSpillAfter).
	SpillUsersAfter int
	Log             *slog.Logger
	// Observe, when set, is told the status of every answer Graph gives (0 when the
	// request got none), retries included: the service's metrics count them.
	Observe func(status int)
}

type cloudHosts struct{ authority, graph string }

var clouds = map[string]cloudHosts{
	"global":   {"https://login.microsoftonline.com/", "https://graph.microsoft.com/v1.0"},
	"usgov":    {"https://login.microsoftonline.us/", "https://graph.microsoft.us/v1.0"},
	"usgovdod": {"https://login.microsoftonline.us/", "https://dod-graph.microsoft.us/v1.0"},
	"china":    {"https://login.chinacloudapi.cn/", "https://microsoftgraph.chinacloudapi.cn/v1.0"},
}

// Client reads customer tenants. It is safe for concurrent use; credentials and
// request adapters are created once per tenant and reused.
type Client struct {
	cfg       Config
	baseURL   string
	authority string
	graphHost string
	authHTTP  *http.Client
	graphHTTP *http.Client
	// blobHTTP reads the billed export's blobs from Azure Storage: no token, no
	// redirects.
	blobHTTP  *http.Client
	app       *entra.App
	mu        sync.Mutex
	perTenant map[string]*tenantClient

	// graphOrigin is the scheme and host:port of graph.base_url: the only place
	// users' nextLinks may lead.
	graphOrigin string
}

// New validates the configuration and prepares the HTTP clients.
func New(cfg Config) (*Client, error) {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Cloud == "" {
		cfg.Cloud = "global"
	}
	hosts, ok := clouds[cfg.Cloud]
	if !ok {
		return nil, fmt.Errorf("graph.cloud: %q is not allowed (allowed: global, usgov, usgovdod, china)", cfg.Cloud)
	}
	if cfg.ClientID == "" {
		return nil, errors.New("graph.client_id is required to read tenants")
	}
	app, err := entra.NewApp(cfg.ClientID, cfg.ClientSecret, cfg.CertificateFile)
	if err != nil {
		return nil, fmt.Errorf("graph: %w", err)
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = 60 * time.Second
	}
	if cfg.PageSize <= 0 || cfg.PageSize > 999 {
		cfg.PageSize = 999
	}
	c := &Client{cfg: cfg, app: app, baseURL: hosts.graph, authority: hosts.authority, perTenant: map[string]*tenantClient{}}
	if cfg.BaseURL != "" {
		c.baseURL = cfg.BaseURL
	}
	if cfg.AuthorityHost != "" {
		c.authority = cfg.AuthorityHost
	}
	u, err := url.Parse(c.baseURL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("graph.base_url: %q is not a URL", c.baseURL)
	}
	c.graphHost = u.Hostname()
	c.graphOrigin = origin(u)

	transport, err := mshttp.Transport(cfg.CAFile, 256)
	if err != nil {
		return nil, err
	}
	c.authHTTP = &http.Client{Transport: transport, Timeout: cfg.RequestTimeout}
	c.blobHTTP = &http.Client{Transport: transport, Timeout: cfg.RequestTimeout * 4,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	c.graphHTTP = &http.Client{
		Transport:     kiotahttp.NewCustomTransportWithParentTransport(countRequests{next: bufferDiscardable{transport}, observe: cfg.Observe}, middlewares()...),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       cfg.RequestTimeout * 4,
	}

	return c, nil
}

type tenantClient struct {
	graph   *msgraph.GraphServiceClient
	adapter *msgraph.GraphRequestAdapter
}

// forTenant returns the Graph client signed in to one customer tenant, creating its
// credential on first use. The token is requested with the customer's tenant id as
// authority, which is how a multi-tenant app reads a customer.
func (c *Client) forTenant(tenantID string) (*tenantClient, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if tc, ok := c.perTenant[tenantID]; ok {
		return tc, nil
	}
	cred, err := c.app.Credential(tenantID, c.authority, c.cfg.AuthorityHost != "", c.authHTTP)
	if err != nil {
		return nil, fmt.Errorf("credential for tenant %s: %w", tenantID, err)
	}
	scope := "https://graph.microsoft.com/.default"
	if h, ok := clouds[c.cfg.Cloud]; ok && c.cfg.Cloud != "global" {
		u, _ := url.Parse(h.graph)
		scope = "https://" + u.Host + "/.default"
	}
	auth, err := kiotaauth.NewAzureIdentityAuthenticationProviderWithScopesAndValidHosts(cred, []string{scope}, []string{c.graphHost})
	if err != nil {
		return nil, fmt.Errorf("auth provider for tenant %s: %w", tenantID, err)
	}
	adapter, err := msgraph.NewGraphRequestAdapterWithParseNodeFactoryAndSerializationWriterFactoryAndHttpClient(auth, nil, nil, c.graphHTTP)
	if err != nil {
		return nil, fmt.Errorf("graph adapter for tenant %s: %w", tenantID, err)
	}
	adapter.SetBaseUrl(c.baseURL)
	tc := &tenantClient{graph: msgraph.NewGraphServiceClient(adapter), adapter: adapter}
	c.perTenant[tenantID] = tc
	return tc, nil
}

// withTimeout runs one Graph call under the per-request timeout.
func (c *Client) withTimeout(ctx context.Context, fn func(ctx context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.RequestTimeout)
	defer cancel()
	return fn(ctx)
}
