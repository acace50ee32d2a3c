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
	"sort"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	abstractions "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
	"github.com/microsoftgraph/msgraph-sdk-go/users"

	"github.com/seatledger/seatledger/internal/inventory"
)

// ReadTenant reads one customer tenant: licence pools, subscriptions, users with
// their licences and sign-in activity, and, when asked, usage reports. Users are read
// page by page into lean values; the SDK's user models cost ~33 KB each and parse
// six times slower.
func (c *Client) ReadTenant(ctx context.Context, tenantID string, opts inventory.ReadOptions) (*inventory.Snapshot, inventory.ReadStats, error) {
	var st inventory.ReadStats
	tc, err := c.forTenant(tenantID)
	if err != nil {
		return nil, st, err
	}
	snap, err := c.readTenant(ctx, tc, tenantID, opts, &st)
	return snap, st, signInError(err)
}

func (c *Client) readTenant(ctx context.Context, tc *tenantClient, tenantID string, opts inventory.ReadOptions, st *inventory.ReadStats) (*inventory.Snapshot, error) {
	snap := &inventory.Snapshot{TenantID: tenantID}
	var err error
	if snap.Pools, err = c.readPools(ctx, tc, st); err != nil {
		return nil, fmt.Errorf("read subscribedSkus: %w", err)
	}
	if snap.Subscriptions, err = c.readSubscriptions(ctx, tc, st); err != nil {
		return nil, fmt.Errorf("read directory/subscriptions: %w", err)
	}
	snap.SignInData = true
	snap.Users = &inventory.UserSet{SpillAfter: c.cfg.SpillUsersAfter}
	err = c.readUsers(ctx, tc, true, snap.Users, st)
	if err != nil && refused(err) {
		// No Entra ID P1/P2 (or no AuditLog.Read.All): read without sign-in activity
		// rather than fail the tenant.
		_ = snap.Users.Close()
		snap.SignInData = false
		snap.SignInNote = "Graph refused signInActivity: " + errorText(err)
		snap.Users = &inventory.UserSet{SpillAfter: c.cfg.SpillUsersAfter}
		err = c.readUsers(ctx, tc, false, snap.Users, st)
	}
	if err != nil {
		_ = snap.Close()
		return nil, fmt.Errorf("read users: %w", err)
	}
	if opts.Usage {
		if err := c.readUsage(ctx, tc, snap, st); err != nil {
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
func (c *Client) retry(ctx context.Context, st *inventory.ReadStats, fn func(ctx context.Context) error) error {
	var err error
	for attempt := range maxAttempts {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(min(time.Duration(50<<attempt)*time.Millisecond, 2*time.Second)):
			}
		}
		st.Requests++
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
		return fmt.Sprintf("%d %s: %s", oe.ResponseStatusCode, code, msg)
	}
	return err.Error()
}

var errorMapping = abstractions.ErrorMappings{"XXX": odataerrors.CreateODataErrorFromDiscriminatorValue}

// getJSON sends one GET through the SDK's request adapter (authentication, retry
// on throttling, redirects) and decodes the body into lean values: the SDK's models
// allocate and parse several times slower.
func (c *Client) getJSON(ctx context.Context, tc *tenantClient, ri *abstractions.RequestInformation, out any) error {
	ri.Headers.TryAdd("Accept", "application/json")
	body, err := tc.adapter.SendPrimitive(ctx, ri, "[]byte", errorMapping)
	if err != nil {
		return err
	}
	b, _ := body.([]byte)
	if len(b) == 0 {
		return fmt.Errorf("%w: empty body", errTruncated)
	}
	return json.Unmarshal(b, out)
}

func (c *Client) readPools(ctx context.Context, tc *tenantClient, st *inventory.ReadStats) ([]inventory.Pool, error) {
	var page struct {
		Value []struct {
			SKUID            string `json:"skuId"`
			PartNumber       string `json:"skuPartNumber"`
			AppliesTo        string `json:"appliesTo"`
			CapabilityStatus string `json:"capabilityStatus"`
			ConsumedUnits    int    `json:"consumedUnits"`
			PrepaidUnits     struct {
				Enabled   int `json:"enabled"`
				Warning   int `json:"warning"`
				Suspended int `json:"suspended"`
				LockedOut int `json:"lockedOut"`
			} `json:"prepaidUnits"`
		} `json:"value"`
	}
	err := c.retry(ctx, st, func(ctx context.Context) error {
		ri, err := tc.graph.SubscribedSkus().ToGetRequestInformation(ctx, nil)
		if err != nil {
			return err
		}
		return c.getJSON(ctx, tc, ri, &page)
	})
	if err != nil {
		return nil, err
	}
	out := make([]inventory.Pool, len(page.Value))
	for i, s := range page.Value {
		u := s.PrepaidUnits
		out[i] = inventory.Pool{SKUID: strings.ToLower(s.SKUID), PartNumber: s.PartNumber, AppliesTo: s.AppliesTo, CapabilityStatus: s.CapabilityStatus,
			Enabled: u.Enabled, Warning: u.Warning, Suspended: u.Suspended, LockedOut: u.LockedOut, Consumed: s.ConsumedUnits}
	}
	return out, nil
}

func (c *Client) readSubscriptions(ctx context.Context, tc *tenantClient, st *inventory.ReadStats) ([]inventory.Subscription, error) {
	// inventory.Subscription carries Graph's field names.
	var page struct {
		Value []inventory.Subscription `json:"value"`
	}
	err := c.retry(ctx, st, func(ctx context.Context) error {
		ri, err := tc.graph.Directory().Subscriptions().ToGetRequestInformation(ctx, nil)
		if err != nil {
			return err
		}
		return c.getJSON(ctx, tc, ri, &page)
	})
	if err != nil {
		return nil, err
	}
	for i := range page.Value {
		s := &page.Value[i]
		s.ID, s.CommerceID, s.SKUID, s.OwnerTenantID = strings.ToLower(s.ID), strings.ToLower(s.CommerceID), strings.ToLower(s.SKUID), strings.ToLower(s.OwnerTenantID)
		s.Created, s.NextLifecycle = s.Created.UTC(), inventory.UTC(s.NextLifecycle)
	}
	return page.Value, nil
}

var userFields = []string{"id", "userPrincipalName", "displayName", "accountEnabled", "userType", "createdDateTime",
	"usageLocation", "assignedLicenses", "licenseAssignmentStates"}

// userPage is the lean shape of one page of /users.
type userPage struct {
	Value []struct {
		ID               string     `json:"id"`
		UPN              string     `json:"userPrincipalName"`
		DisplayName      string     `json:"displayName"`
		AccountEnabled   *bool      `json:"accountEnabled"`
		UserType         string     `json:"userType"`
		Created          *time.Time `json:"createdDateTime"`
		UsageLocation    *string    `json:"usageLocation"`
		AssignedLicenses []struct {
			SKUID         string   `json:"skuId"`
			DisabledPlans []string `json:"disabledPlans"`
		} `json:"assignedLicenses"`
		States []struct {
			SKUID           string   `json:"skuId"`
			AssignedByGroup *string  `json:"assignedByGroup"`
			State           string   `json:"state"`
			Error           string   `json:"error"`
			DisabledPlans   []string `json:"disabledPlans"`
		} `json:"licenseAssignmentStates"`
		SignIn *struct {
			Last           *time.Time `json:"lastSignInDateTime"`
			NonInteractive *time.Time `json:"lastNonInteractiveSignInDateTime"`
		} `json:"signInActivity"`
	} `json:"value"`
	NextLink string `json:"@odata.nextLink"`
}

// readUsers follows the users' nextLinks page by page into set; only one page is
// held at a time.
func (c *Client) readUsers(ctx context.Context, tc *tenantClient, withSignIn bool, set *inventory.UserSet, st *inventory.ReadStats) error {
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
		var p userPage
		err := c.retry(ctx, st, func(ctx context.Context) error {
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
			p = userPage{}
			return c.getJSON(ctx, tc, ri, &p)
		})
		if err != nil {
			return err
		}
		for _, v := range p.Value {
			u := inventory.User{ID: strings.ToLower(v.ID), Created: inventory.UTC(v.Created), UPN: v.UPN, DisplayName: v.DisplayName, UserType: v.UserType, Enabled: v.AccountEnabled == nil || *v.AccountEnabled}
			if v.UsageLocation != nil {
				u.UsageLocation = *v.UsageLocation
			}
			if v.SignIn != nil {
				u.LastSignIn, u.LastNonInteractive = inventory.UTC(v.SignIn.Last), inventory.UTC(v.SignIn.NonInteractive)
			}
			for _, s := range v.States {
				a := inventory.Assignment{SKUID: strings.ToLower(s.SKUID), State: s.State, DisabledPlans: joinSorted(s.DisabledPlans)}
				if s.AssignedByGroup != nil {
					a.Group = strings.ToLower(*s.AssignedByGroup)
				}
				if s.Error != "" && s.Error != "None" {
					a.Error = s.Error
				}
				u.Assignments = append(u.Assignments, a)
			}
			// assignedLicenses without a state (older tenants) still count as held.
			for _, l := range v.AssignedLicenses {
				if !hasSKU(u.Assignments, strings.ToLower(l.SKUID)) {
					u.Assignments = append(u.Assignments, inventory.Assignment{SKUID: strings.ToLower(l.SKUID), State: "Active", DisabledPlans: joinSorted(l.DisabledPlans)})
				}
			}
			if err := set.Add(u); err != nil {
				return err
			}
		}
		if p.NextLink == "" {
			return nil
		}
		next = p.NextLink
	}
}

func hasSKU(as []inventory.Assignment, sku string) bool {
	for _, a := range as {
		if a.SKUID == sku {
			return true
		}
	}
	return false
}

func joinSorted(ids []string) string {
	if len(ids) == 0 {
		return ""
	}
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strings.ToLower(id)
	}
	sort.Strings(s)
	return strings.Join(s, ",")
}
