// Package smtptest runs an SMTP server inside a test process, on 127.0.0.1, so that
// any package can test real SMTP conversations: STARTTLS or implicit TLS with a
// certificate made for the test, AUTH PLAIN or XOAUTH2, and replies to DATA that a
// test chooses (451, 550) to exercise retries.
package smtptest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Options chooses what the server asks of its clients.
type Options struct {
	TLS         bool // offer (and require before AUTH) STARTTLS
	ImplicitTLS bool // TLS from the first byte, as on port 465
	// Username and Password, when set, are the one account AUTH PLAIN accepts, and
	// mail is refused without AUTH.
	Username, Password string
	// Token, when set, is the bearer token AUTH XOAUTH2 accepts (for Username, if
	// set), and mail is refused without AUTH.
	Token string
	// OnData, if set, runs when a message has been read, before the reply.
	OnData func()
	// IdleTimeout, when set, closes a connection idle that long, as real servers
	// do between batches (default 30s).
	IdleTimeout time.Duration
}

// Received is one message the server accepted.
type Received struct {
	From      string
	To        []string
	Data      []byte
	MessageID string // without angle brackets
}

// Server is a running server; Start stops it when the test ends.
type Server struct {
	opts   Options
	srv    *smtp.Server
	addr   *net.TCPAddr
	client *tls.Config

	mu       sync.Mutex
	messages []Received
	queued   int
	fails    int
	failCode int
	failText string
}

// Start runs a server on 127.0.0.1 on a free port.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	s := &Server{opts: opts}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{s: s}, nil
	}))
	srv.Domain = "smtptest.local"
	srv.ReadTimeout = 30 * time.Second
	if opts.IdleTimeout > 0 {
		srv.ReadTimeout = opts.IdleTimeout
	}
	srv.WriteTimeout = 30 * time.Second
	srv.MaxMessageBytes = 10 << 20
	srv.EnableSMTPUTF8 = true
	srv.ErrorLog = log.New(io.Discard, "", 0)
	// Without TLS, AUTH must still work for tests of the client's own refusal.
	srv.AllowInsecureAuth = !opts.TLS && !opts.ImplicitTLS
	var ln net.Listener
	var err error
	ln, err = net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("smtptest: listen: %v", err)
	}
	if opts.TLS || opts.ImplicitTLS {
		serverConf, clientConf, err := certificate()
		if err != nil {
			t.Fatalf("smtptest: %v", err)
		}
		s.client = clientConf
		if opts.ImplicitTLS {
			ln = tls.NewListener(ln, serverConf)
		} else {
			srv.TLSConfig = serverConf
		}
	}
	s.srv = srv
	s.addr = ln.Addr().(*net.TCPAddr)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln)
	}()
	t.Cleanup(func() {
		_ = srv.Close()
		<-done
	})
	return s
}

// Addr is where the server listens.
func (s *Server) Addr() (host string, port int) { return "127.0.0.1", s.addr.Port }

// ClientTLS is a client configuration that trusts the server's certificate (nil
// without TLS).
func (s *Server) ClientTLS() *tls.Config {
	if s.client == nil {
		return nil
	}
	return s.client.Clone()
}

// Messages are the messages accepted so far, in order.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.messages...)
}

// FailNext answers the next n DATA commands with code and text (451 for a temporary
// failure, 550 for a permanent one) instead of accepting the message.
func (s *Server) FailNext(n, code int, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fails, s.failCode, s.failText = n, code, text
}

func (s *Server) authRequired() bool { return s.opts.Password != "" || s.opts.Token != "" }

type session struct {
	s      *Server
	authed bool
	from   string
	to     []string
}

func (se *session) AuthMechanisms() []string {
	var m []string
	if se.s.opts.Password != "" {
		m = append(m, sasl.Plain)
	}
	if se.s.opts.Token != "" {
		m = append(m, "XOAUTH2")
	}
	return m
}

