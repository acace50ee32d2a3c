package mail_test

import (
	"context"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seatledger/seatledger/internal/testtools"

	seatmail "github.com/seatledger/seatledger/internal/mail"
)

func TestOutboxWritesOneFilePerNotice(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "outbox")
	o, err := seatmail.NewOutbox(dir)
	if err != nil {
		t.Fatal(err)
	}
	const id = "notice-42.3f9c1a@partner.example"
	m := notice(id)
	rc, err := o.Deliver(context.Background(), m)
	if err != nil {
		t.Fatalf("Deliver: %v", err)
	}
	if want := filepath.Join(dir, id+".eml"); rc.Proof != want {
		t.Errorf("proof %q, want %q", rc.Proof, want)
	}
	m.Text = "second version\n"
	if _, err := o.Deliver(context.Background(), m); err != nil {
		t.Fatalf("Deliver again: %v", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Fatalf("outbox holds %d entries, want 1 (same Message-ID replaces)", len(entries))
	}
	info, _ := entries[0].Info()
	if info.Mode().Perm()&0o077 != 0 && info.Mode().Perm() != 0o644 {
		t.Errorf("file mode %04o", info.Mode().Perm())
	}
	m.Text = textBody
	if _, err := o.Deliver(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(rc.Proof)
	if err != nil {
		t.Fatal(err)
	}
	checkNotice(t, raw, id)
	checkWithPython(t, rc.Proof)
}

// checkWithPython reads the file with another implementation than Go's, as mail
// clients would.
func checkWithPython(t *testing.T, path string) {
	testtools.NeedPython(t, "email")
	python := testtools.Python
	const script = `
import sys, email, email.policy
with open(sys.argv[1], 'rb') as f:
    m = email.message_from_binary_file(f, policy=email.policy.default)
print(m['subject'])
print(m['content-language'])
for part in m.walk():
    if part.get_content_maintype() == 'text':
        print(part.get_content_type(), part.get_content_charset(), repr(part.get_content()))
`
	out, err := exec.Command(python, "-c", script, path).CombinedOutput()
	if err != nil {
		t.Fatalf("python3: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	want := []string{
		subject,
		"hr",
		"text/plain utf-8 " + pyRepr(textBody),
		"text/html utf-8 " + pyRepr(htmlBody),
	}
	if len(lines) != len(want) {
		t.Fatalf("python3 printed %q, want %q", lines, want)
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Errorf("python3 line %d: %q, want %q", i, lines[i], want[i])
		}
	}
}

// pyRepr is Python's repr of a str of printable characters and newlines.
func pyRepr(s string) string {
	return "'" + strings.ReplaceAll(s, "\n", `\n`) + "'"
}

func TestFileName(t *testing.T) {
	cases := map[string]string{
		"notice-42.3f9c1a@partner.example": "notice-42.3f9c1a@partner.example.eml",
	}
	for id, want := range cases {
		if got := seatmail.FileName(id); got != want {
			t.Errorf("FileName(%q) = %q, want %q", id, got, want)
		}
	}
	for _, id := range []string{"../../etc/passwd", ".hidden", "a/b", "a_b/", "", strings.Repeat("x", 400)} {
		got := seatmail.FileName(id)
		if strings.ContainsAny(got, "/\\") || strings.HasPrefix(got, ".") || len(got) > 200 {
			t.Errorf("FileName(%q) = %q: not a safe file name", id, got)
		}
	}
	if seatmail.FileName("a/b") == seatmail.FileName("a_b") {
		t.Error("a/b and a_b share a file")
	}
}

func TestWriteEMLRefusesBrokenMessages(t *testing.T) {
	for name, m := range map[string]seatmail.Message{
		"no id":          {From: seatmail.Address{Email: "a@b.example"}, To: []seatmail.Address{{Email: "c@d.example"}}},
		"id in brackets": {MessageID: "<x@y>", From: seatmail.Address{Email: "a@b.example"}, To: []seatmail.Address{{Email: "c@d.example"}}},
		"no recipient":   {MessageID: "x@y", From: seatmail.Address{Email: "a@b.example"}},
		"header split":   {MessageID: "x@y", From: seatmail.Address{Email: "a@b.example"}, To: []seatmail.Address{{Email: "c@d.example"}}, Headers: map[string]string{"X-A": "1\r\nBcc: e@f.example"}},
	} {
		if err := seatmail.WriteEML(&strings.Builder{}, m); err == nil {
			t.Errorf("%s: WriteEML accepted it", name)
		}
	}
}

func TestLongSubjectFoldsAndDecodes(t *testing.T) {
	m := notice("long@partner.example")
	m.Subject = strings.Repeat(subject+" — ", 6)
	var b strings.Builder
	if err := seatmail.WriteEML(&b, m); err != nil {
		t.Fatal(err)
	}
	head, _, _ := strings.Cut(b.String(), "\r\n\r\n")
	for _, line := range strings.Split(head, "\r\n") {
		if len(line) > 78 {
			t.Errorf("header line of %d characters: %q", len(line), line)
		}
	}
	msg, err := mail.ReadMessage(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	var dec mime.WordDecoder
	if got, err := dec.DecodeHeader(msg.Header.Get("Subject")); err != nil || got != m.Subject {
		t.Errorf("subject %q (%v), want %q", got, err, m.Subject)
	}
}

func TestWriteEMLIsStable(t *testing.T) {
	var a, b strings.Builder
	if err := seatmail.WriteEML(&a, notice("same@partner.example")); err != nil {
		t.Fatal(err)
	}
	if err := seatmail.WriteEML(&b, notice("same@partner.example")); err != nil {
		t.Fatal(err)
	}
	if a.String() != b.String() {
		t.Errorf("the same message gave different bytes:\n%s\n---\n%s", a.String(), b.String())
	}
}

func TestWriteEMLTextOnly(t *testing.T) {
	m := notice("text@partner.example")
	m.HTML = ""
	var b strings.Builder
	if err := seatmail.WriteEML(&b, m); err != nil {
		t.Fatal(err)
	}
	msg, err := mail.ReadMessage(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	ct, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || ct != "text/plain" || !strings.EqualFold(params["charset"], "utf-8") {
		t.Fatalf("Content-Type %q (%v)", msg.Header.Get("Content-Type"), err)
	}
	body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil || strings.ReplaceAll(string(body), "\r\n", "\n") != textBody {
		t.Errorf("body %q (%v), want %q", body, err, textBody)
	}
}
