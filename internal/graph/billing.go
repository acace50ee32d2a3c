package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	abstractions "github.com/microsoft/kiota-abstractions-go"

	"github.com/seatledger/seatledger/internal/mshttp"
)

// Microsoft's billed invoice reconciliation export (DOMAIN.md): POST the invoice id,
// poll the operation Graph names until it completes with a manifest, then read the
// manifest's blobs from Azure Storage with its SAS token. The SDK's request builders
// for these endpoints parse into models seatledger has no use for; the requests go
// through the same adapter (token, throttling) and are read by lean decoders.

// InvoiceBlob is one file of the export: gzip'd JSON lines of line items.
type InvoiceBlob struct {
	Name           string
	PartitionValue string
	Data           []byte
}

// ExportOptions bound an export.
type ExportOptions struct {
	// Timeout bounds the whole export: start, polls and downloads (default 30 min).
	Timeout time.Duration
	// PollInterval is the wait between polls when Graph names none in Retry-After
	// (default 10 s); no wait is longer than a minute.
	PollInterval time.Duration
}

// MaxBlobBytes bounds one downloaded blob (compressed); internal/invoice bounds what
// it holds once uncompressed.
const MaxBlobBytes = 512 << 20

var (
	// ErrInvoiceNotFound marks an invoice id Graph does not know for the partner.
	ErrInvoiceNotFound = errors.New("invoice not found")
	// ErrExportFailed marks an export that Graph reports as failed.
	ErrExportFailed = errors.New("the billed invoice export failed")
)

// billingOperation is the part of Graph's partners.billing.operation that is read.
type billingOperation struct {
	ID               string           `json:"id"`
	Status           string           `json:"status"`
	ResourceLocation *billingManifest `json:"resourceLocation"`
	Error            *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

type billingManifest struct {
	RootDirectory string `json:"rootDirectory"`
	SASToken      string `json:"sasToken"`
	DataFormat    string `json:"dataFormat"`
	Blobs         []struct {
		Name           string `json:"name"`
		PartitionValue string `json:"partitionValue"`
	} `json:"blobs"`
}

// ExportBilledInvoice has Graph export the line items of one of Microsoft's
// invoices (application permission PartnerBilling.Read.All in the partner's own
// tenant, partnerTenantID), waits for the export, and returns its blobs as they
// were downloaded.
func (c *Client) ExportBilledInvoice(ctx context.Context, partnerTenantID, invoiceID string, opts ExportOptions) ([]InvoiceBlob, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Minute
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = 10 * time.Second
	}
	tc, err := c.forTenant(partnerTenantID)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeoutCause(ctx, opts.Timeout, fmt.Errorf("not completed within %s", opts.Timeout))
	defer cancel()
	blobs, err := c.exportBilledInvoice(ctx, tc, invoiceID, opts)
	if err != nil {
		if cause := context.Cause(ctx); cause != nil && errors.Is(err, context.DeadlineExceeded) {
			err = cause
		}
		return nil, fmt.Errorf("billed invoice export of %s: %w", invoiceID, signInError(err))
	}
	return blobs, nil
}

func (c *Client) exportBilledInvoice(ctx context.Context, tc *tenantClient, invoiceID string, opts ExportOptions) ([]InvoiceBlob, error) {
	body, _ := json.Marshal(map[string]string{"invoiceId": invoiceID, "attributeSet": "full"})
	var started *rawResponse
	err := c.retry(ctx, func(ctx context.Context) error {
		var err error
		started, err = c.send(ctx, tc, abstractions.POST, c.baseURL+"/reports/partners/billing/reconciliation/billed/export", body)
		return err
	})
	switch {
	case err != nil && statusOf(err) == http.StatusNotFound:
		return nil, fmt.Errorf("%w: Graph does not know it for this partner (%s)", ErrInvoiceNotFound, errorText(err))
	case err != nil:
		return nil, fmt.Errorf("start: %w", err)
	case started.status != http.StatusAccepted && started.status != http.StatusOK:
		return nil, fmt.Errorf("start: Graph answered %d, not 202 Accepted", started.status)
	}
	location := started.header.Get("Location")
	if location == "" {
		return nil, errors.New("start: Graph's answer names no operation (no Location)")
	}
	if err := c.trustedGraphLink(location); err != nil {
		return nil, fmt.Errorf("start: the operation's Location %w", err)
	}
	wait := c.pollWait(started.header, opts.PollInterval)
	status := "notStarted"
	for {
		if err := mshttp.Sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("wait for the export (last status %s): %w", status, err)
		}
		var polled *rawResponse
		err := c.retry(ctx, func(ctx context.Context) error {
			var err error
			polled, err = c.send(ctx, tc, abstractions.GET, location, nil)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("poll the export (last status %s): %w", status, err)
		}
		var op billingOperation
		if err := json.Unmarshal(polled.body, &op); err != nil {
			return nil, fmt.Errorf("poll the export: the operation is not JSON: %w", err)
		}
		status = clean(op.Status)
		switch strings.ToLower(status) {
		case "notstarted", "running":
			wait = c.pollWait(polled.header, opts.PollInterval)
			continue
		case "completed", "succeeded":
			if op.ResourceLocation == nil {
				return nil, errors.New("the export completed without a manifest (resourceLocation)")
			}
			return c.downloadBlobs(ctx, *op.ResourceLocation)
		case "failed":
			code, msg := "", ""
			if op.Error != nil {
				code, msg = clean(op.Error.Code), clean(op.Error.Message)
			}
			return nil, fmt.Errorf("%w: %s: %s", ErrExportFailed, code, msg)
		default:
			return nil, fmt.Errorf("the export's operation has status %q, not one of notStarted, running, completed, failed", status)
		}
	}
}

