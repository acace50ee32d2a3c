package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/seatledger/seatledger/internal/store"
)

// catalogServer serves Microsoft's catalogue over TLS at /skus.csv, and trusts it
// through graph.ca_file, as a TLS-inspecting proxy's authority would be.
func catalogServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/skus.csv":
			http.ServeFile(w, r, microsoftCSV)
		case "/plain":
			http.Redirect(w, r, "http://"+r.Host+"/skus.csv?sig="+r.URL.Query().Get("sig"), http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SEATLEDGER_GRAPH_CA_FILE", ca)
	return srv
}

// A database URL that does not parse is never repeated, whether it came from the
// flag, the environment, a _FILE or the configuration file.
func TestBrokenDatabaseURLNeverShown(t *testing.T) {
	t.Setenv("SEATLEDGER_CONFIG", "")
	const broken = "postgres://app:hu%nter2@db.example/seatledger"
	secretFile := filepath.Join(t.TempDir(), "db")
	writeFile(t, secretFile, broken+"\n")
	configFile := filepath.Join(t.TempDir(), "seatledger.yaml")
	writeFile(t, configFile, "database:\n  url: \""+broken+"\"\n")
	for name, run := range map[string]func() (int, string, string){
		"flag": func() (int, string, string) { return seatledger(t, "--db", broken, "migrate", "up") },
		"environment": func() (int, string, string) {
			t.Setenv("SEATLEDGER_DATABASE_URL", broken)
			defer os.Unsetenv("SEATLEDGER_DATABASE_URL")
			return seatledger(t, "config", "check")
		},
		"_FILE": func() (int, string, string) {
			t.Setenv("SEATLEDGER_DATABASE_URL_FILE", secretFile)
			defer os.Unsetenv("SEATLEDGER_DATABASE_URL_FILE")
			return seatledger(t, "migrate", "status")
		},
		"file": func() (int, string, string) { return seatledger(t, "--config", configFile, "config", "check") },
	} {
		code, out, errOut := run()
		if code == 0 || strings.Contains(out+errOut, "nter2") || !strings.Contains(errOut, "percent-encode special characters in the password") {
			t.Errorf("from %s: exit %d\n%s%s", name, code, out, errOut)
		}
	}
}

// A catalogue URL with user info or a signed query is redacted in the output, the log
// and the audit log; plain http and a redirect to it are refused.
func TestCatalogURLCredentialsRedacted(t *testing.T) {
	t.Setenv("SEATLEDGER_CONFIG", "")
	t.Setenv("SEATLEDGER_LOG_LEVEL", "debug")
	srv := catalogServer(t)
	signed := strings.Replace(srv.URL, "https://", "https://reader:hunter2@", 1) + "/skus.csv?sv=2024&sig=hunter3"
	eachDatabase(t, func(t *testing.T, db string) {
		mustRun(t, "--db", db, "migrate", "up")
		code, out, errOut := seatledger(t, "--db", db, "catalog", "import", "--url", signed)
		if code != 0 || !strings.Contains(out, "619 SKUs new") || !strings.Contains(out, "sig=xxxxx") {
			t.Errorf("import: exit %d\n%s%s", code, out, errOut)
		}
		jsonOut := mustRun(t, "--db", db, "-o", "json", "catalog", "import", "--url", signed)
		t.Setenv("SEATLEDGER_CATALOG_URL", signed)
		check := mustRun(t, "--db", db, "config", "check")
		for what, text := range map[string]string{"output": out, "log": errOut, "json": jsonOut, "config check": check, "audit log": auditLog(t, db)} {
			if strings.Contains(text, "hunter") {
				t.Errorf("%s shows a credential:\n%s", what, text)
			}
		}
		for _, u := range []string{strings.Replace(signed, "https://", "http://", 1), srv.URL + "/plain?sig=hunter3"} {
			code, out, errOut := seatledger(t, "--db", db, "catalog", "import", "--url", u)
			if code == 0 || strings.Contains(out+errOut, "hunter") || !strings.Contains(errOut, "https") {
				t.Errorf("import from %s: exit %d\n%s%s", u, code, out, errOut)
			}
		}
		os.Unsetenv("SEATLEDGER_CATALOG_URL")
	})
}

