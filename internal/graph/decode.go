package graph

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/seatledger/seatledger/internal/inventory"
	"github.com/seatledger/seatledger/internal/textclean"
)

// The decoders below turn Graph's answers into inventory values. They are pure, so
// that they can be fuzzed without a server: whatever the bytes, they return values or
// an error, never panic. A body cut off mid-way fails as a *json.SyntaxError, which
// the caller retries. Every string is cleaned with textclean.Stored on the way in, so
// that both databases store the same text (PostgreSQL refuses a NUL that SQLite keeps).

// decodePools reads one answer of /subscribedSkus.
func decodePools(body []byte) ([]inventory.Pool, error) {
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
	if err := unmarshalObject(body, &page); err != nil {
		return nil, err
	}
	out := make([]inventory.Pool, len(page.Value))
	for i, s := range page.Value {
		if s.SKUID == "" {
			return nil, fmt.Errorf("subscribedSkus: entry %d has no skuId", i)
		}
		u := s.PrepaidUnits
		out[i] = inventory.Pool{SKUID: lowerID(s.SKUID), PartNumber: clean(s.PartNumber), AppliesTo: clean(s.AppliesTo), CapabilityStatus: clean(s.CapabilityStatus),
			Enabled: u.Enabled, Warning: u.Warning, Suspended: u.Suspended, LockedOut: u.LockedOut, Consumed: s.ConsumedUnits}
	}
	return out, nil
}

// decodeSubscriptions reads one answer of /directory/subscriptions.
func decodeSubscriptions(body []byte) ([]inventory.Subscription, error) {
	// inventory.Subscription carries Graph's field names.
	var page struct {
		Value []inventory.Subscription `json:"value"`
	}
	if err := unmarshalObject(body, &page); err != nil {
		return nil, err
	}
	for i := range page.Value {
		s := &page.Value[i]
		if s.ID == "" {
			return nil, fmt.Errorf("directory/subscriptions: entry %d has no id", i)
		}
		s.ID, s.CommerceID, s.SKUID, s.OwnerTenantID = lowerID(s.ID), lowerID(s.CommerceID), lowerID(s.SKUID), lowerID(s.OwnerTenantID)
		s.PartNumber, s.Status, s.OwnerType = clean(s.PartNumber), clean(s.Status), clean(s.OwnerType)
		s.Created, s.NextLifecycle = s.Created.UTC(), never(s.NextLifecycle)
	}
	return page.Value, nil
}

// userPage is the lean shape of one page of /users.
type userPage struct {
	Value []struct {
		ID               string     `json:"id"`
		UPN              string     `json:"userPrincipalName"`
		Mail             *string    `json:"mail"`
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
			Successful     *time.Time `json:"lastSuccessfulSignInDateTime"`
		} `json:"signInActivity"`
	} `json:"value"`
	NextLink string `json:"@odata.nextLink"`
}

// decodeUserPage reads one page of /users: its users, and the absolute URL of the
// next page ("" on the last). A page may lack any property, userPrincipalName
// included; only the id is required, as everything is stored under it.
func decodeUserPage(body []byte) ([]inventory.User, string, error) {
	var p userPage
	if err := unmarshalObject(body, &p); err != nil {
		return nil, "", err
	}
	if p.NextLink != "" {
		u, err := url.Parse(p.NextLink)
		if err != nil || !u.IsAbs() || u.Host == "" {
			return nil, "", fmt.Errorf("users: @odata.nextLink %q is not an absolute URL", p.NextLink)
		}
	}
	out := make([]inventory.User, 0, len(p.Value))
	for i, v := range p.Value {
		if v.ID == "" {
			return nil, "", fmt.Errorf("users: user %d of the page has no id", i)
		}
		u := inventory.User{ID: lowerID(v.ID), Created: never(v.Created), UPN: clean(v.UPN), DisplayName: clean(v.DisplayName), UserType: clean(v.UserType),
			Enabled: v.AccountEnabled == nil || *v.AccountEnabled}
		if v.Mail != nil {
			u.Mail = clean(*v.Mail)
		}
		if v.UsageLocation != nil {
			u.UsageLocation = clean(*v.UsageLocation)
		}
		if v.SignIn != nil {
			u.LastSignIn, u.LastNonInteractive, u.LastSuccessfulSignIn = never(v.SignIn.Last), never(v.SignIn.NonInteractive), never(v.SignIn.Successful)
		}
		for _, s := range v.States {
			a := inventory.Assignment{SKUID: lowerID(s.SKUID), State: clean(s.State), DisabledPlans: joinSorted(s.DisabledPlans)}
			if s.AssignedByGroup != nil {
				a.Group = lowerID(*s.AssignedByGroup)
			}
			if s.Error != "" && s.Error != "None" {
				a.Error = clean(s.Error)
			}
			u.Assignments = append(u.Assignments, a)
		}
		// assignedLicenses without a state (older tenants) still count as held.
		for _, l := range v.AssignedLicenses {
			if !hasSKU(u.Assignments, lowerID(l.SKUID)) {
				u.Assignments = append(u.Assignments, inventory.Assignment{SKUID: lowerID(l.SKUID), State: "Active", DisabledPlans: joinSorted(l.DisabledPlans)})
			}
		}
		out = append(out, u)
	}
	return out, p.NextLink, nil
}

