package graph

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	abstractions "github.com/microsoft/kiota-abstractions-go"

	"github.com/seatledger/seatledger/internal/redact"
)

// downloadBlobs reads every blob of an export's manifest from Azure Storage. A blob's
// URL is the manifest's rootDirectory, the blob's name and the SAS token as its
// query; the SAS token is the only credential sent there (no bearer token: storage
// is not Graph), only over https, and it never appears in an error.
func (c *Client) downloadBlobs(ctx context.Context, m billingManifest) ([]InvoiceBlob, error) {
	if f := m.DataFormat; f != "" && !strings.EqualFold(f, "compressedJSONLines") {
		return nil, fmt.Errorf("the export's data format is %q, not compressedJSONLines", clean(f))
	}
	root, err := url.Parse(strings.TrimRight(m.RootDirectory, "/"))
	if err != nil || !root.IsAbs() {
		return nil, errors.New("the export's rootDirectory is not an absolute URL")
	}
	if !strings.EqualFold(root.Scheme, "https") {
		return nil, fmt.Errorf("the export's blobs are at %s: refused, blobs are read over https only", origin(root))
	}
	out := make([]InvoiceBlob, 0, len(m.Blobs))
	for _, b := range m.Blobs {
		if b.Name == "" {
			return nil, errors.New("the export's manifest lists a blob without a name")
		}
		u := *root
		u.RawPath = ""
		var segs []string
		for _, s := range strings.Split(b.Name, "/") {
			segs = append(segs, url.PathEscape(s))
		}
		u.Path = root.Path + "/" + b.Name
		u.RawPath = root.EscapedPath() + "/" + strings.Join(segs, "/")
		u.RawQuery = strings.TrimPrefix(m.SASToken, "?")
		var data []byte
		err := c.retry(ctx, func(ctx context.Context) error {
			var err error
			data, err = c.getBlob(ctx, u.String())
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("download blob %s: %w", clean(b.Name), redact.Error(err, sasSecrets(u.String())...))
		}
		out = append(out, InvoiceBlob{Name: b.Name, PartitionValue: b.PartitionValue, Data: data})
	}
	return out, nil
}

// getBlob reads one blob, at most MaxBlobBytes of it, with the plain client: no
// token, no redirect followed.
func (c *Client) getBlob(ctx context.Context, blobURL string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, blobURL, nil)
	if err != nil {
		return nil, redact.URLError(err)
	}
	req.Header.Set("x-ms-version", "2023-11-03")
	resp, err := c.blobHTTP.Do(req)
	if err != nil {
		return nil, redact.URLError(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
		code := resp.Header.Get("x-ms-error-code")
		if i, j := strings.Index(string(body), "<Code>"), strings.Index(string(body), "</Code>"); code == "" && i >= 0 && j > i {
			code = string(body[i+len("<Code>") : j])
		}
		// An ApiError, so that a 5xx is retried and a 403 is not.
		return nil, &abstractions.ApiError{ResponseStatusCode: resp.StatusCode, Message: fmt.Sprintf("storage answered %d %s", resp.StatusCode, clean(code))}
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxBlobBytes+1))
	if err != nil {
		return nil, redact.URLError(err)
	}
	if len(data) > MaxBlobBytes {
		return nil, fmt.Errorf("larger than the %d MiB allowed", MaxBlobBytes>>20)
	}
	if resp.ContentLength >= 0 && int64(len(data)) != resp.ContentLength {
		return nil, fmt.Errorf("%w: %d of %d bytes", errTruncated, len(data), resp.ContentLength)
	}
	return data, nil
}

// sasSecrets are the values of a SAS URL that would let someone read the blobs (the
// signature, in the forms an error may quote it), for scrubbing text that quotes the
// URL otherwise than *url.Error does. Short values (sr=c, sp=rl) are left alone:
// masking them would garble every word holding those letters.
func sasSecrets(rawURL string) []string {
	var out []string
	for _, s := range redact.Secrets(rawURL) {
		if len(s) >= 16 {
			out = append(out, s)
		}
	}
	return out
}