func TestConfigCheckShowsDatabaseTLS(t *testing.T) {
	t.Setenv("SEATLEDGER_CONFIG", "")
	for url, want := range map[string]string{
		"postgres://app:pw@db.example/seatledger":                 "database TLS: sslmode=verify-full (default for a host on another machine",
		"postgres://app:pw@db.example/seatledger?sslmode=require": "database TLS: sslmode=require (set in the URL)",
		"postgres://app:pw@127.0.0.1/seatledger":                  "database TLS: sslmode=prefer (host on this machine",
	} {
		if out := mustRun(t, "--db", url, "config", "check"); !strings.Contains(out, want) {
			t.Errorf("config check with %s lacks %q:\n%s", url, want, out)
		}
	}
	var res struct {
		TLS struct{ SSLMode string } `json:"databaseTLS"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, "--db", "postgres://db.example/sl", "-o", "json", "config", "check")), &res); err != nil || res.TLS.SSLMode != "verify-full" {
		t.Errorf("json: %+v, %v", res, err)
	}
}

// auditLog is every audit entry of a database, as JSON.
func auditLog(t *testing.T, db string) string {
	t.Helper()
	s, err := store.Open(context.Background(), db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	entries, err := s.AuditLog(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(entries)
	return string(b)
}

// The demo's folder and every file it writes are private whatever the umask, and a
// link planted where one of its files goes is replaced, not followed.
func TestDemoFilesPrivateAndLinksNotFollowed(t *testing.T) {
	t.Setenv("SEATLEDGER_CONFIG", "")
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	victim := filepath.Join(t.TempDir(), "victim")
	writeFile(t, victim, "precious")
	dir := filepath.Join(t.TempDir(), "demo")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"seatledger.yaml", "sandbox-ca.pem", "sandbox-contracts.csv"} {
		if err := os.Symlink(victim, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	mustRun(t, "demo", "--dir", dir, "--tenants", "2", "--days", "0")
	if b, _ := os.ReadFile(victim); string(b) != "precious" {
		t.Errorf("a planted link was followed: victim holds %.40q", b)
	}
	fresh := filepath.Join(t.TempDir(), "new", "demo")
	mustRun(t, "demo", "--dir", fresh, "--tenants", "2", "--days", "0")
	for _, d := range []string{dir, fresh} {
		// Folders (the demo's, and the downloaded price lists') are the owner's alone,
		// and so is every file in them.
		err := filepath.WalkDir(d, func(path string, e fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if e.IsDir() {
				assertPrivate(t, path, 0o700)
			} else {
				assertPrivate(t, path, 0o600)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// A folder others can write (a prepared /tmp/sandbox) is refused before anything is
// written in it, by demo and sandbox serve alike.
func TestSharedFolderRefused(t *testing.T) {
	t.Setenv("SEATLEDGER_CONFIG", "")
	victim := filepath.Join(t.TempDir(), "victim")
	writeFile(t, victim, "precious")
	shared := filepath.Join(t.TempDir(), "sandbox")
	if err := os.Mkdir(shared, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(shared, 0o1777); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, filepath.Join(shared, "sandbox-customers.yaml")); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"demo", "--dir", shared, "--tenants", "1", "--days", "0"},
		{"sandbox", "serve", "--dir", shared, "--tenants", "1", "--addr", "127.0.0.1:0"},
	} {
		// Bounded, so that a sandbox that wrongly starts serving ends the test.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		var out, errBuf bytes.Buffer
		code := run(ctx, args, &out, &errBuf)
		cancel()
		errOut := errBuf.String()
		if code == 0 || !strings.Contains(errOut, "can be written by other users") {
			t.Errorf("%s: exit %d, %s", args[0], code, errOut)
		}
	}
	if b, _ := os.ReadFile(victim); string(b) != "precious" {
		t.Errorf("victim holds %.40q", b)
	}
	if entries, _ := os.ReadDir(shared); len(entries) != 1 {
		t.Errorf("written into the shared folder: %v", entries)
	}
}

func assertPrivate(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	info, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode()&os.ModeSymlink != 0 || info.Mode().Perm() != want {
		t.Errorf("%s: mode %v, want %04o", path, info.Mode(), want)
	}
}

// --actor is free text: the audit log keeps the operating-system account beside it.
func TestAuditRecordsTheOSUserBesideTheActor(t *testing.T) {
	t.Setenv("SEATLEDGER_CONFIG", "")
	eachDatabase(t, func(t *testing.T, db string) {
		mustRun(t, "--db", db, "migrate", "up")
		mustRun(t, "--db", db, "--actor", "someone-else", "customers", "import", "../../config/customers.example.csv")
		var entries []store.AuditEntry
		if err := json.Unmarshal([]byte(auditLog(t, db)), &entries); err != nil {
			t.Fatal(err)
		}
		if len(entries) == 0 {
			t.Fatal("no audit entry")
		}
		for _, e := range entries {
			if e.Actor != "someone-else" || e.OSUser != store.CurrentOSUser() || e.OSUser == "" {
				t.Errorf("audit entry %+v: want actor someone-else run by %s", e, store.CurrentOSUser())
			}
		}
	})
}
