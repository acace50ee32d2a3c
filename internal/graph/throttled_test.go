package graph

import (
	"errors"
	"fmt"
	"testing"
	"time"

	abstractions "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
)

// A read still throttled after the client's retries carries Graph's Retry-After, so
// that a scheduler can put the tenant off by as much; other errors pass unchanged.
func TestThrottledCarriesRetryAfter(t *testing.T) {
	odata := odataerrors.NewODataError()
	odata.ResponseStatusCode = 429
	odata.ResponseHeaders = abstractions.NewResponseHeaders()
	odata.ResponseHeaders.Add("Retry-After", "2.128")
	err := throttled(fmt.Errorf("read users: %w", odata))
	var wait interface{ RetryAfter() time.Duration }
	if !errors.As(err, &wait) || wait.RetryAfter() != 2128*time.Millisecond {
		t.Fatalf("throttled(429) = %#v", err)
	}
	if !errors.Is(err, odata) {
		t.Error("the throttled error does not wrap Graph's")
	}
	other := &abstractions.ApiError{ResponseStatusCode: 503}
	if got := throttled(other); got != error(other) {
		t.Errorf("throttled(503) = %v", got)
	}
	if throttled(nil) != nil {
		t.Error("throttled(nil) is not nil")
	}
}
