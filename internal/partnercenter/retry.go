package partnercenter

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/seatledger/seatledger/internal/mshttp"
)

// backoff is the first wait when an answer names none; it doubles each time.
const backoff = time.Second

// delay is how long to wait before retry number attempt: what Retry-After asks (in
// seconds, fractions rounded up to the next millisecond, or an HTTP date), else an
// exponential backoff with jitter; never more than maxDelay.
func delay(retryAfter string, attempt int, now time.Time, maxDelay time.Duration) time.Duration {
	if d, ok := mshttp.RetryAfter(retryAfter, now); ok {
		return min(d, maxDelay)
	}
	d := backoff << min(attempt-1, 20)
	d += time.Duration(rand.Int64N(int64(backoff)/2 + 1))
	return min(d, maxDelay)
}

// answer is the outcome of one try of a request: the body and status of an answer,
// or err when there was no whole answer (a dropped connection, a cut-off download).
type answer struct {
	body       []byte
	status     int
	retryAfter string
	err        error
	// permanent marks an err that no retry mends.
	permanent bool
}

// retrier repeats Partner Center's idempotent reads: after a 429 (waiting what
// Retry-After asks), a 5xx, or a failed transfer, at most max times.
type retrier struct {
	max      int
	maxDelay time.Duration
	// sleep waits between tries; tests may shorten it.
	sleep func(ctx context.Context, d time.Duration) error
	log   *slog.Logger
}

// do calls try until it answers 2xx, fails in a way no retry mends (a sign-in, a 4xx
// other than 429), or the retries run out. path names the request in errors and logs.
func (r retrier) do(ctx context.Context, path string, try func() answer) ([]byte, error) {
	for attempt := 0; ; attempt++ {
		a := try()
		if a.err == nil && a.status >= 200 && a.status < 300 {
			return a.body, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var tokenErr *TokenError
		signIn := errors.As(a.err, &tokenErr) || errors.Is(a.err, ErrSignIn)
		retry := a.err != nil && !signIn && !a.permanent || a.status == http.StatusTooManyRequests || a.status >= 500
		if !retry || attempt >= r.max {
			switch {
			case signIn:
				return nil, a.err
			case a.err != nil && a.permanent:
				return nil, a.err
			case a.err != nil:
				return nil, fmt.Errorf("GET %s: %w", path, a.err)
			}
			return nil, fmt.Errorf("GET %s: %w", path, &StatusError{Status: a.status, Description: errorDescription(a.body)})
		}
		wait := delay(a.retryAfter, attempt+1, time.Now(), r.maxDelay)
		reason := any(a.status)
		if a.err != nil {
			reason = a.err.Error()
		}
		r.log.Debug("partner center request retried", "path", path, "reason", reason, "attempt", attempt+1, "wait", wait)
		if err := r.sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}
