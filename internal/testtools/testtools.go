// Package testtools finds the programs some tests read seatledger's output back with
// (Python's email package, openpyxl): such a test is skipped, loudly, where the
// program is missing, and fails instead when SEATLEDGER_TEST_REQUIRE_TOOLS=1 (as in
// CI), so that a missing tool never passes for a check that ran.
package testtools

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"
)

// Python is Debian's Python 3, which CI installs.
const Python = "/usr/bin/python3"

var warned sync.Map

// NeedPython skips (or, required, fails) the test unless Python runs and can import
// every module named.
func NeedPython(t testing.TB, modules ...string) {
	t.Helper()
	script := "import sys"
	for _, m := range modules {
		script += "; import " + m
	}
	out, err := exec.Command(Python, "-c", script).CombinedOutput()
	if err == nil {
		return
	}
	why := fmt.Sprintf("%s with %v is not available: %v %s", Python, modules, err, bytes.TrimSpace(out))
	if os.Getenv("SEATLEDGER_TEST_REQUIRE_TOOLS") == "1" {
		t.Fatalf("required by SEATLEDGER_TEST_REQUIRE_TOOLS=1: %s", why)
	}
	if _, done := warned.LoadOrStore(why, true); !done {
		fmt.Fprintf(os.Stderr, "\n!!! SKIPPING READ-BACK TESTS: %s\n\n", why)
	}
	t.Skip(why)
}
