package graph

import (
	"context"
	"crypto/tls"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	abstractions "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
	"github.com/microsoftgraph/msgraph-sdk-go/users"

	"github.com/seatledger/seatledger/internal/inventory"
)

// ReadTenant reads one customer tenant: licence pools, subscriptions, users with
// their licences and sign-in activity, the mailbox purpose of disabled accounts that
// may be shared mailboxes, and, when asked, usage reports. Users are read page by
// page into lean values; the SDK's user models cost ~33 KB each and parse six times
// slower.
func (c *Client) ReadTenant(ctx context.Context, tenantID string, opts inventory.ReadOptions) (*inventory.Snapshot, inventory.ReadStats, error) {
	var st inventory.ReadStats
	tc, err := c.forTenant(tenantID)
	if err != nil {
		return nil, st, err
	}
	// Requests are counted where they leave for the network, so that the SDK's
	// retries and redirects and the report downloads count as sent.
	var sent atomic.Int64
	snap, err := c.readTenant(withRequestCounter(ctx, &sent), tc, tenantID, opts)
	st.Requests = int(sent.Load())
	return snap, st, throttled(signInError(err))
}

func (c *Client) readTenant(ctx context.Context, tc *tenantClient, tenantID string, opts inventory.ReadOptions) (*inventory.Snapshot, error) {
	snap := &inventory.Snapshot{TenantID: tenantID}
	var err error
	if snap.Pools, err = c.readPools(ctx, tc); err != nil {
		return nil, fmt.Errorf("read subscribedSkus: %w", err)
	}
	if snap.Subscriptions, err = c.readSubscriptions(ctx, tc); err != nil {
		return nil, fmt.Errorf("read directory/subscriptions: %w", err)
	}
	mb := &mailboxPurposes{exchange: opts.ExchangeSKU, known: map[string]string{}}
	if !opts.RefreshMailboxPurposes {
		for id, p := range opts.MailboxPurposes {
			mb.known[id] = p
		}
	}
	snap.SignInData = true
	snap.Users = &inventory.UserSet{SpillAfter: c.cfg.SpillUsersAfter}
	err = c.readUsers(ctx, tc, true, snap.Users, mb)
	if err != nil && refused(err) {
		// No Entra ID P1/P2 (or no AuditLog.Read.All): read without sign-in activity
		// rather than fail the tenant.
		_ = snap.Users.Close()
		snap.SignInData = false
		snap.SignInNote = "Graph refused signInActivity: " + errorText(err)
		snap.Users = &inventory.UserSet{SpillAfter: c.cfg.SpillUsersAfter}
		err = c.readUsers(ctx, tc, false, snap.Users, mb)
	}
	if err != nil {
		_ = snap.Close()
		return nil, fmt.Errorf("read users: %w", err)
	}
	snap.MailboxPurposeData, snap.MailboxNote = !mb.refused, mb.note
	if opts.Usage {
		if err := c.readUsage(ctx, tc, snap); err != nil {
			_ = snap.Close()
			return nil, fmt.Errorf("read usage reports: %w", err)
		}
	}
	return snap, nil
}

// ErrSignIn marks a tenant that could not be signed in to.
var ErrSignIn = errors.New("sign-in to the customer tenant failed")

// signInError shortens azidentity's report (a dozen lines with the raw response)
// to what a partner acts on: Entra ID's AADSTS code and message.
func signInError(err error) error {
	var af *azidentity.AuthenticationFailedError
	if err == nil || !errors.As(err, &af) {
		return err
	}
	text := af.Error()
	if i := strings.Index(text, "AADSTS"); i >= 0 {
		msg := text[i:]
		if j := strings.IndexAny(msg, "\"\r\n"); j >= 0 {
			msg = msg[:j]
		}
		return fmt.Errorf("%w: %s (check graph.client_id, graph.client_secret or graph.certificate_file, and the app's consent in this tenant)", ErrSignIn, strings.TrimSpace(msg))
	}
	// No answer from the authority: say why in one line, without the help link.
	lines := strings.Split(strings.TrimSpace(text), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.TrimSpace(lines[i]); l != "" && !strings.HasPrefix(l, "To troubleshoot") && !strings.HasPrefix(l, "-") {
			return fmt.Errorf("%w: %s", ErrSignIn, l)
		}
	}
	return fmt.Errorf("%w: %v", ErrSignIn, err)
}

// retry repeats a call that failed in transit: a dropped connection, a 5xx that
// Graph's own retry does not cover, or a body cut off mid-JSON. Throttling is handled
// below, by the SDK's retry handler honouring Retry-After.
func (c *Client) retry(ctx context.Context, fn func(ctx context.Context) error) error {
	var err error
	for attempt := range maxAttempts {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(min(time.Duration(50<<attempt)*time.Millisecond, 2*time.Second)):
			}
		}
		err = c.withTimeout(ctx, fn)
		if err == nil || !transient(err) || ctx.Err() != nil {
			return err
		}
	}
	return err
}

// maxAttempts bounds the tries of one request that keeps failing in transit; with
// backoff they span about ten seconds.
const maxAttempts = 8

// errTruncated marks a response body that ended before it was whole.
var errTruncated = errors.New("response body cut off")

func statusOf(err error) int {
	var oe *odataerrors.ODataError
	if errors.As(err, &oe) {
		return oe.ResponseStatusCode
	}
	var ae *abstractions.ApiError
	if errors.As(err, &ae) {
		return ae.ResponseStatusCode
	}
	return 0
}

