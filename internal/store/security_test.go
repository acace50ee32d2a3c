package store_test

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seatledger/seatledger/internal/store"
	"github.com/seatledger/seatledger/internal/store/storetest"
)

// Open is reached by callers that did not go through the configuration: its errors
// must not repeat a URL that does not parse, nor a credential the driver quotes.
func TestOpenNeverRepeatsCredentials(t *testing.T) {
	for _, u := range []string{
		"postgres://app:hunter2%@db/seatledger",
		"postgres://app:hun/ter2@db:5432/seatledger",
		"postgres://app:hunter2@db:99999/seatledger",
		"mysql://app:hunter2@db/seatledger",
		// The driver cannot read the CA file and quotes the URL, sslpassword included.
		"postgres://app:hunter2@127.0.0.1:1/seatledger?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem&sslpassword=hunter2b",
	} {
		s, err := store.Open(context.Background(), u, store.Options{})
		if err == nil {
			_ = s.Close()
			t.Errorf("%s opened", u)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "hun/ter2") {
			t.Errorf("error repeats a credential: %v", err)
		}
	}
}

// A PostgreSQL URL naming another machine without sslmode must not fall back to
// plaintext when something on the way refuses TLS: the default is verify-full.
func TestRemotePostgresWithoutSSLModeRefusesPlaintext(t *testing.T) {
	ip := nonLoopbackIP(t)
	ln, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	if err != nil {
		t.Skipf("cannot listen on %s: %v", ip, err)
	}
	defer ln.Close()
	var (
		mu        sync.Mutex
		tlsAsked  int
		plaintext int
	)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(5 * time.Second))
				var head [8]byte
				if _, err := io.ReadFull(c, head[:]); err != nil {
					return
				}
				mu.Lock()
				defer mu.Unlock()
				switch binary.BigEndian.Uint32(head[4:]) {
				case 80877103: // SSLRequest: answer as a server (or an attacker) without TLS.
					tlsAsked++
					_, _ = c.Write([]byte{'N'})
				case 196608: // StartupMessage sent in clear.
					plaintext++
				}
			}(c)
		}
	}()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	u := "postgres://app:hunter2@" + net.JoinHostPort(ip, port) + "/seatledger?connect_timeout=5"
	s, err := store.Open(context.Background(), u, store.Options{})
	if err == nil {
		_ = s.Close()
		t.Fatal("opened a database whose server refused TLS")
	}
	time.Sleep(100 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	if tlsAsked == 0 || plaintext != 0 {
		t.Errorf("TLS asked %d times, plaintext start-ups %d; want TLS asked and no plaintext (err: %v)", tlsAsked, plaintext, err)
	}
	if !strings.Contains(err.Error(), "TLS") || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error = %v", err)
	}
}

// A server on this machine keeps the driver's default without sslmode: the tests' own
// server, reached over loopback or a Unix socket, has no TLS.
func TestLocalPostgresWithoutSSLModeStillOpens(t *testing.T) {
	u, err := url.Parse(storetest.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Del("sslmode")
	u.RawQuery = q.Encode()
	s, err := store.Open(context.Background(), u.String(), store.Options{})
	if err != nil {
		t.Fatalf("local server without sslmode: %v", err)
	}
	defer s.Close()
	if err := s.CheckSchema(context.Background()); err != nil && !errors.Is(err, store.ErrSchemaBehind) {
		t.Fatal(err)
	}
}

func nonLoopbackIP(t *testing.T) string {
	t.Helper()
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Skipf("interface addresses: %v", err)
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil {
			return n.IP.String()
		}
	}
	t.Skip("this machine has no non-loopback IPv4 address")
	return ""
}