// decodeReportSettings reads /admin/reportSettings. Microsoft documents the object
// nested under "value"; live Graph answers it flat. known is false when neither shape
// says whether names are concealed: the caller then judges from the reports.
func decodeReportSettings(body []byte) (concealed, known bool, err error) {
	type settings struct {
		DisplayConcealedNames *bool `json:"displayConcealedNames"`
	}
	var flat struct {
		settings
		Value json.RawMessage `json:"value"`
	}
	if err := unmarshalObject(body, &flat); err != nil {
		return false, false, err
	}
	if v := flat.DisplayConcealedNames; v != nil {
		return *v, true, nil
	}
	value := bytes.TrimSpace(flat.Value)
	if len(value) == 0 || string(value) == "null" {
		return false, false, nil
	}
	var nested settings
	if value[0] == '[' {
		// A collection of one, as some documented examples show.
		var list []settings
		if err := json.Unmarshal(value, &list); err != nil {
			return false, false, fmt.Errorf("admin/reportSettings value: %w", err)
		}
		if len(list) != 1 {
			return false, false, fmt.Errorf("admin/reportSettings: %d settings objects under value, want one", len(list))
		}
		nested = list[0]
	} else if err := json.Unmarshal(value, &nested); err != nil {
		return false, false, fmt.Errorf("admin/reportSettings value: %w", err)
	}
	if nested.DisplayConcealedNames == nil {
		return false, false, nil
	}
	return *nested.DisplayConcealedNames, true, nil
}

// decodeMailboxPurpose reads /users/{id}/mailboxSettings?$select=userPurpose, or the
// property on its own (/mailboxSettings/userPurpose answers {"value": "shared"}).
// The purpose comes back lower-case; "" when the answer does not carry one.
func decodeMailboxPurpose(body []byte) (string, error) {
	var s struct {
		UserPurpose *string         `json:"userPurpose"`
		Value       json.RawMessage `json:"value"`
	}
	if err := unmarshalObject(body, &s); err != nil {
		return "", err
	}
	if s.UserPurpose != nil {
		return strings.ToLower(strings.TrimSpace(clean(*s.UserPurpose))), nil
	}
	var v string
	if len(s.Value) > 0 && json.Unmarshal(s.Value, &v) == nil {
		return strings.ToLower(strings.TrimSpace(clean(v))), nil
	}
	return "", nil
}

// errNotObject marks an answer that is JSON but not an object (a bare array or
// string where Graph sends an object).
var errNotObject = errors.New("answer is not a JSON object")

func unmarshalObject(body []byte, out any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return fmt.Errorf("%w: empty body", errTruncated)
	}
	if err := json.Unmarshal(body, out); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field == "" {
			return fmt.Errorf("%w: %v", errNotObject, err)
		}
		return err
	}
	return nil
}

// never reads Graph's "never": null, or the zero date 0001-01-01T00:00:00Z that
// signInActivity and some dates carry instead. Both become nil; times come back UTC.
func never(t *time.Time) *time.Time {
	if t == nil || t.IsZero() || t.Year() <= 1 {
		return nil
	}
	return inventory.UTC(t)
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
		s[i] = lowerID(id)
	}
	sort.Strings(s)
	return strings.Join(s, ",")
}

// clean is how every string from Graph is kept.
func clean(s string) string { return textclean.Stored(s) }

// lowerID is an id from Graph, cleaned and in lower case as it is stored.
func lowerID(s string) string { return strings.ToLower(clean(s)) }
