package mail

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// build turns m into go-mail's message. Both the outbox and SMTP write what it
// returns, so that a file in the outbox is byte for byte what a server gets.
func build(m Message) (*gomail.Msg, error) {
	if err := m.validate(); err != nil {
		return nil, err
	}
	if strings.ContainsAny(m.MessageID, "<>\r\n \t") {
		return nil, fmt.Errorf("Message-ID %q: give it without angle brackets or spaces", m.MessageID)
	}
	// No User-Agent: headers should not change when the library is upgraded.
	msg := gomail.NewMsg(gomail.WithCharset(gomail.CharsetUTF8), gomail.WithEncoding(gomail.EncodingQP),
		gomail.WithNoDefaultUserAgent(), gomail.WithBoundary(boundary(m)))
	if err := msg.FromFormat(m.From.Name, m.From.Email); err != nil {
		return nil, fmt.Errorf("From %q: %w", m.From.Email, err)
	}
	for _, to := range m.To {
		if err := msg.AddToFormat(to.Name, to.Email); err != nil {
			return nil, fmt.Errorf("To %q: %w", to.Email, err)
		}
	}
	if m.ReplyTo != nil {
		if err := msg.ReplyToFormat(m.ReplyTo.Name, m.ReplyTo.Email); err != nil {
			return nil, fmt.Errorf("Reply-To %q: %w", m.ReplyTo.Email, err)
		}
	}
	msg.SetMessageIDWithValue(m.MessageID)
	date := m.Date
	if date.IsZero() {
		date = time.Now()
	}
	msg.SetDateWithValue(date)
	if strings.ContainsAny(m.Subject, "\r\n") {
		return nil, errors.New("subject has a line break")
	}
	msg.SetGenHeaderPreformatted(gomail.HeaderSubject, encodeSubject(m.Subject))
	if m.Language != "" {
		msg.SetGenHeader(gomail.HeaderContentLang, m.Language)
	}
	// Sorted so that the same message always gives the same bytes.
	keys := make([]string, 0, len(m.Headers))
	for k := range m.Headers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if strings.ContainsAny(k, ": \r\n") || strings.ContainsAny(m.Headers[k], "\r\n") {
			return nil, fmt.Errorf("header %q: name or value would break the header block", k)
		}
		msg.SetGenHeader(gomail.Header(k), m.Headers[k])
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

// WriteEML writes m as an RFC 5322 message: multipart/alternative (text, then HTML)
// when there is HTML, UTF-8 quoted-printable parts, the subject RFC 2047-encoded.
func WriteEML(w io.Writer, m Message) error {
	msg, err := build(m)
	if err != nil {
		return fmt.Errorf("build message %s: %w", m.MessageID, err)
	}
	if _, err := msg.WriteTo(w); err != nil {
		return fmt.Errorf("write message %s: %w", m.MessageID, err)
	}
	return nil
}

// encodeSubject writes s as RFC 2047 Q-encoded words of at most 75 characters, one a
// line. go-mail encodes the subject as one long word and, when that does not fit
// after "Subject: ", folds before it: Python's email package (and some clients) then
// read a leading space into the subject. Plain ASCII is left as it is.
func encodeSubject(s string) string {
	plain := true
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e || strings.HasPrefix(s[i:], "=?") {
			plain = false
			break
		}
	}
	if plain {
		return s
	}
	const head, tail, limit = "=?UTF-8?q?", "?=", 75
	var words []string
	var word strings.Builder
	for _, r := range s {
		var enc strings.Builder
		for _, b := range []byte(string(r)) {
			switch {
			case b == ' ':
				enc.WriteByte('_')
			case b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || strings.IndexByte("!*+-/", b) >= 0:
				enc.WriteByte(b)
			default:
				fmt.Fprintf(&enc, "=%02X", b)
			}
		}
		if word.Len() > 0 && len(head)+word.Len()+enc.Len()+len(tail) > limit {
			words = append(words, head+word.String()+tail)
			word.Reset()
		}
		word.WriteString(enc.String())
	}
	words = append(words, head+word.String()+tail)
	return strings.Join(words, "\r\n ")
}

// boundary is drawn from the message itself rather than at random, so that the same
// notice always gives the same bytes (a repeated delivery to the outbox writes an
// identical file, and tests can compare whole messages). Content that contains the
// hash of itself is not a practical worry.
func boundary(m Message) string {
	h := sha256.New()
	for _, s := range []string{m.MessageID, m.Subject, m.Text, m.HTML} {
		fmt.Fprintf(h, "%d:%s", len(s), s)
	}
	return "sl" + hex.EncodeToString(h.Sum(nil))[:40]
}