var errBadCredentials = &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Authentication credentials invalid"}

func (se *session) Auth(mech string) (sasl.Server, error) {
	switch {
	case mech == sasl.Plain && se.s.opts.Password != "":
		return sasl.NewPlainServer(func(identity, username, password string) error {
			if username != se.s.opts.Username || password != se.s.opts.Password {
				return errBadCredentials
			}
			se.authed = true
			return nil
		}), nil
	case mech == "XOAUTH2" && se.s.opts.Token != "":
		return xoauth2Server(func(user, token string) error {
			if token != se.s.opts.Token || se.s.opts.Username != "" && user != se.s.opts.Username {
				return errBadCredentials
			}
			se.authed = true
			return nil
		}), nil
	}
	return nil, smtp.ErrAuthUnknownMechanism
}

func (se *session) Mail(from string, _ *smtp.MailOptions) error {
	if se.s.authRequired() && !se.authed {
		return smtp.ErrAuthRequired
	}
	se.from = from
	return nil
}

func (se *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	se.to = append(se.to, to)
	return nil
}

func (se *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if se.s.opts.OnData != nil {
		se.s.opts.OnData()
	}
	s := se.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fails > 0 {
		s.fails--
		return failure(s.failCode, s.failText)
	}
	id := ""
	if msg, err := mail.ReadMessage(bytes.NewReader(data)); err == nil {
		id = strings.Trim(msg.Header.Get("Message-Id"), "<> ")
	}
	s.messages = append(s.messages, Received{From: se.from, To: append([]string(nil), se.to...), Data: data, MessageID: id})
	s.queued++
	// go-smtp answers a nil error with a fixed "OK: queued"; a 250 "error" is its way
	// to say which queue id was given, so a client's proof can be checked.
	return &smtp.SMTPError{Code: 250, EnhancedCode: smtp.EnhancedCode{2, 0, 0}, Message: fmt.Sprintf("queued as %d", s.queued)}
}

// failure is the reply (code, text); an enhanced code at the start of text ("4.3.0
// try later") is used as such, since go-smtp would otherwise put its own before it.
func failure(code int, text string) *smtp.SMTPError {
	e := &smtp.SMTPError{Code: code, EnhancedCode: smtp.NoEnhancedCode, Message: text}
	head, rest, _ := strings.Cut(text, " ")
	var a, b, c int
	if n, err := fmt.Sscanf(head, "%d.%d.%d", &a, &b, &c); err == nil && n == 3 {
		e.EnhancedCode, e.Message = smtp.EnhancedCode{a, b, c}, rest
	}
	return e
}

func (se *session) Reset()        { se.from, se.to = "", nil }
func (se *session) Logout() error { return nil }

// xoauth2Server is the server side of SASL XOAUTH2, which go-sasl lacks: one
// message, "user=" user "\x01auth=Bearer " token "\x01\x01".
type xoauth2Server func(user, token string) error

func (f xoauth2Server) Next(response []byte) ([]byte, bool, error) {
	if response == nil {
		return []byte{}, false, nil
	}
	var user, token string
	for _, kv := range strings.Split(string(response), "\x01") {
		switch {
		case strings.HasPrefix(kv, "user="):
			user = strings.TrimPrefix(kv, "user=")
		case strings.HasPrefix(kv, "auth=Bearer "):
			token = strings.TrimPrefix(kv, "auth=Bearer ")
		}
	}
	if token == "" {
		return nil, true, errors.New("xoauth2: no bearer token")
	}
	return nil, true, f(user, token)
}

// certificate makes a self-signed certificate for 127.0.0.1 and localhost, and a
// client configuration trusting it.
func certificate() (server, client *tls.Config, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("certificate key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "smtptest"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, fmt.Errorf("certificate: %w", err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	server = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}}, MinVersion: tls.VersionTLS12}
	client = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return server, client, nil
}
