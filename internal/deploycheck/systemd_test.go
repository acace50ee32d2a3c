package deploy_test

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// unit reads a systemd unit as section -> key -> values, in order.
func unit(t *testing.T, path string) map[string]map[string][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]map[string][]string{}
	section := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = strings.Trim(line, "[]")
			out[section] = map[string][]string{}
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok || section == "" {
				t.Fatalf("%s: %q is not KEY=VALUE in a section", path, line)
			}
			out[section][k] = append(out[section][k], v)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSystemdUnit(t *testing.T) {
	path := filepath.Join(deployDir, "seatledger.service")
	u := unit(t, path)
	svc := u["Service"]
	last := func(k string) string {
		if v := svc[k]; len(v) > 0 {
			return v[len(v)-1]
		}
		return ""
	}
	if start := last("ExecStart"); !regexp.MustCompile(`/seatledger serve( |$)`).MatchString(start) {
		t.Errorf("ExecStart %q does not run seatledger serve", start)
	}
	if pre := strings.Join(svc["ExecStartPre"], "\n"); !strings.Contains(pre, "seatledger migrate up") {
		t.Errorf("ExecStartPre %q does not migrate", pre)
	}
	if last("DynamicUser") != "yes" && last("User") == "" {
		t.Error("neither DynamicUser=yes nor a User")
	}
	for k, want := range map[string]string{"ProtectSystem": "strict", "StateDirectory": "seatledger", "Restart": "on-failure", "NoNewPrivileges": "yes"} {
		if got := last(k); got != want {
			t.Errorf("%s=%q, want %q", k, got, want)
		}
	}
	if d, err := time.ParseDuration(last("TimeoutStopSec")); err != nil || d <= shutdownGrace {
		t.Errorf("TimeoutStopSec=%q is not longer than the shutdown grace %s", last("TimeoutStopSec"), shutdownGrace)
	}
	env := map[string]string{}
	for _, e := range svc["Environment"] {
		k, v, _ := strings.Cut(strings.Trim(e, `"`), "=")
		env[k] = v
		checkEnvName(t, "Environment", k)
	}
	if env["SEATLEDGER_CONFIG"] != "/etc/seatledger/seatledger.yaml" {
		t.Errorf("SEATLEDGER_CONFIG=%q", env["SEATLEDGER_CONFIG"])
	}
	// Each _FILE variable reads a credential the unit loads.
	creds := map[string]bool{}
	for _, c := range svc["LoadCredential"] {
		name, _, _ := strings.Cut(c, ":")
		creds[name] = true
	}
	for k, v := range env {
		if !strings.HasSuffix(k, "_FILE") {
			continue
		}
		if name, ok := strings.CutPrefix(v, "%d/"); !ok || !creds[name] {
			t.Errorf("%s=%s is not a credential the unit loads (%v)", k, v, creds)
		}
	}
	if u["Install"]["WantedBy"] == nil {
		t.Error("no [Install] WantedBy")
	}

	// systemd's own parser, with the binary the unit names replaced by one that exists.
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Log("systemd-analyze not installed: systemd-analyze verify not run")
		return
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "seatledger")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	copied := filepath.Join(dir, "seatledger.service")
	if err := os.WriteFile(copied, []byte(strings.ReplaceAll(string(text), "/usr/local/bin/seatledger", bin)), 0o644); err != nil {
		t.Fatal(err)
	}
	// verify warns of unknown keys on stderr yet exits 0: any output is a failure.
	out, err := exec.Command(analyze, "verify", copied).CombinedOutput()
	if err != nil || len(strings.TrimSpace(string(out))) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}
