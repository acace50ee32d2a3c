package mshttp

import (
	"testing"
	"time"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		value string
		want  time.Duration
		ok    bool
	}{
		{"2.128", 2128 * time.Millisecond, true}, // Graph's fraction, waited in full
		{"2", 2 * time.Second, true},
		{" 0.0001 ", time.Millisecond, true}, // rounded up, never down
		{"0", 0, true},
		{"Mon, 23 Nov 2026 10:00:05 GMT", 5 * time.Second, true},
		{"Mon, 23 Nov 2026 09:59:00 GMT", 0, true},
		{"Inf", 24 * time.Hour, true},
		{"", 0, false},
		{"-1", 0, false},
		{"NaN", 0, false},
		{"soon", 0, false},
	} {
		if got, ok := RetryAfter(tc.value, now); got != tc.want || ok != tc.ok {
			t.Errorf("RetryAfter(%q) = %s, %v; want %s, %v", tc.value, got, ok, tc.want, tc.ok)
		}
	}
}