func transient(err error) bool {
	if s := statusOf(err); s != 0 {
		return s >= 500 || s == 429
	}
	var syntax *json.SyntaxError
	var netErr net.Error
	var csvErr *csv.ParseError
	var certErr *tls.CertificateVerificationError
	if errors.As(err, &certErr) {
		return false // an untrusted certificate does not heal by retrying
	}
	// The SDK's JSON parser reports a cut-off body only by this message.
	return errors.As(err, &syntax) || errors.As(err, &netErr) || errors.As(err, &csvErr) || errors.Is(err, errTruncated) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || strings.Contains(err.Error(), "connection reset") ||
		strings.Contains(err.Error(), "unexpected end of JSON") || strings.Contains(err.Error(), "invalid json type")
}

func refused(err error) bool {
	s := statusOf(err)
	return s == 403 || s == 400 && strings.Contains(errorText(err), "signInActivity")
}

func errorText(err error) string {
	var oe *odataerrors.ODataError
	if errors.As(err, &oe) && oe.GetErrorEscaped() != nil {
		e := oe.GetErrorEscaped()
		code, msg := "", ""
		if e.GetCode() != nil {
			code = *e.GetCode()
		}
		if e.GetMessage() != nil {
			msg = *e.GetMessage()
		}
		return clean(fmt.Sprintf("%d %s: %s", oe.ResponseStatusCode, code, msg))
	}
	return clean(err.Error())
}

var errorMapping = abstractions.ErrorMappings{"XXX": odataerrors.CreateODataErrorFromDiscriminatorValue}

// getBody sends one GET through the SDK's request adapter (authentication, retry on
// throttling, redirects) and returns the body for the lean decoders: the SDK's
// models allocate and parse several times slower.
func (c *Client) getBody(ctx context.Context, tc *tenantClient, ri *abstractions.RequestInformation) ([]byte, error) {
	ri.Headers.TryAdd("Accept", "application/json")
	body, err := tc.adapter.SendPrimitive(ctx, ri, "[]byte", errorMapping)
	if err != nil {
		return nil, err
	}
	b, _ := body.([]byte)
	if len(b) == 0 {
		return nil, fmt.Errorf("%w: empty body", errTruncated)
	}
	return b, nil
}

func (c *Client) readPools(ctx context.Context, tc *tenantClient) ([]inventory.Pool, error) {
	var out []inventory.Pool
	err := c.retry(ctx, func(ctx context.Context) error {
		ri, err := tc.graph.SubscribedSkus().ToGetRequestInformation(ctx, nil)
		if err != nil {
			return err
		}
		body, err := c.getBody(ctx, tc, ri)
		if err != nil {
			return err
		}
		out, err = decodePools(body)
		return err
	})
	return out, err
}

func (c *Client) readSubscriptions(ctx context.Context, tc *tenantClient) ([]inventory.Subscription, error) {
	var out []inventory.Subscription
	err := c.retry(ctx, func(ctx context.Context) error {
		ri, err := tc.graph.Directory().Subscriptions().ToGetRequestInformation(ctx, nil)
		if err != nil {
			return err
		}
		body, err := c.getBody(ctx, tc, ri)
		if err != nil {
			return err
		}
		out, err = decodeSubscriptions(body)
		return err
	})
	return out, err
}

// userFields are the properties read of every user. mail names the user when a page
// comes without userPrincipalName.
var userFields = []string{"id", "userPrincipalName", "mail", "displayName", "accountEnabled", "userType", "createdDateTime",
	"usageLocation", "assignedLicenses", "licenseAssignmentStates"}

// readUsers follows the users' nextLinks page by page into set; only one page is
// held at a time. The mailbox purpose of a page's candidates is asked before the
// page is added, so that the set's digest covers it.
func (c *Client) readUsers(ctx context.Context, tc *tenantClient, withSignIn bool, set *inventory.UserSet, mb *mailboxPurposes) error {
	fields := userFields
	if withSignIn {
		fields = append(append([]string(nil), userFields...), "signInActivity")
	}
	top := int32(c.cfg.PageSize)
	if withSignIn {
		top = min(top, 120) // Graph caps pages with signInActivity at 120
	}
	first, err := tc.graph.Users().ToGetRequestInformation(ctx, &users.UsersRequestBuilderGetRequestConfiguration{
		QueryParameters: &users.UsersRequestBuilderGetQueryParameters{Select: fields, Top: &top},
	})
	if err != nil {
		return err
	}
	next := ""
	for page := 0; ; page++ {
		var list []inventory.User
		var link string
		err := c.retry(ctx, func(ctx context.Context) error {
			ri := first
			if page > 0 {
				u, err := url.Parse(next)
				if err != nil {
					return fmt.Errorf("nextLink %q: %w", next, err)
				}
				ri = abstractions.NewRequestInformation()
				ri.Method = abstractions.GET
				ri.SetUri(*u)
			}
			body, err := c.getBody(ctx, tc, ri)
			if err != nil {
				return err
			}
			list, link, err = decodeUserPage(body)
			return err
		})
		if err != nil {
			return err
		}
		if err := c.askMailboxPurposes(ctx, tc, list, mb); err != nil {
			return err
		}
		if err := set.Add(list...); err != nil {
			return err
		}
		if link == "" {
			return nil
		}
		if err := c.trustedNextLink(link); err != nil {
			return err
		}
		next = link
	}
}
