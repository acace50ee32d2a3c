// Package dburl knows the shape of seatledger's PostgreSQL URLs: what makes one
// invalid, said without quoting it (it holds a password), and which TLS mode it is
// opened with.
package dburl

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// IsPostgres tells a PostgreSQL URL from sqlite:PATH.
func IsPostgres(v string) bool {
	return strings.HasPrefix(v, "postgres://") || strings.HasPrefix(v, "postgresql://")
}

// encodeHint is how to fix most broken URLs: a password with a character that ends a
// part of the URL.
const encodeHint = "percent-encode special characters in the password (% as %25, / as %2F, ? as %3F, # as %23, @ as %40, : as %3A)"

// Check reports what is wrong with a postgres:// URL. Its messages never quote the
// URL or any part of it: url.Parse's errors do, and the part they quote is often the
// password.
func Check(v string) error {
	u, err := url.Parse(v)
	if err != nil {
		var esc url.EscapeError
		switch {
		case errors.As(err, &esc):
			return fmt.Errorf("not a valid PostgreSQL URL: a %% is not followed by two hexadecimal digits: %s", encodeHint)
		case strings.Contains(err.Error(), "invalid port"):
			return fmt.Errorf("not a valid PostgreSQL URL: the port is not a number, or the password holds a / ? or # that cut the URL short: %s", encodeHint)
		}
		return fmt.Errorf("not a valid PostgreSQL URL: %s", encodeHint)
	}
	// A / or ? in the password can still leave a URL that parses, with the rest of
	// the password taken for the database name or the query.
	if strings.Contains(u.Path, "@") || strings.Contains(u.RawQuery, "@") || u.Fragment != "" {
		return fmt.Errorf("not a valid PostgreSQL URL: an @, ? or # after the host means the password holds a / ? or #: %s", encodeHint)
	}
	for _, h := range strings.Split(u.Host, ",") {
		if _, port, err := net.SplitHostPort(h); err == nil && port != "" {
			if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
				return errors.New("not a valid PostgreSQL URL: the port is not a number from 1 to 65535")
			}
		}
	}
	if m := u.Query().Get("sslmode"); m != "" && !validModes[m] {
		return errors.New("not a valid PostgreSQL URL: sslmode must be one of disable, allow, prefer, require, verify-ca, verify-full")
	}
	return nil
}

var validModes = map[string]bool{"disable": true, "allow": true, "prefer": true, "require": true, "verify-ca": true, "verify-full": true}

// DefaultRemoteMode is the TLS mode of a URL to another machine that names none:
// encrypted, and the server's certificate checked against its host name.
const DefaultRemoteMode = "verify-full"

// TLS is the transport security a PostgreSQL URL is opened with, and why.
type TLS struct {
	Mode string `json:"sslmode"`
	Why  string `json:"why"`
	// Added is true when seatledger chose the mode: the URL named none.
	Added bool `json:"-"`
}

// EffectiveTLS tells the sslmode the URL is opened with. A mode in the URL wins, then
// PGSSLMODE (which the driver reads itself); otherwise a host on this machine keeps
// the driver's own default (prefer: TLS when the server offers it; a Unix socket never
// uses TLS) and any other host gets verify-full, so that a URL without sslmode never
// falls back to plaintext across a network.
func EffectiveTLS(v string, getenv func(string) string) TLS {
	u, err := url.Parse(v)
	if err != nil {
		return TLS{Mode: "unknown", Why: "the URL does not parse"}
	}
	q := u.Query()
	if m := q.Get("sslmode"); m != "" {
		return TLS{Mode: m, Why: "set in the URL"}
	}
	if m := getenv("PGSSLMODE"); m != "" {
		return TLS{Mode: m, Why: "from PGSSLMODE"}
	}
	if local(u) {
		return TLS{Mode: "prefer", Why: "host on this machine: TLS when the server offers it; add sslmode to the URL to choose otherwise"}
	}
	return TLS{Mode: DefaultRemoteMode, Added: true,
		Why: "default for a host on another machine: the server's certificate must be valid for its name; add sslmode=require (encrypted, not verified) or sslmode=disable to the URL to choose otherwise"}
}

// WithTLS returns the URL as it must be opened: with sslmode=verify-full added when
// EffectiveTLS chose it.
func WithTLS(v string, getenv func(string) string) string {
	if !EffectiveTLS(v, getenv).Added {
		return v
	}
	sep := "?"
	if strings.Contains(v, "?") {
		sep = "&"
	}
	return v + sep + "sslmode=" + DefaultRemoteMode
}

// local is true when every host the URL names is on this machine: a Unix socket
// folder, localhost, a loopback address, or none (the driver's default socket).
func local(u *url.URL) bool {
	hosts := u.Host
	if h := u.Query().Get("host"); h != "" {
		hosts = h
	}
	for _, h := range strings.Split(hosts, ",") {
		if host, _, err := net.SplitHostPort(h); err == nil {
			h = host
		}
		h = strings.Trim(h, "[]")
		switch {
		case h == "", strings.HasPrefix(h, "/"), strings.EqualFold(h, "localhost"):
			continue
		}
		if ip := net.ParseIP(h); ip != nil && ip.IsLoopback() {
			continue
		}
		return false
	}
	return true
}
