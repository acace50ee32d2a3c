package partnercenter

import (
	"context"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// backoff is the first wait when an answer names none; it doubles each time.
const backoff = time.Second

// delay is how long to wait before retry number attempt: what Retry-After asks (in
// seconds, fractions rounded up to the next millisecond, or an HTTP date), else an
// exponential backoff with jitter; never more than maxDelay.
func delay(retryAfter string, attempt int, now time.Time, maxDelay time.Duration) time.Duration {
	if d, ok := parseRetryAfter(retryAfter, now); ok {
		return min(d, maxDelay)
	}
	d := backoff << min(attempt-1, 20)
	d += time.Duration(rand.Int64N(int64(backoff)/2 + 1))
	return min(d, maxDelay)
}

// parseRetryAfter reads a Retry-After header: delay-seconds, fractions included, or
// an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if math.IsNaN(secs) || secs < 0 {
			return 0, false
		}
		secs = min(secs, float64(24*time.Hour/time.Second))
		return time.Duration(math.Ceil(secs*1000)) * time.Millisecond, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(at.Sub(now), 0), true
	}
	return 0, false
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
