package graph

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// The fuzz targets feed Graph's decoders and the usage-report reader arbitrary bytes:
// they must answer with values or an error, never panic, and what they return must
// hold together. Inputs a fuzzer finds go into the table tests in decode_test.go.

func FuzzEachCSVRow(f *testing.F) {
	f.Add("\ufeffReport Refresh Date,User Principal Name,Windows,Storage Used (Byte)\n2026-11-21,anna@contoso.example,Yes,1024\n")
	f.Add("User Principal Name\n\"a\"\"b@c\",extra\n")
	f.Add("User Principal Name,Has Archive\n\"unterminated\n")
	f.Add("")
	f.Add("\ufeff")
	f.Add("a,b\r\n1\r\n1,2,3\r\n")
	f.Fuzz(func(t *testing.T, body string) {
		rows := 0
		err := eachCSVRow(strings.NewReader(body), func(col func(string) string) error {
			rows++
			// Columns are looked up by name, present or not.
			for _, name := range []string{"User Principal Name", "Storage Used (Byte)", "", "a"} {
				v := col(name)
				if v != strings.TrimSpace(v) {
					t.Fatalf("column %q = %q is not trimmed", name, v)
				}
			}
			return nil
		})
		if err == nil && rows > strings.Count(body, "\n")+1 {
			t.Fatalf("%d rows from %d lines", rows, strings.Count(body, "\n")+1)
		}
	})
}

func FuzzDecodeUserPage(f *testing.F) {
	f.Add(`{"value":[{"id":"A","userPrincipalName":"a@b","mail":"m@b","accountEnabled":false,"createdDateTime":"2024-01-01T00:00:00Z",` +
		`"signInActivity":{"lastSignInDateTime":"0001-01-01T00:00:00Z","lastNonInteractiveSignInDateTime":null,"lastSuccessfulSignInDateTime":"2026-05-02T07:15:00Z"},` +
		`"assignedLicenses":[{"skuId":"S","disabledPlans":["p"]}],"licenseAssignmentStates":[{"skuId":"S","assignedByGroup":"G","state":"Error","error":"CountViolation"}]}],` +
		`"@odata.nextLink":"https://graph.microsoft.com/v1.0/users?$skiptoken=1"}`)
	f.Add(`{"value":[{"id":"B","mail":null,"usageLocation":null}]}`)
	f.Add(`{"value":[{"id":"C","createdDateTime":"2024-01-01T00:00:00.1234567+02:00"}],"@odata.nextLink":"/relative"}`)
	f.Add(`{"value":null}`)
	f.Add(`[]`)
	f.Add(`{"value":[{"id":"A"`)
	f.Fuzz(func(t *testing.T, body string) {
		users, next, err := decodeUserPage([]byte(body))
		if err != nil {
			if users != nil || next != "" {
				t.Fatalf("an error with values: %d users, next %q", len(users), next)
			}
			return
		}
		for _, u := range users {
			if u.ID == "" || u.ID != strings.ToLower(u.ID) {
				t.Fatalf("user id %q", u.ID)
			}
			for _, at := range []*time.Time{u.Created, u.LastSignIn, u.LastNonInteractive, u.LastSuccessfulSignIn} {
				if at != nil && (at.Year() <= 1 || at.Location() != time.UTC) {
					t.Fatalf("time %v kept: never must be nil, times UTC", at)
				}
			}
			_ = u.LastActivity()
		}
	})
}

func FuzzDecodePools(f *testing.F) {
	f.Add(`{"value":[{"skuId":"C7DF2760-2C81-4EF7-B578-5B5392B571DF","skuPartNumber":"SPE_E5","appliesTo":"User","capabilityStatus":"Warning","consumedUnits":1100,` +
		`"prepaidUnits":{"enabled":0,"warning":1100,"suspended":0,"lockedOut":0}}]}`)
	f.Add(`{"value":[{"skuId":"x","prepaidUnits":null}]}`)
	f.Add(`{"value":[{"skuId":"x","consumedUnits":1e99}]}`)
	f.Add(`{}`)
	f.Fuzz(func(t *testing.T, body string) {
		pools, err := decodePools([]byte(body))
		if err != nil {
			return
		}
		for _, p := range pools {
			if p.SKUID == "" || p.SKUID != strings.ToLower(p.SKUID) {
				t.Fatalf("pool SKU id %q", p.SKUID)
			}
		}
	})
}

func FuzzDecodeSubscriptions(f *testing.F) {
	f.Add(`{"value":[{"id":"A","commerceSubscriptionId":"B","skuId":"C","skuPartNumber":"SPB","status":"Enabled","totalLicenses":5,"isTrial":false,` +
		`"createdDateTime":"2026-01-31T00:00:00Z","nextLifecycleDateTime":"2027-01-31T00:00:00Z","ownerTenantId":"D","ownerType":"Company"}]}`)
	f.Add(`{"value":[{"id":"A","nextLifecycleDateTime":"0001-01-01T00:00:00Z"}]}`)
	f.Add(`{"value":[{"id":"A","createdDateTime":null}]}`)
	f.Fuzz(func(t *testing.T, body string) {
		subs, err := decodeSubscriptions([]byte(body))
		if err != nil {
			return
		}
		for _, s := range subs {
			if s.ID == "" || (s.NextLifecycle != nil && s.NextLifecycle.Year() <= 1) {
				t.Fatalf("subscription %+v", s)
			}
		}
	})
}

func FuzzDecodeReportSettings(f *testing.F) {
	f.Add(`{"@odata.context":"x","displayConcealedNames":true}`)
	f.Add(`{"value":{"displayConcealedNames":false}}`)
	f.Add(`{"value":[{"displayConcealedNames":true}]}`)
	f.Add(`{"value":[]}`)
	f.Add(`{"displayConcealedNames":null,"value":{"displayConcealedNames":true}}`)
	f.Fuzz(func(t *testing.T, body string) {
		concealed, known, err := decodeReportSettings([]byte(body))
		if (err != nil || !known) && concealed {
			t.Fatalf("concealed %v without knowing (known %v, error %v)", concealed, known, err)
		}
	})
}

func FuzzDecodeMailboxPurpose(f *testing.F) {
	f.Add(`{"userPurpose":"shared"}`)
	f.Add(`{"value":"Room"}`)
	f.Add(`{"value":{"userPurpose":"user"}}`)
	f.Fuzz(func(t *testing.T, body string) {
		purpose, err := decodeMailboxPurpose([]byte(body))
		if err == nil && utf8.ValidString(body) && purpose != strings.ToLower(purpose) {
			t.Fatalf("purpose %q is not lower-case", purpose)
		}
	})
}
