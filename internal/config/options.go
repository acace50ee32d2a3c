// Package config reads seatledger's configuration: one YAML file whose every key can be
// overridden by an environment variable SEATLEDGER_<SECTION>_<KEY>. Every option is
// listed once, in the table below, with its default, its validation and whether it is
// a secret; secrets may also come from a file named by SEATLEDGER_<SECTION>_<KEY>_FILE.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/mail"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
	"gopkg.in/yaml.v3"

	"github.com/seatledger/seatledger/internal/dburl"
	"github.com/seatledger/seatledger/internal/export"
	"github.com/seatledger/seatledger/internal/ids"
)

// DefaultCatalogURL is Microsoft's download of "Product names and service plan
// identifiers for licensing".
const DefaultCatalogURL = "https://download.microsoft.com/download/e/3/e/e3e9faf2-f28b-490a-9ada-c6089a1fc5b0/Product%20names%20and%20service%20plan%20identifiers%20for%20licensing.csv"

// Config is the effective configuration.
type Config struct {
	Database struct {
		URL          string
		MaxOpenConns int
	}
	Log struct {
		Level  string
		Format string
	}
	Catalog struct {
		URL string
	}
	Graph struct {
		ClientID        string
		ClientSecret    string
		CertificateFile string
		Cloud           string
		BaseURL         string
		AuthorityHost   string
		CAFile          string
		Concurrency     int
		RequestTimeout  time.Duration
		PageSize        int
	}
	Partner struct {
		TenantID string
	}
	PartnerCenter struct {
		Enabled       bool
		BaseURL       string
		AuthorityHost string
		// The Partner API (price sheets, offer matrix) and its delegated sign-in.
		DelegatedClientID string
		PartnerAPIBaseURL string
		TokenCacheFile    string
		TokenCacheKey     string
		DownloadDir       string
	}
	Advice struct {
		InactiveDays    int
		TrialEndingDays int
		RenewalDays     int
		SharedMailboxGB int
		BusinessSeatCap int
	}
	Notices struct {
		// Kinds are the kinds of notice sent; CustomerKinds overrides them for a
		// customer (tenant id or external reference), empty meaning none.
		Kinds         []string
		CustomerKinds map[string][]string
		Transport     string
		OutboxDir     string
		From          string
		FromName      string
		ReplyTo       string
		SMTPHost      string
		SMTPPort      int
		SMTPSecurity  string
		SMTPAuth      string
		SMTPUsername  string
		SMTPPassword  string
		GraphMailbox  string
		PartnerName   string
		Address       []string
		LogoURL       string
		Signature     []string
		Email         string
		Phone         string
	}
	Server struct {
		Addr          string
		ShutdownGrace time.Duration
	}
	Jobs struct {
		// Timezone is the zone the schedules are read in and days and months are
		// counted in.
		Timezone        *time.Location
		SyncSchedule    string
		PricesSchedule  string
		NoticesSchedule string
		BillingSchedule string
		PriceMarkets    []string
		SyncWorkers     int
	}
	Export struct {
		// Profiles are the CSV export profiles defined in the configuration, checked,
		// in the file's order; the built-in ones are not among them.
		Profiles []export.Profile
	}
}

type option struct {
	key     string // section.key
	def     string
	doc     string
	allowed []string // when set, the only accepted values
	secret  bool     // masked when printed; may be read from a _FILE variable
	// private keys may hold a secret by mistake (a client id swapped with its secret,
	// a URL with a password or a signed query): their values never appear in errors.
	private bool
	// url values are printed through redact.URL.
	url bool
	set func(c *Config, v string) error
	get func(c *Config) string
	// list options hold a YAML list, not one value: in the file under their key, in
	// the environment as YAML or JSON text. They are set by setList (set is unused),
	// which returns every problem, each naming its key ("export.profiles[1].name").
	list    bool
	setList func(c *Config, n *yaml.Node) []error
}

