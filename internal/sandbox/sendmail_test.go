package sandbox

import (
	"net/http"
	"strings"
	"testing"
)

func TestSendMail(t *testing.T) {
	w, srv, client := smallCloud(t)
	send := func(mailbox, tenant, body string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, srv.GraphBaseURL()+"/users/"+mailbox+"/sendMail", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer sandbox."+tenant+".x1")
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	const good = `{"message":{"subject":"Prijenos licenci: ćčđ ß €","body":{"contentType":"HTML","content":"<p>€ 1.234,50</p>"},
		"toRecipients":[{"emailAddress":{"address":"ana@customer.example"}}],"internetMessageId":"<n-1@partner.example>"},"saveToSentItems":true}`

	resp := send("notices@partner.example", PartnerTenantID, good)
	if resp.StatusCode != http.StatusAccepted || resp.Header.Get("request-id") == "" {
		t.Fatalf("sendMail: %d, request-id %q", resp.StatusCode, resp.Header.Get("request-id"))
	}
	sent := srv.SentMail()
	if len(sent) != 1 || sent[0].RequestID != resp.Header.Get("request-id") || sent[0].Subject != "Prijenos licenci: ćčđ ß €" ||
		sent[0].To[0] != "ana@customer.example" || sent[0].InternetMessageID != "<n-1@partner.example>" || sent[0].BodyType != "html" {
		t.Fatalf("recorded %+v", sent)
	}

	cases := []struct {
		name, mailbox, tenant, body string
		status                      int
	}{
		{"unknown mailbox", "nobody@partner.example", PartnerTenantID, good, http.StatusNotFound},
		{"no recipient", "notices@partner.example", PartnerTenantID, `{"message":{"subject":"x","body":{"contentType":"Text","content":"x"}}}`, http.StatusBadRequest},
		{"customer tenant", "notices@partner.example", w.Tenants[0].ID, good, http.StatusForbidden},
	}
	for _, c := range cases {
		if resp := send(c.mailbox, c.tenant, c.body); resp.StatusCode != c.status {
			t.Errorf("%s: status %d, want %d", c.name, resp.StatusCode, c.status)
		}
	}

	srv.ThrottleSendMail(1, "0.5")
	resp = send("notices@partner.example", PartnerTenantID, good)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "0.5" {
		t.Errorf("throttled: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if resp := send("notices@partner.example", PartnerTenantID, good); resp.StatusCode != http.StatusAccepted {
		t.Errorf("after the throttle: %d", resp.StatusCode)
	}
	if n := len(srv.SentMail()); n != 2 {
		t.Errorf("recorded %d messages, want 2", n)
	}
}