// pollWait is how long to wait before the next poll: what Retry-After asks, else
// interval; never more than a minute.
func (c *Client) pollWait(h http.Header, interval time.Duration) time.Duration {
	if d, ok := mshttp.RetryAfter(h.Get("Retry-After"), time.Now()); ok {
		return min(d, time.Minute)
	}
	return min(interval, time.Minute)
}

// trustedGraphLink refuses a link the bearer token would be sent to outside Graph.
func (c *Client) trustedGraphLink(link string) error {
	u, err := url.Parse(link)
	if err != nil || !u.IsAbs() {
		return errors.New("is not an absolute URL")
	}
	if got := origin(u); got != c.graphOrigin {
		return fmt.Errorf("leads to %s, not to Graph at %s: refused, the token is not sent elsewhere", got, c.graphOrigin)
	}
	return nil
}

// rawResponse is a Graph answer read whole (bounded): the export's answers are a
// few kilobytes.
type rawResponse struct {
	status int
	header http.Header
	body   []byte
}

// send sends one request through the tenant's adapter (token, throttling) and reads
// the answer; a 4xx or 5xx is returned as an error carrying Graph's code and message.
func (c *Client) send(ctx context.Context, tc *tenantClient, method abstractions.HttpMethod, rawURL string, body []byte) (*rawResponse, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("%s is not a URL: %w", rawURL, err)
	}
	ri := abstractions.NewRequestInformation()
	ri.Method = method
	ri.SetUri(*u)
	ri.Headers.TryAdd("Accept", "application/json")
	if body != nil {
		ri.SetStreamContentAndContentType(body, "application/json")
	}
	var out *rawResponse
	handler := abstractions.NewRequestHandlerOption()
	handler.SetResponseHandler(func(response any, _ abstractions.ErrorMappings) (any, error) {
		resp, ok := response.(*http.Response)
		if !ok || resp == nil {
			return nil, fmt.Errorf("%w: no response", errTruncated)
		}
		defer resp.Body.Close()
		data, err := io.ReadAll(io.LimitReader(resp.Body, maxBufferedBody))
		if err != nil {
			return nil, err
		}
		if resp.StatusCode >= 300 {
			return nil, &abstractions.ApiError{ResponseStatusCode: resp.StatusCode, Message: fmt.Sprintf("%d %s", resp.StatusCode, graphErrorText(data))}
		}
		out = &rawResponse{status: resp.StatusCode, header: resp.Header, body: data}
		return nil, nil
	})
	ri.AddRequestOptions([]abstractions.RequestOption{handler})
	if _, err := tc.adapter.SendPrimitive(ctx, ri, "[]byte", errorMapping); err != nil {
		return nil, err
	}
	if out == nil {
		return nil, fmt.Errorf("%w: no response", errTruncated)
	}
	return out, nil
}

// graphErrorText is Graph's error code and message from an error body, else the
// body's first bytes.
func graphErrorText(body []byte) string {
	var e struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &e) == nil && (e.Error.Code != "" || e.Error.Message != "") {
		return clean(e.Error.Code + ": " + e.Error.Message)
	}
	text := strings.TrimSpace(string(body))
	if len(text) > 200 {
		text = text[:200]
	}
	return clean(text)
}