var options = []option{
	{
		key: "database.url", def: "sqlite:seatledger.db",
		doc:    "postgres://USER:PASSWORD@HOST:PORT/DB selects PostgreSQL; sqlite:PATH selects the embedded database",
		secret: true, private: true, url: true,
		set: func(c *Config, v string) error {
			if err := checkDatabaseURL(v); err != nil {
				return err
			}
			c.Database.URL = v
			return nil
		},
		get: func(c *Config) string { return c.Database.URL },
	},
	{
		key: "database.max_open_conns", def: "10",
		doc: "upper bound on open database connections (1-1000)",
		set: intSetter(1, 1000, func(c *Config, n int) { c.Database.MaxOpenConns = n }),
		get: func(c *Config) string { return strconv.Itoa(c.Database.MaxOpenConns) },
	},
	{
		key: "log.level", def: "info", allowed: []string{"debug", "info", "warn", "error"},
		doc: "least severe log level written",
		set: func(c *Config, v string) error { c.Log.Level = v; return nil },
		get: func(c *Config) string { return c.Log.Level },
	},
	{
		key: "log.format", def: "text", allowed: []string{"text", "json"},
		doc: "log line format on standard error",
		set: func(c *Config, v string) error { c.Log.Format = v; return nil },
		get: func(c *Config) string { return c.Log.Format },
	},
	{
		key: "catalog.url", def: DefaultCatalogURL,
		doc:     "where `catalog import` downloads Microsoft's SKU catalogue CSV (https) when given no file",
		private: true, url: true,
		set: func(c *Config, v string) error {
			if err := CheckCatalogURL(v); err != nil {
				return err
			}
			c.Catalog.URL = v
			return nil
		},
		get: func(c *Config) string { return c.Catalog.URL },
	},
	{
		key: "graph.client_id", def: "",
		doc:     "application (client) id of the partner's multi-tenant app registration",
		private: true,
		set: func(c *Config, v string) error {
			if v != "" {
				if _, ok := ids.ParseGUID(v); !ok {
					return errors.New("not a GUID such as 00000000-0000-0000-0000-000000000000 (the value is not shown: it may be the client secret; check that id and secret are not swapped)")
				}
			}
			c.Graph.ClientID = v
			return nil
		},
		get: func(c *Config) string { return c.Graph.ClientID },
	},
	{
		key: "graph.client_secret", def: "", secret: true, private: true,
		doc: "client secret of the app; or use graph.certificate_file",
		set: func(c *Config, v string) error { c.Graph.ClientSecret = v; return nil },
		get: func(c *Config) string { return c.Graph.ClientSecret },
	},
	{
		key: "graph.certificate_file", def: "",
		doc: "PEM file holding the app's certificate and private key, instead of a secret",
		set: func(c *Config, v string) error { c.Graph.CertificateFile = v; return existingFile(v) },
		get: func(c *Config) string { return c.Graph.CertificateFile },
	},
	{
		key: "graph.cloud", def: "global", allowed: []string{"global", "usgov", "usgovdod", "china"},
		doc: "which Microsoft cloud's sign-in and Graph hosts to use",
		set: func(c *Config, v string) error { c.Graph.Cloud = v; return nil },
		get: func(c *Config) string { return c.Graph.Cloud },
	},
	{
		key: "graph.base_url", def: "",
		doc:     "overrides the cloud's Graph endpoint, e.g. https://127.0.0.1:8443/v1.0 for the simulated cloud",
		private: true, url: true,
		set: urlSetter(func(c *Config, v string) { c.Graph.BaseURL = v }),
		get: func(c *Config) string { return c.Graph.BaseURL },
	},
	{
		key: "graph.authority_host", def: "",
		doc:     "overrides the cloud's sign-in host, e.g. https://127.0.0.1:8443/",
		private: true, url: true,
		set: urlSetter(func(c *Config, v string) { c.Graph.AuthorityHost = v }),
		get: func(c *Config) string { return c.Graph.AuthorityHost },
	},
	{
		key: "graph.ca_file", def: "",
		doc: "PEM file of extra certificate authorities to trust for Graph and the catalogue download (simulated cloud, TLS-inspecting proxy)",
		set: func(c *Config, v string) error { c.Graph.CAFile = v; return existingFile(v) },
		get: func(c *Config) string { return c.Graph.CAFile },
	},
	{
		key: "graph.concurrency", def: "8",
		doc: "customer tenants read at the same time (1-256)",
		set: intSetter(1, 256, func(c *Config, n int) { c.Graph.Concurrency = n }),
		get: func(c *Config) string { return strconv.Itoa(c.Graph.Concurrency) },
	},
	{
		key: "graph.request_timeout", def: "60s",
		doc: "time limit of one Graph request (Go duration, 1s-10m)",
		set: func(c *Config, v string) error {
			d, err := time.ParseDuration(strings.TrimSpace(v))
			if err != nil || d < time.Second || d > 10*time.Minute {
				return fmt.Errorf("%q is not a duration from 1s to 10m, such as 60s", v)
			}
			c.Graph.RequestTimeout = d
			return nil
		},
		get: func(c *Config) string { return c.Graph.RequestTimeout.String() },
	},
	{
		key: "graph.page_size", def: "999",
		doc: "users per page ($top, 1-999)",
		set: intSetter(1, 999, func(c *Config, n int) { c.Graph.PageSize = n }),
		get: func(c *Config) string { return strconv.Itoa(c.Graph.PageSize) },
	},
	{
		key: "partner.tenant_id", def: "",
		doc:     "the partner's own Entra tenant id: subscriptions it owns are the ones it bills; others belong to another partner or were bought direct",
		private: true,
		set: func(c *Config, v string) error {
			if v != "" {
				id, ok := ids.ParseGUID(v)
				if !ok {
					return errors.New("not a GUID such as 00000000-0000-0000-0000-000000000000 (the value is not shown: it may be a secret put in the wrong key)")
				}
				v = id
			}
			c.Partner.TenantID = v
			return nil
		},
		get: func(c *Config) string { return c.Partner.TenantID },
	},
	{
		key: "partner_center.enabled", def: "false", allowed: []string{"true", "false"},
		doc: "also read the partner's customers and subscriptions from Partner Center (needs partner.tenant_id and the app's Partner Center access)",
		set: func(c *Config, v string) error { c.PartnerCenter.Enabled = v == "true"; return nil },
		get: func(c *Config) string { return strconv.FormatBool(c.PartnerCenter.Enabled) },
	},
	{
		key: "partner_center.base_url", def: "",
		doc: "overrides the cloud's Partner Center API root, e.g. https://127.0.0.1:8443 for the simulated cloud",
		set: urlSetter(func(c *Config, v string) { c.PartnerCenter.BaseURL = v }),
		get: func(c *Config) string { return c.PartnerCenter.BaseURL },
	},
	{
		key: "partner_center.authority_host", def: "",
		doc: "overrides the sign-in host for Partner Center tokens (default: graph.authority_host, else the cloud's)",
		set: urlSetter(func(c *Config, v string) { c.PartnerCenter.AuthorityHost = v }),
		get: func(c *Config) string { return c.PartnerCenter.AuthorityHost },
	},
	{
		key: "partner_center.delegated_client_id", def: "",
		doc:     "client id of the app registration a Partner Center user signs in to with `partner-center login` (device code; public client flows allowed); default graph.client_id",
		private: true,
		set: func(c *Config, v string) error {
			if v != "" {
				if _, ok := ids.ParseGUID(v); !ok {
					return errors.New("not a GUID such as 00000000-0000-0000-0000-000000000000 (the value is not shown: it may be a secret put in the wrong key)")
				}
			}
			c.PartnerCenter.DelegatedClientID = v
			return nil
		},
		get: func(c *Config) string { return c.PartnerCenter.DelegatedClientID },
	},
	{
		key: "partner_center.partner_api_base_url", def: "",
		doc: "overrides the Partner API root that serves price sheets and the offer matrix (https://api.partner.microsoft.com), e.g. https://127.0.0.1:8443 for the simulated cloud",
		set: urlSetter(func(c *Config, v string) { c.PartnerCenter.PartnerAPIBaseURL = v }),
		get: func(c *Config) string { return c.PartnerCenter.PartnerAPIBaseURL },
	},
	{
		key: "partner_center.token_cache_file", def: "",
		doc: "where the signed-in Partner Center user's tokens are kept, encrypted (default partner-center.tokens beside the SQLite database, else in the working folder)",
		set: func(c *Config, v string) error { c.PartnerCenter.TokenCacheFile = v; return nil },
		get: func(c *Config) string { return c.PartnerCenter.TokenCacheFile },
	},
	{
		key: "partner_center.token_cache_key", def: "", secret: true, private: true,
		doc: "32 random bytes in base64 that encrypt the token cache (AES-256-GCM); make one with `head -c 32 /dev/urandom | base64`",
		set: func(c *Config, v string) error { c.PartnerCenter.TokenCacheKey = v; return nil },
		get: func(c *Config) string { return c.PartnerCenter.TokenCacheKey },
	},
	{
		key: "partner_center.download_dir", def: "",
		doc: "folder where `prices fetch` and `catalog offers --fetch` keep the files they download (default downloads/ beside the SQLite database, else in the working folder)",
		set: func(c *Config, v string) error { c.PartnerCenter.DownloadDir = v; return nil },
		get: func(c *Config) string { return c.PartnerCenter.DownloadDir },
	},
	{
		key: "advice.inactive_days", def: "90",
		doc: "days without an interactive or non-interactive sign-in that make a licensed user inactive (30-365)",
		set: intSetter(30, 365, func(c *Config, n int) { c.Advice.InactiveDays = n }),
		get: func(c *Config) string { return strconv.Itoa(c.Advice.InactiveDays) },
	},
	{
		key: "advice.trial_ending_days", def: "14",
		doc: "a trial with assigned users ending within this many days is reported (1-60)",
		set: intSetter(1, 60, func(c *Config, n int) { c.Advice.TrialEndingDays = n }),
		get: func(c *Config) string { return strconv.Itoa(c.Advice.TrialEndingDays) },
	},
	{
		key: "advice.renewal_days", def: "30",
		doc: "a term renewing within this many days with idle seats is reported (1-120)",
		set: intSetter(1, 120, func(c *Config, n int) { c.Advice.RenewalDays = n }),
		get: func(c *Config) string { return strconv.Itoa(c.Advice.RenewalDays) },
	},
	{
		key: "advice.shared_mailbox_gb", def: "50",
		doc: "a shared mailbox below this size without an archive needs no licence (GB)",
		set: intSetter(1, 100, func(c *Config, n int) { c.Advice.SharedMailboxGB = n }),
		get: func(c *Config) string { return strconv.Itoa(c.Advice.SharedMailboxGB) },
	},
	{
		key: "advice.business_seat_cap", def: "300",
		doc: "seats of one Business plan a tenant may hold before it needs Enterprise plans",
		set: intSetter(1, 100000, func(c *Config, n int) { c.Advice.BusinessSeatCap = n }),
		get: func(c *Config) string { return strconv.Itoa(c.Advice.BusinessSeatCap) },
	},
	{
		key: "notices.kinds", def: "price-change,terms-change,renewal-reminder,subscription-expiring,right-sizing-digest",
		doc: "the kinds of customer notice created, comma-separated (price-change, terms-change, renewal-reminder, subscription-expiring, right-sizing-digest); empty for none",
		set: func(c *Config, v string) error {
			kinds, err := noticeKinds(v)
			c.Notices.Kinds = kinds
			return err
		},
		get: func(c *Config) string { return strings.Join(c.Notices.Kinds, ",") },
	},
	{
		key: "notices.customer_kinds", def: "",
		doc: "per customer (tenant id or external reference), the kinds it gets instead of notices.kinds: CUST-0001=price-change,renewal-reminder; CUST-0002=none",
		set: func(c *Config, v string) error {
			c.Notices.CustomerKinds = map[string][]string{}
			for _, part := range strings.Split(v, ";") {
				if strings.TrimSpace(part) == "" {
					continue
				}
				who, list, ok := strings.Cut(part, "=")
				who = strings.TrimSpace(who)
				if !ok || who == "" {
					return fmt.Errorf("%q is not CUSTOMER=kind,kind", strings.TrimSpace(part))
				}
				if strings.TrimSpace(list) == "none" {
					list = ""
				}
				kinds, err := noticeKinds(list)
				if err != nil {
					return fmt.Errorf("%s: %w", who, err)
				}
				c.Notices.CustomerKinds[who] = kinds
			}
			return nil
		},
		get: func(c *Config) string {
			var parts []string
			for who, kinds := range c.Notices.CustomerKinds {
				parts = append(parts, who+"="+strings.Join(kinds, ","))
			}
			slices.Sort(parts)
			return strings.Join(parts, "; ")
		},
	},
	{
		key: "notices.transport", def: "outbox", allowed: []string{"outbox", "smtp", "graph"},
		doc: "how notices are delivered: outbox (.eml files in notices.outbox_dir, nothing is sent), smtp, or graph (sendMail from notices.graph_mailbox)",
		set: func(c *Config, v string) error { c.Notices.Transport = v; return nil },
		get: func(c *Config) string { return c.Notices.Transport },
	},
	{
		key: "notices.outbox_dir", def: "",
		doc: "folder the outbox transport writes .eml files to (default outbox/ beside the SQLite database, else in the working folder)",
		set: func(c *Config, v string) error { c.Notices.OutboxDir = v; return nil },
		get: func(c *Config) string { return c.Notices.OutboxDir },
	},
	{
		key: "notices.from", def: "",
		doc: "the sender address of notices (needed by smtp; graph sends from its mailbox); its domain names the notices' Message-IDs",
		set: func(c *Config, v string) error { c.Notices.From = v; return emailOrEmpty(v) },
		get: func(c *Config) string { return c.Notices.From },
	},
	{
		key: "notices.from_name", def: "",
		doc: "the sender's display name (default notices.partner_name)",
		set: func(c *Config, v string) error { c.Notices.FromName = v; return nil },
		get: func(c *Config) string { return c.Notices.FromName },
	},
	{
		key: "notices.reply_to", def: "",
		doc: "where customers' replies go, when not the sender",
		set: func(c *Config, v string) error { c.Notices.ReplyTo = v; return emailOrEmpty(v) },
		get: func(c *Config) string { return c.Notices.ReplyTo },
	},
	{
		key: "notices.smtp_host", def: "",
		doc: "SMTP server (Exchange Online: smtp.office365.com)",
		set: func(c *Config, v string) error { c.Notices.SMTPHost = v; return nil },
		get: func(c *Config) string { return c.Notices.SMTPHost },
	},
	{
		key: "notices.smtp_port", def: "587",
		doc: "SMTP port: 587 with starttls, 465 with tls",
		set: intSetter(1, 65535, func(c *Config, n int) { c.Notices.SMTPPort = n }),
		get: func(c *Config) string { return strconv.Itoa(c.Notices.SMTPPort) },
	},
	{
		key: "notices.smtp_security", def: "starttls", allowed: []string{"starttls", "tls", "none"},
		doc: "starttls (required), tls (implicit, port 465), or none (a local relay only)",
		set: func(c *Config, v string) error { c.Notices.SMTPSecurity = v; return nil },
		get: func(c *Config) string { return c.Notices.SMTPSecurity },
	},
	{
		key: "notices.smtp_auth", def: "password", allowed: []string{"password", "xoauth2", "none"},
		doc: "password, xoauth2 (an OAuth token for Exchange Online from the app registration graph.client_id in partner.tenant_id: Exchange Online turns SMTP AUTH with passwords off), or none",
		set: func(c *Config, v string) error { c.Notices.SMTPAuth = v; return nil },
		get: func(c *Config) string { return c.Notices.SMTPAuth },
	},
	{
		key: "notices.smtp_username", def: "",
		doc: "SMTP user (the sending mailbox for xoauth2)",
		set: func(c *Config, v string) error { c.Notices.SMTPUsername = v; return nil },
		get: func(c *Config) string { return c.Notices.SMTPUsername },
	},
	{
		key: "notices.smtp_password", def: "", secret: true, private: true,
		doc: "SMTP password, for smtp_auth password",
		set: func(c *Config, v string) error { c.Notices.SMTPPassword = v; return nil },
		get: func(c *Config) string { return c.Notices.SMTPPassword },
	},
	{
		key: "notices.graph_mailbox", def: "",
		doc: "the mailbox (UPN or object id) in the partner's tenant that sends notices through Graph (application permission Mail.Send)",
		set: func(c *Config, v string) error { c.Notices.GraphMailbox = v; return nil },
		get: func(c *Config) string { return c.Notices.GraphMailbox },
	},
	{
		key: "notices.partner_name", def: "",
		doc: "the partner's name, as notices are signed",
		set: func(c *Config, v string) error { c.Notices.PartnerName = v; return nil },
		get: func(c *Config) string { return c.Notices.PartnerName },
	},
	{
		key: "notices.partner_address", def: "",
		doc: "the partner's postal address in notices, lines separated by |",
		set: func(c *Config, v string) error { c.Notices.Address = splitLines(v); return nil },
		get: func(c *Config) string { return strings.Join(c.Notices.Address, " | ") },
	},
	{
		key: "notices.partner_logo_url", def: "",
		doc: "https URL of the partner's logo in the HTML part of notices",
		set: urlSetter(func(c *Config, v string) { c.Notices.LogoURL = v }),
		get: func(c *Config) string { return c.Notices.LogoURL },
	},
	{
		key: "notices.partner_signature", def: "",
		doc: "the closing of notices (team or person), lines separated by |",
		set: func(c *Config, v string) error { c.Notices.Signature = splitLines(v); return nil },
		get: func(c *Config) string { return strings.Join(c.Notices.Signature, " | ") },
	},
	{
		key: "notices.partner_email", def: "",
		doc: "the address customers reach the partner at, printed in notices",
		set: func(c *Config, v string) error { c.Notices.Email = v; return emailOrEmpty(v) },
		get: func(c *Config) string { return c.Notices.Email },
	},
	{
		key: "notices.partner_phone", def: "",
		doc: "the phone number printed in notices",
		set: func(c *Config, v string) error { c.Notices.Phone = v; return nil },
		get: func(c *Config) string { return c.Notices.Phone },
	},
	{
		key: "server.addr", def: "127.0.0.1:8080",
		doc: "HOST:PORT where `seatledger serve` listens for health, readiness and metrics",
		set: func(c *Config, v string) error {
			if _, _, err := net.SplitHostPort(v); err != nil {
				return fmt.Errorf("%q is not HOST:PORT such as 127.0.0.1:8080", v)
			}
			c.Server.Addr = v
			return nil
		},
		get: func(c *Config) string { return c.Server.Addr },
	},
	{
		key: "server.shutdown_grace", def: "30s",
		doc: "how long `serve` lets running jobs and requests finish after SIGTERM before cancelling them (Go duration, 1s-1h)",
		set: durationSetter(time.Second, time.Hour, func(c *Config, d time.Duration) { c.Server.ShutdownGrace = d }),
		get: func(c *Config) string { return c.Server.ShutdownGrace.String() },
	},
	{
		key: "jobs.timezone", def: "UTC",
		doc: "IANA time zone the schedules are read in, and in which days and months begin (Europe/Amsterdam)",
		set: func(c *Config, v string) error {
			loc, err := time.LoadLocation(strings.TrimSpace(v))
			if err != nil || strings.TrimSpace(v) == "" || strings.EqualFold(v, "local") {
				return fmt.Errorf("%q is not an IANA time zone such as Europe/Amsterdam", v)
			}
			c.Jobs.Timezone = loc
			return nil
		},
		get: func(c *Config) string { return c.Jobs.Timezone.String() },
	},
	{
		key: "jobs.sync_schedule", def: "0 2 * * *",
		doc: "cron schedule of the daily sync of every customer tenant (minute hour day month weekday)",
		set: cronSetter(func(c *Config, v string) { c.Jobs.SyncSchedule = v }),
		get: func(c *Config) string { return c.Jobs.SyncSchedule },
	},
	{
		key: "jobs.prices_schedule", def: "0 5 * * *",
		doc: "cron schedule of the price-list fetch of jobs.price_markets, this month's and next month's preview (needs a signed-in Partner Center user)",
		set: cronSetter(func(c *Config, v string) { c.Jobs.PricesSchedule = v }),
		get: func(c *Config) string { return c.Jobs.PricesSchedule },
	},
	{
		key: "jobs.notices_schedule", def: "*/5 * * * *",
		doc: "cron schedule of notice creation and delivery",
		set: cronSetter(func(c *Config, v string) { c.Jobs.NoticesSchedule = v }),
		get: func(c *Config) string { return c.Jobs.NoticesSchedule },
	},
	{
		key: "jobs.billing_schedule", def: "0 6 * * *",
		doc: "cron schedule of the billing catch-up, which drafts last month's billing run when none exists",
		set: cronSetter(func(c *Config, v string) { c.Jobs.BillingSchedule = v }),
		get: func(c *Config) string { return c.Jobs.BillingSchedule },
	},
	{
		key: "jobs.price_markets", def: "",
		doc: "markets whose price lists are fetched daily, comma-separated two-letter codes (NL,DE); empty fetches none",
		set: func(c *Config, v string) error {
			c.Jobs.PriceMarkets = nil
			for _, m := range strings.Split(v, ",") {
				m = strings.ToUpper(strings.TrimSpace(m))
				if m == "" {
					continue
				}
				if len(m) != 2 || strings.Trim(m, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
					return fmt.Errorf("%q is not a two-letter market such as NL", m)
				}
				if !slices.Contains(c.Jobs.PriceMarkets, m) {
					c.Jobs.PriceMarkets = append(c.Jobs.PriceMarkets, m)
				}
			}
			return nil
		},
		get: func(c *Config) string { return strings.Join(c.Jobs.PriceMarkets, ",") },
	},
	{
		key: "jobs.sync_workers", def: "4",
		doc: "tenants each replica syncs at the same time (1-256)",
		set: intSetter(1, 256, func(c *Config, n int) { c.Jobs.SyncWorkers = n }),
		get: func(c *Config) string { return strconv.Itoa(c.Jobs.SyncWorkers) },
	},
	{
		key: "export.profiles", def: "",
		doc:  "CSV export profiles besides the built-in default, excel-eu and xero: a list of {name, base, separator, decimal_mark, date_format, quote, bom, columns, ...}; `seatledger export --profile NAME` uses one",
		list: true, setList: setExportProfiles,
		get: func(c *Config) string {
			names := make([]string, len(c.Export.Profiles))
			for i, p := range c.Export.Profiles {
				names[i] = p.Name
			}
			return strings.Join(names, ", ")
		},
	},
}

