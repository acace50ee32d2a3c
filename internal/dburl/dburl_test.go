package dburl

import (
	"strings"
	"testing"
)

func TestEffectiveTLS(t *testing.T) {
	noEnv := func(string) string { return "" }
	for _, tc := range []struct {
		url, mode, opened string
	}{
		{"postgres://app:pw@db.example/sl", "verify-full", "postgres://app:pw@db.example/sl?sslmode=verify-full"},
		{"postgres://app:pw@10.0.0.5:5432/sl?connect_timeout=5", "verify-full", "postgres://app:pw@10.0.0.5:5432/sl?connect_timeout=5&sslmode=verify-full"},
		{"postgres://app:pw@127.0.0.1:5432,db.example:5432/sl", "verify-full", "postgres://app:pw@127.0.0.1:5432,db.example:5432/sl?sslmode=verify-full"},
		{"postgres://app:pw@db.example/sl?sslmode=require", "require", ""},
		{"postgres://app:pw@localhost/sl", "prefer", ""},
		{"postgres://app:pw@127.0.0.1:5432/sl", "prefer", ""},
		{"postgres://app:pw@[::1]:5432/sl", "prefer", ""},
		{"postgres://app@localhost/sl?host=%2Frun%2Fpostgresql", "prefer", ""},
		{"postgres:///sl", "prefer", ""},
	} {
		got := EffectiveTLS(tc.url, noEnv)
		if got.Mode != tc.mode || got.Why == "" {
			t.Errorf("EffectiveTLS(%s) = %+v, want %s", tc.url, got, tc.mode)
		}
		opened := tc.opened
		if opened == "" {
			opened = tc.url
		}
		if got := WithTLS(tc.url, noEnv); got != opened {
			t.Errorf("WithTLS(%s) = %s, want %s", tc.url, got, opened)
		}
	}
	env := func(k string) string {
		if k == "PGSSLMODE" {
			return "require"
		}
		return ""
	}
	if got := EffectiveTLS("postgres://db.example/sl", env); got.Mode != "require" || got.Added {
		t.Errorf("with PGSSLMODE: %+v", got)
	}
}

func TestCheckNeverQuotesTheURL(t *testing.T) {
	for _, u := range []string{
		"postgres://app:pa%zzss@db/sl", "postgres://app:pa/ss@db/sl", "postgres://app:pa?ss@db/sl",
		"postgres://app:12/pass@db/sl", "postgres://app:pass@db:0/sl", "postgres://app:pa#ss@db/sl",
		"postgres://app:pass@db/sl?sslmode=pass",
	} {
		err := Check(u)
		if err == nil {
			t.Errorf("%s accepted", u)
			continue
		}
		if strings.Contains(err.Error(), "pa") && !strings.Contains(err.Error(), "password") {
			t.Errorf("Check(%s) = %v", u, err)
		}
		if strings.Contains(err.Error(), "ss@") || strings.Contains(err.Error(), "zz") || strings.Contains(err.Error(), "sslmode=pass") {
			t.Errorf("Check(%s) quotes it: %v", u, err)
		}
	}
	if err := Check("postgres://app:p%40ss@db:5432/sl?sslmode=verify-full"); err != nil {
		t.Errorf("a valid URL: %v", err)
	}
}
