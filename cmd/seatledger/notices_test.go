package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/seatledger/seatledger/internal/terms"

	"github.com/shopspring/decimal"

	"github.com/seatledger/seatledger/internal/app"
	"github.com/seatledger/seatledger/internal/mail/smtptest"
	"github.com/seatledger/seatledger/internal/notices"
	"github.com/seatledger/seatledger/internal/noticetext"
	"github.com/seatledger/seatledger/internal/pricing"
	"github.com/seatledger/seatledger/internal/sandbox"
)

// smtpMessage is the message the server received with a Message-ID.
func smtpMessage(t *testing.T, srv *smtptest.Server, id string) []byte {
	t.Helper()
	for _, m := range srv.Messages() {
		if m.MessageID == id {
			return m.Data
		}
	}
	t.Fatalf("no message %s received", id)
	return nil
}

// htmlPart is the text/html part of a multipart/alternative message, decoded.
func htmlPart(t *testing.T, data []byte) string {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	r := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := r.NextPart()
		if err != nil {
			t.Fatalf("no text/html part: %v", err)
		}
		if !strings.HasPrefix(p.Header.Get("Content-Type"), "text/html") {
			continue
		}
		var body io.Reader = p
		if strings.EqualFold(p.Header.Get("Content-Transfer-Encoding"), "base64") {
			body = base64.NewDecoder(base64.StdEncoding, p)
		}
		b, err := io.ReadAll(body)
		if err != nil {
			t.Fatal(err)
		}
		// Mail carries lines ended by CRLF; the stored rendering ends them with LF.
		return strings.ReplaceAll(string(b), "\r\n", "\n")
	}
}

const testAnnouncement = `key: annual-billed-monthly-2027-03
effective: 2027-03-01
affects: {terms: [P1Y], billing_plans: [monthly]}
text:
  en: {title: Annual subscriptions paid monthly cost 5% more, body: From 1 March Microsoft charges 5% more.}
  hr: {title: Godišnje pretplate s mjesečnim plaćanjem poskupljuju 5 %, body: Od 1. ožujka Microsoft naplaćuje 5 % više.}
`

