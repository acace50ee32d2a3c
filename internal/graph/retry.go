package graph

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	abstractions "github.com/microsoft/kiota-abstractions-go"
	kiotahttp "github.com/microsoft/kiota-http-go"
	"github.com/seatledger/seatledger/internal/mshttp"
)

// throttleRetry is the middleware that retries 429, 503 and 504 answers. It replaces
// the SDK's retry handler, which reads Retry-After as whole seconds: Graph asks for
// fractions (2.128) and a retry sent 128 ms early is throttled again.
type throttleRetry struct {
	// maxRetries bounds the retries of one request; maxDelay bounds one wait.
	maxRetries int
	maxDelay   time.Duration
	// backoff is the first wait when the answer names none; it doubles each time.
	backoff time.Duration
}

func (h throttleRetry) Intercept(pipeline kiotahttp.Pipeline, index int, req *http.Request) (*http.Response, error) {
	resp, err := pipeline.Next(req, index)
	for attempt := 1; err == nil && retryable(resp.StatusCode) && attempt <= h.maxRetries && replayable(req); attempt++ {
		wait := h.delay(resp.Header.Get("Retry-After"), attempt, time.Now())
		// The answer is dropped: close it so that its connection is reused.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxBufferedBody))
		_ = resp.Body.Close()
		if err := mshttp.Sleep(req.Context(), wait); err != nil {
			return nil, err
		}
		if req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			req.Body = body
		}
		req.Header.Set("Retry-Attempt", strconv.Itoa(attempt))
		resp, err = pipeline.Next(req, index)
	}
	return resp, err
}

func retryable(status int) bool {
	return status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable || status == http.StatusGatewayTimeout
}

// replayable tells whether the request can be sent again: a body that cannot be
// read a second time cannot.
func replayable(req *http.Request) bool {
	return req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
}

// delay is how long to wait before retry number attempt: what Retry-After asks (in
// seconds, fractions rounded up to the next millisecond, or an HTTP date), else an
// exponential backoff with jitter; never more than maxDelay.
func (h throttleRetry) delay(retryAfter string, attempt int, now time.Time) time.Duration {
	if d, ok := mshttp.RetryAfter(retryAfter, now); ok {
		return min(d, h.maxDelay)
	}
	d := h.backoff << min(attempt-1, 20)
	d += time.Duration(rand.Int64N(int64(h.backoff)/2 + 1))
	return min(d, h.maxDelay)
}

// middlewares is the Graph client's chain, outermost first. It is spelled out
// because the SDK's default list comes in map order, and its retry handler is
// replaced by throttleRetry.
func middlewares() []kiotahttp.Middleware {
	return []kiotahttp.Middleware{
		throttleRetry{maxRetries: 10, maxDelay: 2 * time.Minute, backoff: time.Second},
		kiotahttp.NewRedirectHandlerWithOptions(kiotahttp.RedirectHandlerOptions{MaxRedirects: 5, ShouldRedirect: httpsOnly}),
		kiotahttp.NewParametersNameDecodingHandler(),
		kiotahttp.NewUserAgentHandler(),
		kiotahttp.NewHeadersInspectionHandler(),
		kiotahttp.NewCompressionHandler(),
	}
}

type requestCounterKey struct{}

// withRequestCounter makes every HTTP request sent under ctx count in n.
func withRequestCounter(ctx context.Context, n *atomic.Int64) context.Context {
	return context.WithValue(ctx, requestCounterKey{}, n)
}

// countRequests counts each request that leaves for the network in the counter its
// context carries: retries, redirects and downloads are requests sent too.
type countRequests struct {
	next    http.RoundTripper
	observe func(status int)
}

func (t countRequests) RoundTrip(req *http.Request) (*http.Response, error) {
	if n, ok := req.Context().Value(requestCounterKey{}).(*atomic.Int64); ok {
		n.Add(1)
	}
	resp, err := t.next.RoundTrip(req)
	if t.observe != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.observe(status)
	}
	return resp, err
}

// ThrottledError is a read that Graph still throttled after every retry: the caller
// should come back after Wait, as Graph's last Retry-After asked.
type ThrottledError struct {
	Wait time.Duration
	Err  error
}

func (e *ThrottledError) Error() string { return e.Err.Error() }
func (e *ThrottledError) Unwrap() error { return e.Err }

// RetryAfter is how long Graph asked to wait.
func (e *ThrottledError) RetryAfter() time.Duration { return e.Wait }

// throttled marks an error that ends in a 429 as a ThrottledError carrying its
// Retry-After, so that a scheduler can put the tenant off instead of failing it.
func throttled(err error) error {
	if err == nil || statusOf(err) != http.StatusTooManyRequests {
		return err
	}
	wait := time.Minute
	var h interface {
		GetResponseHeaders() *abstractions.ResponseHeaders
	}
	if errors.As(err, &h) && h.GetResponseHeaders() != nil {
		for _, v := range h.GetResponseHeaders().Get("Retry-After") {
			if d, ok := mshttp.RetryAfter(v, time.Now()); ok {
				wait = d
			}
		}
	}
	return &ThrottledError{Wait: wait, Err: err}
}
