package graph

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestDecodeUserPageShapes(t *testing.T) {
	page := `{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#users","value":[
	 {"id":"AAAA0000-0000-4000-8000-000000000001","userPrincipalName":"anna@contoso.example","mail":"Anna.Jansen@contoso.example","accountEnabled":true,
	  "createdDateTime":"2024-03-01T10:00:00Z",
	  "signInActivity":{"lastSignInDateTime":"2026-11-20T08:00:00Z","lastNonInteractiveSignInDateTime":"2026-11-21T09:00:00Z","lastSuccessfulSignInDateTime":"2026-05-02T07:15:00Z"},
	  "assignedLicenses":[{"skuId":"05E9A617-0261-4CEE-BB44-138D3EF5D965","disabledPlans":[]}],
	  "licenseAssignmentStates":[{"skuId":"05E9A617-0261-4CEE-BB44-138D3EF5D965","assignedByGroup":null,"state":"Active","error":"None","disabledPlans":[]}]},
	 {"id":"aaaa0000-0000-4000-8000-000000000002","mail":"info@contoso.example","accountEnabled":false,
	  "signInActivity":{"lastSignInDateTime":"0001-01-01T00:00:00Z","lastNonInteractiveSignInDateTime":null,"lastSuccessfulSignInDateTime":"0001-01-01T00:00:00Z"},
	  "assignedLicenses":[{"skuId":"19ec0d23-8335-4cbd-94ac-6050e30712fa","disabledPlans":["B"," a"]}]},
	 {"id":"aaaa0000-0000-4000-8000-000000000003","createdDateTime":"0001-01-01T00:00:00Z","usageLocation":"NL"}
	],"@odata.nextLink":"https://graph.microsoft.com/v1.0/users?$skiptoken=X"}`
	users, next, err := decodeUserPage([]byte(page))
	if err != nil {
		t.Fatal(err)
	}
	if next != "https://graph.microsoft.com/v1.0/users?$skiptoken=X" || len(users) != 3 {
		t.Fatalf("next %q, %d users", next, len(users))
	}
	sprayed, shared, bare := users[0], users[1], users[2]
	okAt := time.Date(2026, 5, 2, 7, 15, 0, 0, time.UTC)
	if sprayed.ID != "aaaa0000-0000-4000-8000-000000000001" || sprayed.Mail != "Anna.Jansen@contoso.example" ||
		sprayed.LastSuccessfulSignIn == nil || !sprayed.LastActivity().Equal(okAt) || len(sprayed.Assignments) != 1 || sprayed.Assignments[0].Error != "" {
		t.Errorf("first user: %+v", sprayed)
	}
	// 0001-01-01T00:00:00Z means never, like null.
	if shared.UPN != "" || shared.Mail != "info@contoso.example" || shared.Enabled || shared.LastSignIn != nil || shared.LastNonInteractive != nil ||
		shared.LastSuccessfulSignIn != nil || !shared.LastActivity().IsZero() {
		t.Errorf("user without a principal name, never signed in: %+v", shared)
	}
	if len(shared.Assignments) != 1 || shared.Assignments[0].DisabledPlans != " a,b" {
		t.Errorf("licence without a state: %+v", shared.Assignments)
	}
	if bare.Created != nil || !bare.Enabled || bare.UsageLocation != "NL" {
		t.Errorf("user with the zero creation date: %+v", bare)
	}
}

func TestDecodeReportSettingsShapes(t *testing.T) {
	for _, tc := range []struct {
		name             string
		body             string
		concealed, known bool
		err              bool
	}{
		{"flat, as live Graph answers", `{"@odata.context":"x","displayConcealedNames":true}`, true, true, false},
		{"flat, not concealed", `{"displayConcealedNames":false}`, false, true, false},
		{"nested under value, as documented", `{"@odata.context":"x","value":{"@odata.type":"#microsoft.graph.adminReportSettings","displayConcealedNames":true}}`, true, true, false},
		{"nested, not concealed", `{"value":{"displayConcealedNames":false}}`, false, true, false},
		{"a collection of one", `{"value":[{"displayConcealedNames":true}]}`, true, true, false},
		{"neither shape says", `{"@odata.context":"x"}`, false, false, false},
		{"value without the setting", `{"value":{}}`, false, false, false},
		{"value null", `{"value":null}`, false, false, false},
		{"two settings objects", `{"value":[{"displayConcealedNames":true},{"displayConcealedNames":false}]}`, false, false, true},
		{"value of the wrong type", `{"value":"yes"}`, false, false, true},
		{"setting of the wrong type", `{"displayConcealedNames":"true"}`, false, false, true},
		{"cut off", `{"displayConcealedNames":tr`, false, false, true},
		{"empty", ``, false, false, true},
		{"not an object", `[true]`, false, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			concealed, known, err := decodeReportSettings([]byte(tc.body))
			if (err != nil) != tc.err || concealed != tc.concealed || known != tc.known {
				t.Errorf("decodeReportSettings(%s) = %v, %v, %v; want %v, %v, error %v", tc.body, concealed, known, err, tc.concealed, tc.known, tc.err)
			}
		})
	}
	// A body cut off mid-way must stay retryable.
	_, _, err := decodeReportSettings([]byte(`{"displayConcealedNames":tr`))
	var syntax *json.SyntaxError
	if !errors.As(err, &syntax) || !transient(err) {
		t.Errorf("a cut-off body gives %v, which is not retried", err)
	}
}

