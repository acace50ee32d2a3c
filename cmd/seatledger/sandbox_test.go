package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seatledger/seatledger/internal/sandbox"
)

// sandbox truth --day N describes the world as a served sandbox has it after N
// advances, and says which date that is.
func TestSandboxTruthOnALaterDay(t *testing.T) {
	start := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	world, err := sandbox.Generate(sandbox.Options{Seed: 4, Tenants: 3, Start: start})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := sandbox.NewServer(world, sandbox.ServerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	day0 := srv.Truth()
	for range 3 {
		srv.Advance()
	}
	var want bytes.Buffer
	if err := writeJSON(&want, srv.Truth()); err != nil {
		t.Fatal(err)
	}

	code, out, errOut := seatledger(t, "sandbox", "truth", "--seed", "4", "--tenants", "3", "--start", "2026-11-02", "--day", "3")
	if code != 0 || out != want.String() {
		t.Errorf("truth --day 3 differs from the served world after three advances (exit %d):\n%s", code, errOut)
	}
	if !strings.Contains(errOut, "simulated day 3, 2026-11-05 (day 0 is 2026-11-02)") {
		t.Errorf("truth does not say which day it describes: %s", errOut)
	}
	var got sandbox.Truth
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if got.Day != 3 || got.Tenants[0].Pools[0].Enabled == day0.Tenants[0].Pools[0].Enabled && got.Totals.Seats == day0.Totals.Seats {
		t.Errorf("day 3 = day %d with the seats of day 0", got.Day)
	}
	if code, _, errOut := seatledger(t, "sandbox", "truth", "--day", "-2"); code == 0 || !strings.Contains(errOut, "--day: -2") {
		t.Errorf("truth --day -2: exit %d, %s", code, errOut)
	}
}

// sandbox serve says how to read its Partner Center and leaves the offer matrix that
// links its subscriptions beside the customers and contracts files.
func TestSandboxServePrintsPartnerCenter(t *testing.T) {
	t.Setenv("SEATLEDGER_CONFIG", "")
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // serve returns once it has said where it listens
	var out, errOut bytes.Buffer
	if code := run(ctx, []string{"sandbox", "serve", "--tenants", "3", "--addr", "127.0.0.1:0", "--dir", dir}, &out, &errOut); code != 0 {
		t.Fatalf("sandbox serve: exit %d\n%s", code, errOut.String())
	}
	offers := filepath.Join(dir, "sandbox-offers.csv")
	for _, want := range []string{"  Partner Center   https://127.0.0.1:", "  offer matrix     " + offers,
		"export SEATLEDGER_PARTNER_CENTER_ENABLED=true SEATLEDGER_PARTNER_CENTER_BASE_URL=https://127.0.0.1:", "catalog offers --file " + offers} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("sandbox serve lacks %q:\n%s", want, out.String())
		}
	}
	db := "sqlite:" + filepath.Join(dir, "sl.db")
	mustRun(t, "--db", db, "migrate", "up")
	if imported := mustRun(t, "--db", db, "catalog", "offers", "--file", offers); !strings.Contains(imported, "imported "+offers+": ") || strings.Contains(imported, ": 0 offers") {
		t.Errorf("the served offer matrix: %s", imported)
	}
}
