package graph

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Graph's answers carry links that the client follows: a users page's
// @odata.nextLink and a report's redirect to its download. A link leading elsewhere
// would have the token sent there (the SDK adds it for Graph's host, whatever the
// port) or users from elsewhere stored as the tenant's, so links are trusted only
// where they should lead.

// trustedNextLink refuses a nextLink outside Graph: another scheme, host or port
// than graph.base_url. It fails the tenant rather than skip the rest of its users.
func (c *Client) trustedNextLink(link string) error {
	u, err := url.Parse(link)
	if err != nil {
		return fmt.Errorf("users: @odata.nextLink is not a URL: %w", err)
	}
	if got := origin(u); got != c.graphOrigin {
		return fmt.Errorf("users: @odata.nextLink leads to %s, not to Graph at %s: refused, the tenant's users are not read from elsewhere", got, c.graphOrigin)
	}
	return nil
}

// origin is scheme://host:port in lower case, with the scheme's default port
// written out, so that https://graph.microsoft.com and :443 compare equal.
func origin(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	if port == "" {
		switch scheme {
		case "https":
			port = "443"
		case "http":
			port = "80"
		}
	}
	return scheme + "://" + strings.ToLower(u.Hostname()) + ":" + port
}

// httpsOnly lets the redirect handler follow a redirect (a report to its download)
// only over https; the redirect is then answered as it came, and refused by
// refusedRedirect.
func httpsOnly(_ *http.Request, resp *http.Response) bool {
	loc, err := resp.Location()
	return err == nil && strings.EqualFold(loc.Scheme, "https")
}

// refusedRedirect explains a redirect that httpsOnly did not follow.
func refusedRedirect(resp *http.Response) error {
	where := "an unreadable location"
	if loc, err := resp.Location(); err == nil {
		where = origin(loc)
	}
	return fmt.Errorf("redirected to %s: refused, downloads are followed over https only", where)
}