func TestDecodeMailboxPurpose(t *testing.T) {
	for body, want := range map[string]string{
		`{"@odata.context":"x","userPurpose":"shared"}`: "shared",
		`{"userPurpose":"Room"}`:                        "room",
		`{"value":"equipment"}`:                         "equipment",
		`{"userPurpose":null}`:                          "",
		`{}`:                                            "",
	} {
		got, err := decodeMailboxPurpose([]byte(body))
		if err != nil || got != want {
			t.Errorf("decodeMailboxPurpose(%s) = %q, %v; want %q", body, got, err, want)
		}
	}
	for _, bad := range []string{``, `[]`, `{"userPurpose":1}`, `{"userPurpose":"sh`} {
		if _, err := decodeMailboxPurpose([]byte(bad)); err == nil {
			t.Errorf("decodeMailboxPurpose(%s): no error", bad)
		}
	}
}

func TestDecodersRefuseMalformedPages(t *testing.T) {
	for _, tc := range []struct {
		name, body, want string
	}{
		{"user without id", `{"value":[{"userPrincipalName":"a@b"}]}`, "no id"},
		{"relative nextLink", `{"value":[],"@odata.nextLink":"/users?$skiptoken=1"}`, "not an absolute URL"},
		{"nextLink that is no URL", `{"value":[],"@odata.nextLink":"http://[::1"}`, "not an absolute URL"},
		{"value not a list", `{"value":{}}`, "cannot unmarshal"},
		{"time that is no time", `{"value":[{"id":"1","createdDateTime":"yesterday"}]}`, "cannot parse"},
		{"a bare list", `[{"id":"1"}]`, "not a JSON object"},
		{"empty", ``, "empty body"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := decodeUserPage([]byte(tc.body))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("decodeUserPage(%s): %v, want an error saying %q", tc.body, err, tc.want)
			}
		})
	}
	if _, err := decodePools([]byte(`{"value":[{"skuPartNumber":"SPB"}]}`)); err == nil {
		t.Error("a pool without skuId was accepted")
	}
	if _, err := decodeSubscriptions([]byte(`{"value":[{"skuId":"x"}]}`)); err == nil {
		t.Error("a subscription without id was accepted")
	}
	subs, err := decodeSubscriptions([]byte(`{"value":[{"id":"A","skuId":"B","createdDateTime":"2026-01-31T00:00:00Z","nextLifecycleDateTime":"0001-01-01T00:00:00Z"}]}`))
	if err != nil || len(subs) != 1 || subs[0].NextLifecycle != nil || subs[0].ID != "a" {
		t.Errorf("subscription with the zero lifecycle date: %+v, %v", subs, err)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	h := throttleRetry{maxRetries: 3, maxDelay: 10 * time.Second, backoff: time.Second}
	if d := h.delay("600", 1, now); d != 10*time.Second {
		t.Errorf("a Retry-After of 600 s waits %s, want the cap of 10 s", d)
	}
	if d := h.delay("", 3, now); d < 4*time.Second || d > 5*time.Second {
		t.Errorf("third backoff without Retry-After: %s, want 4-4.5 s", d)
	}
}

func TestConcealedByData(t *testing.T) {
	for _, tc := range []struct {
		rows, hashed, unmatched int
		want                    bool
	}{
		{0, 0, 0, false},
		{40, 40, 40, true},
		{40, 0, 3, false}, // a few leavers' rows match no current user
		{40, 0, 40, true}, // names that match nobody cannot be joined either
		{40, 21, 21, true},
		{40, 20, 20, false},
	} {
		if got := concealedByData(tc.rows, tc.hashed, tc.unmatched); got != tc.want {
			t.Errorf("concealedByData(%d, %d, %d) = %v, want %v", tc.rows, tc.hashed, tc.unmatched, got, tc.want)
		}
	}
	for name, want := range map[string]bool{
		"5A0C6D4F9E2B1A3C5A0C6D4F9E2B1A3C": true,
		"5a0c6d4f9e2b1a3c":                 true,
		"anna@contoso.example":             false,
		"deadbeef":                         false, // too short for Microsoft's hashes
		"5A0C6D4F9E2B1A3C5A0C6D4F9E2B1A3G": false,
	} {
		if looksHashed(name) != want {
			t.Errorf("looksHashed(%q) = %v", name, !want)
		}
	}
}

// Report rows and user pages come out valid UTF-8 without controls, whatever the bytes.
func TestDecodersCleanOutsideStrings(t *testing.T) {
	var got []string
	err := eachCSVRow(strings.NewReader("User Principal Name,Recipient Type\nada\x00@x.example,Sha\xffred\x1b[2J\n"), func(col func(string) string) error {
		got = append(got, col("User Principal Name"), col("Recipient Type"))
		return nil
	})
	if err != nil || len(got) != 2 || got[0] != "ada@x.example" || got[1] != "Shared[2J" {
		t.Errorf("report row %q, %v", got, err)
	}
	users, _, err := decodeUserPage([]byte(`{"value":[{"id":"A\u0000B","displayName":"Ada\u0000 \u001b[2JLovelace","userPrincipalName":"ada@x\u0007.example","mail":"m\u0085@x"}]}`))
	if err != nil || len(users) != 1 {
		t.Fatalf("%+v %v", users, err)
	}
	if u := users[0]; u.ID != "ab" || u.DisplayName != "Ada [2JLovelace" || u.UPN != "ada@x.example" || u.Mail != "m@x" {
		t.Errorf("user %+v", u)
	}
}