// Notices made from the simulated cloud's price changes, renewals, findings and an
// announcement: the customer's prices to the cent under its contract line, once per
// change however often detected, in the customer's language, delivered once over a
// real SMTP conversation (a 451 retried) and through Graph's sendMail.
func TestNoticesEndToEnd(t *testing.T) {
	srv, world, files := sandboxEnv(t, 8)
	t.Setenv("SEATLEDGER_PARTNER_TENANT_ID", sandbox.PartnerTenantID)
	t.Setenv("SEATLEDGER_PARTNER_CENTER_ENABLED", "true")
	t.Setenv("SEATLEDGER_PARTNER_CENTER_BASE_URL", srv.PartnerCenterBaseURL())
	partnerAPIEnv(t, srv)
	mustRun(t, "partner-center", "login")
	smtp := smtptest.Start(t, smtptest.Options{})
	host, port := smtp.Addr()
	for k, v := range map[string]string{"TRANSPORT": "smtp", "SMTP_HOST": host, "SMTP_PORT": strconv.Itoa(port), "SMTP_SECURITY": "none",
		"SMTP_AUTH": "none", "FROM": "notices@partner.example", "PARTNER_NAME": "Cloud Partner BV"} {
		t.Setenv("SEATLEDGER_NOTICES_"+k, v)
	}
	announcement := filepath.Join(t.TempDir(), "announcement.yaml")
	writeFile(t, announcement, testAnnouncement)
	today := terms.Day(srv.Now())

	// What the customer of a cost-plus line pays a seat per month, before and after each
	// change, and which customers hold a retired offer.
	markup := map[string]decimal.Decimal{}
	for _, l := range world.Contracts() {
		if l.Markup != "" {
			markup[l.TenantID+"|"+l.SKU+"|"+l.Term] = decimal.RequireFromString(l.Markup)
		}
	}
	type want struct{ old, new string }
	wantPrices := map[string]want{} // tenant|part|term|reaches
	retired := map[string]bool{}
	locale := map[string]string{}
	for _, c := range world.Customers() {
		locale[c.TenantID] = c.Locale
	}
	for _, im := range world.PriceImpactTruth(decimal.Zero) {
		if im.Reaches.Before(today) {
			continue
		}
		if im.Kind == sandbox.ImpactRetired {
			retired[im.TenantID] = true
			continue
		}
		m, ok := markup[im.TenantID+"|"+im.PartNumber+"|"+im.Term]
		if !ok || im.OldPrice == nil || im.NewPrice == nil {
			continue
		}
		factor := decimal.NewFromInt(1).Add(m.Div(decimal.NewFromInt(100)))
		months := decimal.NewFromInt(int64(pricing.Months(im.Term)))
		wantPrices[im.TenantID+"|"+im.PartNumber+"|"+im.Term+"|"+im.Reaches.Format(time.DateOnly)] = want{
			im.OldPrice.Div(months).Mul(factor).Round(2).StringFixed(2), im.NewPrice.Div(months).Mul(factor).Round(2).StringFixed(2)}
	}
	if len(wantPrices) == 0 || len(retired) == 0 {
		t.Fatalf("the world lacks a cost-plus customer reached by a change (%d) or a holder of a retired offer (%d)", len(wantPrices), len(retired))
	}

	eachDatabase(t, func(t *testing.T, db string) {
		syncedWorld(t, db, files)
		fetchPriceSheets(t, db, world)
		mustRun(t, "--db", db, "advise")
		mustRun(t, "--db", db, "notices", "announce", announcement)
		if out := mustRun(t, "--db", db, "notices", "announce", announcement); !strings.Contains(out, "nothing changed") {
			t.Errorf("announcing again: %s", out)
		}

		var run app.NoticeRun
		if err := json.Unmarshal([]byte(mustRun(t, "--db", db, "notices", "create", "-o", "json")), &run); err != nil {
			t.Fatal(err)
		}
		kinds := map[string]int{}
		checked := map[string]bool{}
		for _, n := range run.Created {
			kinds[n.Kind]++
			if n.Language != strings.SplitN(locale[n.TenantID], "-", 2)[0] {
				t.Errorf("notice %d for %s in %q, the customer reads %q", n.ID, n.Customer, n.Language, locale[n.TenantID])
			}
			if n.Reaches != nil {
				due, _ := notices.Due(*n.Reaches, 30, today)
				if !n.Due.Equal(due) {
					t.Errorf("notice %d reaches %s, due %s, want %s (30 days' notice)", n.ID, n.Reaches, n.Due, due)
				}
			}
			if n.Kind != notices.PriceChange {
				continue
			}
			for _, l := range n.Letter.Prices {
				k := n.TenantID + "|" + l.PartNumber + "|" + l.Term + "|" + l.Reaches.Format(time.DateOnly)
				w, ok := wantPrices[k]
				switch {
				case l.New == nil:
					if !retired[n.TenantID] {
						t.Errorf("notice %d: %s retired for a customer holding no retired offer", n.ID, l.PartNumber)
					}
					if !strings.Contains(n.Text, l.Product) {
						t.Errorf("notice %d does not name the retired %s", n.ID, l.Product)
					}
				case !ok:
					t.Errorf("notice %d: a price line %s the truth does not have", n.ID, k)
				case l.Old.StringFixed(2) != w.old || l.New.StringFixed(2) != w.new:
					t.Errorf("%s: old %s new %s, want %s and %s", k, l.Old, l.New, w.old, w.new)
				default:
					checked[k] = true
					money, err := noticetext.Money(*l.New, n.Letter.Currency, n.Locale)
					if err != nil || !strings.Contains(n.Text, money) {
						t.Errorf("notice %d text lacks the new price %q (%v)", n.ID, money, err)
					}
				}
			}
		}
		for k := range wantPrices {
			if !checked[k] {
				t.Errorf("no notice told the cost-plus customer of %s", k)
			}
		}
		for _, kind := range []string{notices.PriceChange, notices.TermsChange, notices.Renewal, notices.Digest} {
			if kinds[kind] == 0 {
				t.Errorf("no %s notice made: %v", kind, kinds)
			}
		}

		// Detected again, nothing new.
		var again app.NoticeRun
		if err := json.Unmarshal([]byte(mustRun(t, "--db", db, "notices", "create", "-o", "json")), &again); err != nil {
			t.Fatal(err)
		}
		// Price changes told once are not detected again; the rest are found stored.
		if len(again.Created) != 0 || again.Known != len(run.Created)-kinds[notices.PriceChange] {
			t.Errorf("second detection made %d, knew %d; want 0 and %d", len(again.Created), again.Known, len(run.Created)-kinds[notices.PriceChange])
		}

		var due []notices.Notice
		if err := json.Unmarshal([]byte(mustRun(t, "--db", db, "notices", "list", "--status", "due", "-o", "json")), &due); err != nil {
			t.Fatal(err)
		}
		if len(due) < 2 {
			t.Fatalf("%d notices due, want several", len(due))
		}
		before := len(smtp.Messages())
		smtp.FailNext(1, 451, "4.7.0 try again later")
		if out := mustRun(t, "--db", db, "notices", "send"); !strings.Contains(out, fmt.Sprintf("%d sent, 1 to retry, 0 failed", len(due)-1)) {
			t.Errorf("first send: %s", out)
		}
		t.Setenv("SEATLEDGER_NOW", srv.Now().Add(5*time.Minute).Format(time.RFC3339))
		if out := mustRun(t, "--db", db, "notices", "send"); !strings.Contains(out, "1 sent, 0 to retry") {
			t.Errorf("second send: %s", out)
		}
		if out := mustRun(t, "--db", db, "notices", "send"); !strings.Contains(out, "0 sent, 0 to retry, 0 failed") {
			t.Errorf("third send: %s", out)
		}
		t.Setenv("SEATLEDGER_NOW", srv.Now().Format(time.RFC3339))
		got := smtp.Messages()[before:]
		byID := map[string]notices.Notice{}
		for _, n := range due {
			byID[n.MessageID] = n
		}
		seen := map[string]int{}
		for _, m := range got {
			seen[m.MessageID]++
			n, ok := byID[m.MessageID]
			if !ok {
				t.Errorf("a message not due was sent: %s", m.MessageID)
				continue
			}
			msg, err := mail.ReadMessage(strings.NewReader(string(m.Data)))
			if err != nil {
				t.Fatal(err)
			}
			subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
			if err != nil || subject != n.Subject || msg.Header.Get("Content-Language") != n.Language || len(m.To) != len(n.Recipients) || m.To[0] != n.Recipients[0].Email {
				t.Errorf("notice %d received as %q (%v) in %q to %v; stored %q in %q to %v", n.ID, subject, err, msg.Header.Get("Content-Language"), m.To, n.Subject, n.Language, n.Recipients)
			}
		}
		for id, c := range seen {
			if c != 1 {
				t.Errorf("%s delivered %d times", id, c)
			}
		}
		if len(seen) != len(due) {
			t.Errorf("%d of %d due notices delivered", len(seen), len(due))
		}
		sent := mustRun(t, "--db", db, "notices", "show", strconv.FormatInt(due[0].ID, 10))
		if !strings.Contains(sent, "by smtp: 250 2.0.0 queued as") {
			t.Errorf("notice shows no proof of sending:\n%s", sent)
		}
		if code, _, errOut := seatledger(t, "--db", db, "notices", "cancel", strconv.FormatInt(due[0].ID, 10), "--reason", "too late"); code == 0 || !strings.Contains(errOut, "it is sent") {
			t.Errorf("cancel of a sent notice: exit %d, %s", code, errOut)
		}
		preview := filepath.Join(t.TempDir(), "notice.html")
		mustRun(t, "--db", db, "notices", "preview", strconv.FormatInt(due[0].ID, 10), "--html", preview)
		var shown notices.Notice
		if err := json.Unmarshal([]byte(mustRun(t, "--db", db, "notices", "show", strconv.FormatInt(due[0].ID, 10), "-o", "json")), &shown); err != nil {
			t.Fatal(err)
		}
		html, err := os.ReadFile(preview)
		if err != nil || string(html) != shown.HTML || htmlPart(t, smtpMessage(t, smtp, shown.MessageID)) != shown.HTML {
			t.Errorf("preview differs from what was sent (%v)", err)
		}

		// Through Graph: a new announcement's notices leave from the partner's mailbox.
		t.Setenv("SEATLEDGER_NOTICES_TRANSPORT", "graph")
		t.Setenv("SEATLEDGER_NOTICES_GRAPH_MAILBOX", sandbox.PartnerMailboxes[0])
		second := filepath.Join(t.TempDir(), "second.yaml")
		writeFile(t, second, strings.Replace(strings.Replace(testAnnouncement, "2027-03", "2026-12", 2), "key: annual-billed-monthly-2026-12", "key: annual-monthly-"+db[:6], 1))
		mustRun(t, "--db", db, "notices", "announce", second)
		var third app.NoticeRun
		if err := json.Unmarshal([]byte(mustRun(t, "--db", db, "notices", "create", "-o", "json")), &third); err != nil {
			t.Fatal(err)
		}
		if len(third.Created) == 0 {
			t.Fatal("the second announcement made no notice")
		}
		graphBefore := len(srv.SentMail())
		mustRun(t, "--db", db, "notices", "send")
		viaGraph := srv.SentMail()[graphBefore:]
		for _, n := range third.Created {
			found := false
			for _, m := range viaGraph {
				found = found || m.InternetMessageID == "<"+n.MessageID+">" && m.Subject == n.Subject && m.Mailbox == sandbox.PartnerMailboxes[0]
			}
			stored := mustRun(t, "--db", db, "notices", "show", strconv.FormatInt(n.ID, 10))
			if !found || !strings.Contains(stored, "by graph: ") {
				t.Errorf("notice %d not sent through Graph (%v):\n%s", n.ID, found, stored)
			}
		}
		t.Setenv("SEATLEDGER_NOTICES_TRANSPORT", "smtp")
	})
}
