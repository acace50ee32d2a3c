package graph

import (
	"bytes"
	"io"
	"net/http"
)

// maxBufferedBody bounds what bufferDiscardable reads; Graph's redirect and error
// bodies are a few hundred bytes.
const maxBufferedBody = 1 << 20

// bufferDiscardable reads the body of every redirect and error response into memory
// and closes the connection's stream at once. The SDK's redirect and retry handlers
// drop such responses without closing them, which would leak one connection (and
// its goroutines) per usage report and per throttled request.
type bufferDiscardable struct{ next http.RoundTripper }

func (t bufferDiscardable) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err != nil || resp.StatusCode < 300 || resp.ContentLength > maxBufferedBody {
		return resp, err
	}
	body, readErr := io.ReadAll(io.LimitReader(resp.Body, maxBufferedBody))
	_ = resp.Body.Close()
	if readErr != nil {
		return nil, readErr
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}