var noticeKindNames = []string{"price-change", "terms-change", "renewal-reminder", "subscription-expiring", "right-sizing-digest"}

func noticeKinds(v string) ([]string, error) {
	var out []string
	for _, k := range strings.Split(v, ",") {
		k = strings.TrimSpace(k)
		if k == "" {
			continue
		}
		if !slices.Contains(noticeKindNames, k) {
			return nil, fmt.Errorf("%q is not a kind of notice (%s)", k, strings.Join(noticeKindNames, ", "))
		}
		out = append(out, k)
	}
	return out, nil
}

func emailOrEmpty(v string) error {
	if v == "" {
		return nil
	}
	if a, err := mail.ParseAddress(v); err != nil || a.Address != v {
		return fmt.Errorf("%q is not an e-mail address such as billing@partner.example", v)
	}
	return nil
}

func splitLines(v string) []string {
	var out []string
	for _, l := range strings.Split(v, "|") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// urlSetter accepts an empty value (keep the default) or an http(s) URL.
func urlSetter(apply func(*Config, string)) func(*Config, string) error {
	return func(c *Config, v string) error {
		if v != "" {
			if err := checkHTTPURL(v); err != nil {
				return err
			}
		}
		apply(c, v)
		return nil
	}
}

// checkHTTPURL does not quote the value: a URL may carry a password or a signature.
func checkHTTPURL(v string) error {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return errors.New("not an http(s) URL such as https://host/path (percent-encode special characters)")
	}
	return nil
}

