package partnercenter

import (
	"math/rand/v2"
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
