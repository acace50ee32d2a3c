// Package redact hides credentials in URLs and in errors before they are printed,
// logged or written to the audit log. Every URL seatledger shows goes through URL.
package redact

import (
	"errors"
	"net/url"
	"sort"
	"strings"
)

// Mask stands in for every hidden value.
const Mask = "xxxxx"

// plainParams are query parameters known to carry no credential. Every other
// parameter's value is masked, so that one nobody thought of (a signature, a token,
// sslpassword) is hidden by default rather than shown by default.
var plainParams = map[string]bool{
	"sslmode": true, "sslrootcert": true, "sslcert": true, "sslkey": true, "sslsni": true,
	"sslnegotiation": true, "host": true, "port": true, "dbname": true, "user": true,
	"connect_timeout": true, "application_name": true, "target_session_attrs": true,
	"search_path": true, "timezone": true,
}

// unparsable is shown in place of a URL that does not parse: its parts cannot be told
// apart, so none of it can be shown safely.
const unparsable = "(not shown: not a valid URL)"

// URL returns u with its password, every query value not known to be plain and its
// fragment masked. For postgres:// URLs the user name stays (it names the database
// role); for other schemes the whole user info goes, since a token often stands there
// alone. sqlite:PATH is returned as it is.
func URL(raw string) string {
	if strings.HasPrefix(raw, "sqlite:") {
		return raw
	}
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" {
		return unparsable
	}
	if u.User != nil {
		_, hasPassword := u.User.Password()
		switch {
		case isPostgres(u.Scheme) && hasPassword:
			u.User = url.UserPassword(u.User.Username(), Mask)
		case !isPostgres(u.Scheme):
			u.User = url.User(Mask)
		}
	}
	if u.RawQuery != "" {
		parts := strings.Split(u.RawQuery, "&")
		for i, p := range parts {
			k, _, _ := strings.Cut(p, "=")
			name, err := url.QueryUnescape(k)
			if err != nil || !plainParams[strings.ToLower(name)] {
				parts[i] = k + "=" + Mask
			}
		}
		u.RawQuery = strings.Join(parts, "&")
	}
	if u.Fragment != "" {
		u.Fragment, u.RawFragment = Mask, ""
	}
	return u.String()
}

// Secrets lists the credentials a URL carries in clear: its password and the values of
// query parameters not known to be plain, longest first, for scrubbing them out of
// text that quotes the URL in some other form.
func Secrets(raw string) []string {
	u, err := url.Parse(raw)
	if err != nil {
		return nil
	}
	var out []string
	if p, ok := u.User.Password(); ok && p != "" {
		out = append(out, p)
		if esc := url.PathEscape(p); esc != p {
			out = append(out, esc)
		}
	}
	for k, vs := range u.Query() {
		if plainParams[strings.ToLower(k)] {
			continue
		}
		for _, v := range vs {
			if v != "" {
				out = append(out, v, url.QueryEscape(v))
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

// Error returns err with every secret replaced by Mask in its message. The original
// stays reachable with errors.Is and errors.As, for callers that test its kind.
func Error(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	for _, s := range secrets {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, Mask)
		}
	}
	return &scrubbed{msg: msg, err: err}
}

type scrubbed struct {
	msg string
	err error
}

func (e *scrubbed) Error() string { return e.msg }
func (e *scrubbed) Unwrap() error { return e.err }

// URLError rewrites the URL an HTTP client quotes in its errors (*url.Error), which
// keeps query strings and, for some schemes, user names.
func URLError(err error) error {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return err
	}
	return &scrubbed{msg: ue.Op + " " + URL(ue.URL) + ": " + ue.Err.Error(), err: ue.Err}
}

func isPostgres(scheme string) bool { return scheme == "postgres" || scheme == "postgresql" }