// CheckCatalogURL accepts only https: the catalogue decides which SKUs contain which
// plans, and so what the advice calls redundant.
func CheckCatalogURL(v string) error {
	u, err := url.Parse(v)
	if err != nil || u.Host == "" {
		return errors.New("not a URL such as https://host/file.csv (percent-encode special characters)")
	}
	if u.Scheme != "https" {
		return errors.New("the catalogue is downloaded over https only: use an https:// URL, or import a file with --file")
	}
	return nil
}

// ParseSchedule reads a cron schedule as the job runner takes it: five fields
// (minute hour day month weekday) or a descriptor such as @daily or @every 1h,
// read in loc.
func ParseSchedule(expr string, loc *time.Location) (cron.Schedule, error) {
	s, err := cron.ParseStandard(expr)
	if err != nil {
		return nil, err
	}
	if spec, ok := s.(*cron.SpecSchedule); ok && loc != nil {
		spec.Location = loc
	}
	return s, nil
}

func cronSetter(apply func(*Config, string)) func(*Config, string) error {
	return func(c *Config, v string) error {
		v = strings.TrimSpace(v)
		if _, err := ParseSchedule(v, time.UTC); err != nil {
			return fmt.Errorf("%q is not a cron schedule such as \"0 2 * * *\" (minute hour day month weekday): %w", v, err)
		}
		apply(c, v)
		return nil
	}
}

