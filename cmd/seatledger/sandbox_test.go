package main

import (
	"bytes"
	"encoding/json"
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
