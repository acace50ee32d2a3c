package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A relative sqlite: path in a configuration file means the same database from any
// folder: it is relative to the file.
func TestConfigSQLitePathIsRelativeToTheFile(t *testing.T) {
	t.Setenv("SEATLEDGER_CONFIG", "")
	dir := t.TempDir()
	configFile := filepath.Join(dir, "conf", "seatledger.yaml")
	if err := os.MkdirAll(filepath.Dir(configFile), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, configFile, "database:\n  url: sqlite:data/sl.db\n")
	elsewhere := filepath.Join(dir, "elsewhere")
	if err := os.MkdirAll(elsewhere, 0o755); err != nil {
		t.Fatal(err)
	}
	root := testdataRoot(t)
	t.Chdir(elsewhere)
	mustRun(t, "--config", configFile, "migrate", "up")
	if _, err := os.Stat(filepath.Join(dir, "conf", "data", "sl.db")); err != nil {
		t.Errorf("database not beside the configuration file: %v", err)
	}
	mustRun(t, "--config", configFile, "customers", "import", filepath.Join(root, "config", "customers.example.csv"))
	if out := mustRun(t, "--config", configFile, "customers", "list"); !strings.Contains(out, "Bakkerij de Vries") {
		t.Errorf("customers list from another folder:\n%s", out)
	}
	if entries, _ := os.ReadDir(elsewhere); len(entries) > 0 {
		t.Errorf("the current folder got %d entries, the first %s", len(entries), entries[0].Name())
	}
	// A path given on the command line stays relative to the current folder.
	if out := mustRun(t, "--config", configFile, "config", "check"); !strings.Contains(out, filepath.Join(dir, "conf", "data", "sl.db")) {
		t.Errorf("config check does not show the resolved path:\n%s", out)
	}
}

// Only migrate up and demo create databases; every other command on a missing one
// says so and leaves nothing behind.
func TestMissingSQLiteDatabaseIsNotCreated(t *testing.T) {
	t.Setenv("SEATLEDGER_CONFIG", "")
	dir := t.TempDir()
	path := filepath.Join(dir, "typo", "sl.db")
	for _, args := range [][]string{
		{"migrate", "status"}, {"customers", "list"}, {"findings", "list"}, {"catalog", "show", "SPB"},
		{"customers", "import", "../../config/customers.example.csv"},
	} {
		code, _, errOut := seatledger(t, append([]string{"--db", "sqlite:" + path}, args...)...)
		if code == 0 || !strings.Contains(errOut, "SQLite database "+path+" does not exist") || !strings.Contains(errOut, "seatledger migrate up") {
			t.Errorf("%v: exit %d, stderr %s", args, code, errOut)
		}
		if entries, _ := os.ReadDir(dir); len(entries) > 0 {
			t.Fatalf("%v left %s behind", args, entries[0].Name())
		}
	}
	mustRun(t, "--db", "sqlite:"+path, "migrate", "up")
	if _, err := os.Stat(path); err != nil {
		t.Errorf("migrate up did not create the database: %v", err)
	}
}

// SQLite's own errors name neither the file nor the cause; ours name both. A
// database that cannot be written still answers list and show commands.
func TestSQLiteErrorsInPlainWords(t *testing.T) {
	t.Setenv("SEATLEDGER_CONFIG", "")
	dir := sharedTempDir(t)
	locked := filepath.Join(dir, "locked")
	if err := os.Mkdir(locked, 0o555); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := unprivileged(t, "--db", "sqlite:"+filepath.Join(locked, "sl.db"), "migrate", "up")
	if want := "cannot open SQLite database " + filepath.Join(locked, "sl.db") + ": folder " + locked + " not writable"; code == 0 || !strings.Contains(errOut, want) {
		t.Errorf("migrate up in a read-only folder: exit %d, want %q, stderr:\n%s", code, want, errOut)
	}

	data := filepath.Join(dir, "data")
	if err := os.Mkdir(data, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(data, "sl.db")
	db := "sqlite:" + path
	mustRun(t, "--db", db, "migrate", "up")
	mustRun(t, "--db", db, "customers", "import", "../../config/customers.example.csv")
	mustRun(t, "--db", db, "contracts", "import", "../../config/contracts.example.csv")
	for _, c := range []struct {
		name       string
		file, fold os.FileMode
		reason     string
	}{
		{"read-only file", 0o444, 0o777, "file is read-only"},
		{"read-only folder", 0o644, 0o555, "folder " + data + " not writable"},
	} {
		t.Run(c.name, func(t *testing.T) {
			mustChmod(t, path, c.file)
			mustChmod(t, data, c.fold)
			defer mustChmod(t, data, 0o755)
			defer mustChmod(t, path, 0o644)
			for _, args := range [][]string{{"customers", "list"}, {"contracts", "list"}, {"migrate", "status"}, {"findings", "list"}, {"reconcile"}} {
				if code, out, errOut := unprivileged(t, append([]string{"--db", db}, args...)...); code != 0 {
					t.Errorf("%v on a %s: exit %d\n%s%s", args, c.name, code, out, errOut)
				}
			}
			code, _, errOut := unprivileged(t, "--db", db, "customers", "import", "../../config/customers.example.yaml")
			if want := "cannot write SQLite database " + path + ": " + c.reason; code == 0 || !strings.Contains(errOut, want) {
				t.Errorf("import into a %s: exit %d, want %q, stderr:\n%s", c.name, code, want, errOut)
			}
			code, _, errOut = unprivileged(t, "--db", db, "migrate", "up")
			if code == 0 || !strings.Contains(errOut, path) {
				t.Errorf("migrate up on a %s: exit %d, stderr:\n%s", c.name, code, errOut)
			}
		})
	}
}

func mustChmod(t *testing.T, path string, mode os.FileMode) {
	t.Helper()
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func testdataRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

const helperArgs = "SEATLEDGER_TEST_HELPER_ARGS"

// unprivileged runs one command line as a user whom file permissions bind: the
// test's own process when it is not root, else this test binary re-run as nobody
// (root may write any file, so permissions would prove nothing).
func unprivileged(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	if os.Geteuid() != 0 {
		return seatledger(t, args...)
	}
	bin := helperBinary(t)
	cmd := exec.Command(bin, "-test.run=^TestUnprivilegedHelper$")
	cmd.Dir, _ = os.Getwd()
	cmd.Env = append(os.Environ(), helperArgs+"="+strings.Join(args, "\x1f"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("run as nobody: %v", err)
	}
	return cmd.ProcessState.ExitCode(), out.String(), errOut.String()
}

// sharedTempDir is a temporary folder that other users may enter.
func sharedTempDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	mustChmod(t, filepath.Dir(dir), 0o755)
	mustChmod(t, dir, 0o755)
	return dir
}

// helperBinary is a copy of the test binary that nobody may run, one per test.
func helperBinary(t *testing.T) string {
	t.Helper()
	name := filepath.Join(sharedTempDir(t), "seatledger.test")
	if _, err := os.Stat(name); err == nil {
		return name
	}
	src, err := os.Open(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(name, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
	return name
}

// TestUnprivilegedHelper is the re-run side of unprivileged; run by itself it does
// nothing.
func TestUnprivilegedHelper(t *testing.T) {
	args := os.Getenv(helperArgs)
	if args == "" {
		t.Skip("only run by unprivileged")
	}
	os.Exit(run(context.Background(), strings.Split(args, "\x1f"), os.Stdout, os.Stderr))
}
