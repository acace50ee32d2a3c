// Package mshttp holds what every client of Microsoft's services (Graph, Partner
// Center) needs from HTTP: a transport that trusts the configured roots, the
// Retry-After a throttled answer asks for, and a wait that ends with its context.
package mshttp

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxWait bounds what a Retry-After can ask for.
const maxWait = 24 * time.Hour

// RetryAfter reads a Retry-After header value: seconds, fractional ones rounded up
// to the millisecond (Graph sends 2.128), or an HTTP date. ok is false when the value
// says neither.
func RetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if math.IsNaN(secs) || secs < 0 {
			return 0, false
		}
		secs = min(secs, float64(maxWait/time.Second))
		return time.Duration(math.Ceil(secs*1000)) * time.Millisecond, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(at.Sub(now), 0), true
	}
	return 0, false
}

// Sleep waits d, or until ctx ends.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