func durationSetter(min, max time.Duration, apply func(*Config, time.Duration)) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(strings.TrimSpace(v))
		if err != nil || d < min || d > max {
			return fmt.Errorf("%q is not a duration from %s to %s, such as 30s", v, min, max)
		}
		apply(c, d)
		return nil
	}
}

func intSetter(min, max int, apply func(*Config, int)) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < min || n > max {
			return fmt.Errorf("%q is not a whole number from %d to %d", v, min, max)
		}
		apply(c, n)
		return nil
	}
}

func checkDatabaseURL(v string) error {
	switch {
	case dburl.IsPostgres(v):
		return dburl.Check(v)
	case strings.HasPrefix(v, "sqlite:"):
		if strings.TrimPrefix(v, "sqlite:") == "" {
			return fmt.Errorf("sqlite: needs a file path, as in sqlite:./seatledger.db")
		}
		return nil
	}
	// The value is not repeated: it may hold a password in a form MaskURL cannot see.
	return fmt.Errorf("the value is neither postgres://USER:PASSWORD@HOST:PORT/DB nor sqlite:PATH")
}

// EnvName is the environment variable that overrides an option.
func EnvName(key string) string {
	return "SEATLEDGER_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// existingFile checks a file option at start-up, so that a wrong path fails at once
// instead of as a sign-in or TLS failure retried tenant by tenant.
func existingFile(path string) error {
	if path == "" {
		return nil
	}
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s: no such file", path)
	case err != nil:
		return err
	case info.IsDir():
		return fmt.Errorf("%s is a folder, not a file", path)
	}
	return nil
}
