package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Every name EnvNames gives must be one Load accepts, and every option must be named.
func TestEnvNamesAreAccepted(t *testing.T) {
	names := EnvNames()
	secretFile := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secretFile, []byte("x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		_, err := Load("", []string{name + "=" + secretFile}, nil)
		// A value may be invalid for the option; only an unknown name is wrong here.
		if err != nil && strings.Contains(err.Error(), "environment variable "+name+": unknown setting") {
			t.Errorf("%s: Load does not know it", name)
		}
	}
	for _, o := range options {
		if !slices.Contains(names, EnvName(o.key)) {
			t.Errorf("%s: no variable for it", o.key)
		}
		if got := slices.Contains(names, EnvName(o.key)+"_FILE"); got != o.secret {
			t.Errorf("%s: _FILE variant listed = %v, secret = %v", o.key, got, o.secret)
		}
	}
	if _, err := Load("", []string{"SEATLEDGER_NOT_AN_OPTION=1"}, nil); err == nil || slices.Contains(names, "SEATLEDGER_NOT_AN_OPTION") {
		t.Errorf("an unknown variable is accepted: %v", err)
	}
}

func TestKeysAreTheFileKeys(t *testing.T) {
	keys := Keys()
	if len(keys) != len(options) || !slices.Contains(keys, "database.url") || !slices.Contains(keys, "log.format") {
		t.Errorf("Keys() = %v", keys)
	}
}
