// Package mail delivers customer notices as e-mail: one builder turns a Message into
// RFC 5322 bytes, and a Transport hands them to an SMTP server, to a folder (Outbox) or,
// outside this package, to Microsoft Graph. It imports no Microsoft SDK so that what
// uses it builds and tests in seconds.
package mail

import (
	"context"
	"errors"
	"time"
)

// Address is a mailbox.
type Address struct{ Name, Email string }

// Message is one notice as mail.
type Message struct {
	// MessageID is stable per notice, without angle brackets
	// ("notice-42.3f9c1a@partner.example"): delivering the same notice twice gives the
	// same Message-ID, so receivers and the outbox can tell a repeat.
	MessageID string
	From      Address
	ReplyTo   *Address
	To        []Address
	Subject   string
	Text      string // text/plain part
	HTML      string // text/html alternative; empty sends text only
	Language  string // Content-Language, e.g. "nl"
	Headers   map[string]string
	Date      time.Time
}

// Receipt is the proof a message was accepted: the SMTP server's final reply to DATA
// (e.g. "250 2.0.0 Ok: queued as ABC"), Graph's request-id, or the outbox file's path.
type Receipt struct{ Proof string }

// Transport delivers one message.
type Transport interface {
	Deliver(ctx context.Context, m Message) (Receipt, error)
}

// Error is a delivery that failed. Temporary tells a failure a retry may cure (SMTP
// 4xx, a broken connection, Graph 429/5xx) from one to give up on (SMTP 5xx, Graph
// 4xx); Reply is the server's reply text, when there was one.
type Error struct {
	Temporary bool
	// Transport tells that the way out failed, not this message: the server could not
	// be reached, TLS or signing in failed, no token was had. No message can go until
	// that is mended, so a sender stops instead of failing one notice after another.
	Transport bool
	Reply     string
	Err       error
}

func (e *Error) Error() string {
	kind := "permanent"
	if e.Temporary {
		kind = "temporary"
	}
	if e.Reply != "" && e.Err == nil {
		return "deliver mail (" + kind + "): " + e.Reply
	}
	if e.Err == nil {
		return "deliver mail (" + kind + ")"
	}
	return "deliver mail (" + kind + "): " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// Temporary tells whether a retry of the delivery that failed with err may succeed.
// An *Error answers for itself. Any other error (a refused connection, a timeout, a
// cancelled context) is taken as temporary: nothing says the message was refused, and
// giving up on a notice after a network hiccup is worse than trying it again. A nil
// error is not temporary.
func Temporary(err error) bool {
	if err == nil {
		return false
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Temporary
	}
	return true
}

// TransportDown tells whether err says the transport itself failed (see
// Error.Transport).
func TransportDown(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Transport
}

// validate checks what every transport needs before it builds anything.
func (m Message) validate() error {
	switch {
	case m.MessageID == "":
		return errors.New("message has no Message-ID")
	case m.From.Email == "":
		return errors.New("message has no From address")
	case len(m.To) == 0:
		return errors.New("message has no recipient")
	}
	return nil
}
