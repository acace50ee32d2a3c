package noticetext

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seatledger/seatledger/internal/testtools"

	"github.com/seatledger/seatledger/internal/iso"
	smail "github.com/seatledger/seatledger/internal/mail"
	"github.com/seatledger/seatledger/internal/notices"
)

// asMail is a rendered notice as it is sent: one MIME message.
type asMail struct {
	file                string
	subject, text, html string
}

// Every kind in every language, written as the .eml the outbox keeps and SMTP sends,
// reads back the same with Go's net/mail and mime/multipart and with Python's email
// package: subjects with ć, č, đ, ß and € intact, both parts UTF-8.
func TestEveryNoticeAsMail(t *testing.T) {
	r := newRenderer(t, nil)
	dir := t.TempDir()
	var all []asMail
	names := map[string]string{"hr": "Kovačić i Đurđević d.o.o.", "de": "Müller & Söhne GmbH — Straße", "fr": "Lefèvre & Fils SARL"}
	for _, lang := range iso.Locales {
		name := names[lang]
		if name == "" {
			name = "Bakker & Zonen <BV> €"
		}
		for i, l := range samples(name, lang, 21) {
			got, err := r.Render(l, partner)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			m := smail.Message{MessageID: notices.MessageID(l.Kind+lang, "partner.example"), From: smail.Address{Name: "Cloud Partner BV", Email: "notices@partner.example"},
				To: []smail.Address{{Name: "IT " + name, Email: "it@customer.example"}}, Subject: got.Subject, Text: got.Text, HTML: got.HTML,
				Language: got.Language, Date: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
			if err := smail.WriteEML(&buf, m); err != nil {
				t.Fatalf("%s %s: %v", l.Kind, lang, err)
			}
			file := filepath.Join(dir, l.Kind+"."+lang+".eml")
			if err := os.WriteFile(file, buf.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			want := asMail{file: file, subject: got.Subject, text: got.Text, html: got.HTML}
			all = append(all, want)
			if back := readWithGo(t, buf.Bytes()); back.subject != want.subject || back.text != want.text || back.html != want.html {
				t.Errorf("%s.%s (%d): Go reads back subject %q, want %q; text same %v, html same %v", l.Kind, lang, i, back.subject, want.subject, back.text == want.text, back.html == want.html)
			}
		}
	}
	if !strings.ContainsAny(strings.Join(subjects(all), ""), "ćčđ") {
		t.Error("no subject carries a Croatian letter: the check proves little")
	}
	readWithPython(t, all)
}

func subjects(list []asMail) []string {
	out := make([]string, len(list))
	for i, m := range list {
		out[i] = m.subject
	}
	return out
}

// readWithGo decodes a message the way a Go mail client would.
func readWithGo(t *testing.T, data []byte) asMail {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var out asMail
	if out.subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil {
		t.Fatal(err)
	}
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	parts := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := parts.NextPart()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(p)
		if err != nil {
			t.Fatal(err)
		}
		body := strings.ReplaceAll(string(b), "\r\n", "\n") // mail ends lines with CRLF
		switch ct := p.Header.Get("Content-Type"); {
		case strings.HasPrefix(ct, "text/plain") && strings.Contains(ct, "UTF-8"):
			out.text = body
		case strings.HasPrefix(ct, "text/html") && strings.Contains(ct, "UTF-8"):
			out.html = body
		}
	}
}

// readWithPython decodes every message with Python's email package in one run.
func readWithPython(t *testing.T, all []asMail) {
	testtools.NeedPython(t, "email")
	python := testtools.Python
	const script = `
import sys, json, email, email.policy
out = []
for path in sys.argv[1:]:
    with open(path, 'rb') as f:
        m = email.message_from_binary_file(f, policy=email.policy.default)
    parts = {p.get_content_type(): p.get_content().replace('\r\n', '\n') for p in m.walk() if p.get_content_maintype() == 'text'}
    out.append({'subject': str(m['subject']), 'text': parts.get('text/plain'), 'html': parts.get('text/html')})
json.dump(out, sys.stdout)
`
	args := []string{"-c", script}
	for _, m := range all {
		args = append(args, m.file)
	}
	raw, err := exec.Command(python, args...).Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	var got []struct{ Subject, Text, HTML string }
	if err := json.Unmarshal(raw, &got); err != nil || len(got) != len(all) {
		t.Fatalf("python3 read %d of %d messages: %v", len(got), len(all), err)
	}
	for i, m := range all {
		if got[i].Subject != m.subject || got[i].Text != m.text || got[i].HTML != m.html {
			t.Errorf("%s: Python reads subject %q, want %q; text same %v, html same %v", filepath.Base(m.file), got[i].Subject, m.subject, got[i].Text == m.text, got[i].HTML == m.html)
		}
	}
}
