package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"
)

// SMTPOptions says how to reach and sign in to an SMTP server.
type SMTPOptions struct {
	Host string
	Port int
	// Security is "starttls" (STARTTLS required), "tls" (implicit TLS, port 465) or
	// "none" (tests and local relays only).
	Security string
	// Auth is "none", "password" (AUTH PLAIN) or "xoauth2" (Exchange Online with an
	// OAuth token from Token, signed in as Username).
	Auth               string
	Username, Password string
	Token              func(ctx context.Context) (string, error)
	// TLSConfig nil trusts the system's roots; tests pass their own RootCAs.
	TLSConfig *tls.Config
	Timeout   time.Duration // per connection and per exchange; 0 is 30s
	HELO      string        // empty: "localhost"
	Logger    *slog.Logger  // nil: slog.Default()
}

// SMTP delivers through one SMTP connection, opened at the first Deliver and reused
// by the next ones: a handshake with TLS and AUTH per message would cap a batch of
// notices at a few dozen a second. It is safe for concurrent use; deliveries are
// serialised on the connection.
type SMTP struct {
	o      SMTPOptions
	log    *slog.Logger
	mu     sync.Mutex
	client *gomail.Client
	conn   *smtp.Client
}

// NewSMTP checks o and prepares the transport; it does not connect yet.
func NewSMTP(o SMTPOptions) (*SMTP, error) {
	if o.Host == "" {
		return nil, errors.New("smtp: no host")
	}
	if o.Port <= 0 || o.Port > 65535 {
		return nil, fmt.Errorf("smtp: port %d out of range", o.Port)
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.HELO == "" {
		o.HELO = "localhost"
	}
	tlsConf := &tls.Config{ServerName: o.Host, MinVersion: tls.VersionTLS12}
	if o.TLSConfig != nil {
		tlsConf = o.TLSConfig.Clone()
		// STARTTLS, unlike tls.Dial, does not derive the name to verify from the host.
		if tlsConf.ServerName == "" {
			tlsConf.ServerName = o.Host
		}
	}
	opts := []gomail.Option{gomail.WithPort(o.Port), gomail.WithTimeout(o.Timeout),
		gomail.WithHELO(o.HELO), gomail.WithTLSConfig(tlsConf)}
	switch o.Security {
	case "starttls":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case "tls":
		opts = append(opts, gomail.WithSSL(), gomail.WithTLSPolicy(gomail.NoTLS))
	case "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		return nil, fmt.Errorf("smtp: security %q: want starttls, tls or none", o.Security)
	}
	switch o.Auth {
	case "none":
	case "password":
		if o.Security == "none" {
			return nil, errors.New("smtp: password auth over security none would send the password in clear: use starttls or tls")
		}
		if o.Username == "" || o.Password == "" {
			return nil, errors.New("smtp: password auth needs a username and a password")
		}
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthPlain),
			gomail.WithUsername(o.Username), gomail.WithPassword(o.Password))
	case "xoauth2":
		if o.Security == "none" {
			return nil, errors.New("smtp: xoauth2 over security none would send the token in clear: use starttls or tls")
		}
		if o.Username == "" || o.Token == nil {
			return nil, errors.New("smtp: xoauth2 auth needs a username and a token source")
		}
		// The token is fetched at each connection, so it is set then (see dial).
	default:
		return nil, fmt.Errorf("smtp: auth %q: want none, password or xoauth2", o.Auth)
	}
	client, err := gomail.NewClient(o.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("smtp %s:%d: %w", o.Host, o.Port, err)
	}
	log := o.Logger
	if log == nil {
		log = slog.Default()
	}
	return &SMTP{o: o, log: log, client: client}, nil
}

// Deliver sends m and returns the server's reply to DATA as proof. A connection
// found broken before anything was sent is reopened once. ctx bounds the wait for
// the connection and its opening; once the message is on its way, each exchange is
// bounded by Timeout instead (go-mail takes no context there).
func (s *SMTP) Deliver(ctx context.Context, m Message) (Receipt, error) {
	msg, err := build(m)
	if err != nil {
		return Receipt{}, &Error{Err: fmt.Errorf("smtp: build message %s: %w", m.MessageID, err)}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return Receipt{}, fmt.Errorf("smtp: deliver %s: %w", m.MessageID, err)
	}
	for attempt := 0; ; attempt++ {
		fresh := s.conn == nil
		if fresh {
			if err := s.dial(ctx); err != nil {
				return Receipt{}, err
			}
		}
		err := s.client.SendWithSMTPClient(s.conn, msg)
		if err == nil {
			return Receipt{Proof: "250 " + msg.ServerResponse()}, nil
		}
		var se *gomail.SendError
		if !errors.As(err, &se) {
			s.drop()
			return Receipt{}, &Error{Temporary: true, Err: fmt.Errorf("smtp: deliver %s: %w", m.MessageID, err)}
		}
		if se.Reason == gomail.ErrConnCheck && !fresh && attempt == 0 {
			s.log.Info("smtp connection lost, reconnecting", "host", s.o.Host, "err", err)
			s.drop()
			continue
		}
		code := se.ErrorCode()
		if code == 0 {
			// Not a reply from the server: the connection is in an unknown state.
			s.drop()
		}
		return Receipt{}, &Error{
			Temporary: se.IsTemp() || code == 0 || code/100 == 4,
			Reply:     reply(err.Error(), code),
			Err:       fmt.Errorf("smtp: deliver %s: %w", m.MessageID, err),
		}
	}
}

// Close says QUIT on the open connection, if any.
func (s *SMTP) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil {
		return nil
	}
	err := s.client.CloseWithSMTPClient(s.conn)
	s.conn = nil
	if err != nil {
		return fmt.Errorf("smtp %s: close: %w", s.o.Host, err)
	}
	return nil
}

func (s *SMTP) dial(ctx context.Context) error {
	if s.o.Auth == "xoauth2" {
		token, err := s.o.Token(ctx)
		if err != nil {
			return &Error{Temporary: true, Transport: true, Err: fmt.Errorf("smtp %s: xoauth2 token: %w", s.o.Host, err)}
		}
		s.client.SetSMTPAuthCustom(smtp.XOAuth2Auth(s.o.Username, token))
	}
	conn, err := s.client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		e := &Error{Temporary: true, Transport: true, Err: fmt.Errorf("smtp %s:%d: connect: %w", s.o.Host, s.o.Port, err)}
		var te *textproto.Error
		if errors.As(err, &te) {
			e.Temporary = te.Code/100 != 5
			e.Reply = fmt.Sprintf("%d %s", te.Code, te.Msg)
		}
		return e
	}
	s.conn = conn
	return nil
}

// drop forgets a connection that can no longer be trusted, without waiting for it.
func (s *SMTP) drop() {
	if s.conn != nil {
		_ = s.conn.Close()
		s.conn = nil
	}
}

// reply cuts the server's reply out of go-mail's error text (`closing SMTP DATA
// writer: 451 "4.3.0 try later", affected message ID: x`): SendError keeps the
// underlying *textproto.Error to itself, and that prints its text quoted.
func reply(text string, code int) string {
	if code == 0 {
		return ""
	}
	prefix := fmt.Sprintf("%03d ", code)
	i := strings.Index(text, prefix)
	if i < 0 {
		return ""
	}
	rest := text[i+len(prefix):]
	if q, err := strconv.QuotedPrefix(rest); err == nil {
		if msg, err := strconv.Unquote(q); err == nil {
			return prefix + msg
		}
	}
	if j := strings.Index(rest, ", affected "); j >= 0 {
		rest = rest[:j]
	}
	return prefix + rest
}
