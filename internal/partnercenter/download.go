package partnercenter

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"regexp"
	"strings"
	"time"
)

// maxDownload bounds one price list or offer matrix: a market's monthly list is a
// few MB, uncompressed.
const maxDownload = 256 << 20

var marketCode = regexp.MustCompile(`^[A-Z]{2}$`)

// PriceSheet downloads one market's New Commerce licence-based price list
// (updatedlicensebased) of a month as CSV: the current month (now's) as current,
// earlier months as history, and next month as Partner Center's preview (future).
func (d *Delegated) PriceSheet(ctx context.Context, market string, month, now time.Time) ([]byte, error) {
	code := strings.ToUpper(strings.TrimSpace(market))
	if !marketCode.MatchString(code) {
		return nil, fmt.Errorf("price sheet: market %q is not a two-letter country code such as NL", market)
	}
	this := firstOfMonth(now)
	var q string
	switch m := firstOfMonth(month); {
	case m.Equal(this):
		q = "timeline=current"
	case m.Before(this):
		q = "timeline=history&month=" + m.Format("200601")
	case m.Equal(this.AddDate(0, 1, 0)):
		q = "timeline=future"
	default:
		return nil, fmt.Errorf("price sheet %s %s: Partner Center publishes the current month, past months and next month's preview only", code, m.Format("2006-01"))
	}
	resource := "/v1.0/sales/pricesheets(Market='" + code + "',PricesheetView='updatedlicensebased')/$value"
	body, err := d.download(ctx, resource, q)
	if err != nil {
		return nil, fmt.Errorf("price sheet %s %s: %w", code, firstOfMonth(month).Format("2006-01"), err)
	}
	return body, nil
}

// OfferMatrix downloads the offer matrix of a month as CSV.
func (d *Delegated) OfferMatrix(ctx context.Context, month time.Time) ([]byte, error) {
	resource := "/v1.0/sales/offermatrix(Month='" + month.Format("200601") + "')/$value"
	body, err := d.download(ctx, resource, "")
	if err != nil {
		return nil, fmt.Errorf("offer matrix %s: %w", month.Format("2006-01"), err)
	}
	return body, nil
}

func firstOfMonth(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// download GETs one CSV file from the Partner API, retrying throttling, server
// errors and transfers cut off before their end.
func (d *Delegated) download(ctx context.Context, resource, query string) ([]byte, error) {
	u := *d.base
	u.Path = strings.TrimRight(d.base.Path, "/") + resource
	u.RawQuery = query
	body, err := d.retry.do(ctx, resource, func() answer { return d.once(ctx, u.String()) })
	var se *StatusError
	if errors.As(err, &se) {
		switch se.Status {
		case http.StatusUnauthorized:
			return nil, fmt.Errorf("partner center refused the signed-in user's token (%w): %w", se, ErrSignIn)
		case http.StatusForbidden:
			return nil, fmt.Errorf("partner center refused the signed-in user (%w): price lists need a Partner Center user in the Admin Agent or Sales Agent role, and no app-only token", se)
		case http.StatusNotFound:
			return nil, fmt.Errorf("not published (%w)", se)
		}
	}
	return body, err
}

// errCutOff is a transfer that ended before the file did; it is retried.
var errCutOff = errors.New("download cut off")

func (d *Delegated) once(ctx context.Context, target string) answer {
	tok, err := d.token(ctx)
	if err != nil {
		return answer{err: err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return answer{err: err, permanent: true}
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	// deflate asks Partner Center for the zip-compressed file.
	req.Header.Set("Accept-Encoding", "deflate")
	req.Header.Set("MS-RequestId", newGUID())
	req.Header.Set("MS-CorrelationId", d.correlationID)
	resp, err := d.http.Do(req)
	if d.cfg.Observe != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		d.cfg.Observe(status)
	}
	if err != nil {
		return answer{err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxDownload+1))
	switch {
	case err != nil:
		// A body shorter than its Content-Length ends in io.ErrUnexpectedEOF.
		return answer{err: fmt.Errorf("%w after %d bytes: %w", errCutOff, len(body), err)}
	case len(body) > maxDownload:
		return answer{err: fmt.Errorf("the file is larger than %d MB", maxDownload>>20), permanent: true}
	case resp.StatusCode != http.StatusOK:
		return answer{body: body, status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After")}
	case resp.ContentLength >= 0 && int64(len(body)) < resp.ContentLength:
		return answer{err: fmt.Errorf("%w: %d of %d bytes", errCutOff, len(body), resp.ContentLength)}
	}
	csv, zipped, err := unpack(body)
	if err != nil {
		return answer{err: err}
	}
	// A body with a Content-Length or in chunks, and a zip, say where they end; a body
	// that ends when the connection closes says nothing, and is checked line by line.
	framed := resp.ContentLength >= 0 || len(resp.TransferEncoding) > 0 || zipped
	if err := wholeCSV(csv, framed); err != nil {
		return answer{err: err}
	}
	return answer{body: csv, status: resp.StatusCode}
}

// unpack returns the CSV of a zip-compressed answer (the first .csv in it), or the
// body itself when it is not a zip. A zip that does not open was cut off.
func unpack(body []byte) (csv []byte, zipped bool, err error) {
	if !bytes.HasPrefix(body, []byte("PK\x03\x04")) {
		return body, false, nil
	}
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		return nil, true, fmt.Errorf("%w: the zip does not open: %w", errCutOff, err)
	}
	for _, f := range zr.File {
		if !strings.EqualFold(path.Ext(f.Name), ".csv") {
			continue
		}
		if f.UncompressedSize64 > maxDownload {
			return nil, true, fmt.Errorf("%s in the zip is larger than %d MB", f.Name, maxDownload>>20)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, true, fmt.Errorf("%w: %s in the zip: %w", errCutOff, f.Name, err)
		}
		defer rc.Close()
		out, err := io.ReadAll(io.LimitReader(rc, maxDownload+1))
		if err != nil {
			return nil, true, fmt.Errorf("%w: %s in the zip: %w", errCutOff, f.Name, err)
		}
		return out, true, nil
	}
	return nil, true, errors.New("the zip holds no .csv file")
}

// wholeCSV catches a transfer that ended cleanly mid-file, as a connection closed
// without a Content-Length does. Partner Center's files end with a line break: an
// unframed one that does not was cut, even where the cut fell inside the last field
// and left a line of the right shape. A framed file that does not must still end with
// a whole record, as many fields as the header and no quote left open.
func wholeCSV(b []byte, framed bool) error {
	if len(b) == 0 {
		return fmt.Errorf("%w: the file is empty", errCutOff)
	}
	if b[len(b)-1] == '\n' {
		return nil
	}
	if !framed {
		return fmt.Errorf("%w: the connection closed before the file's last line break", errCutOff)
	}
	header, _, _ := bytes.Cut(b, []byte("\n"))
	last := b[bytes.LastIndexByte(b, '\n')+1:]
	if bytes.Count(last, []byte(`"`))%2 != 0 || fields(last) != fields(header) {
		return fmt.Errorf("%w: the last line of the CSV is incomplete", errCutOff)
	}
	return nil
}

// fields counts the fields of one CSV line: commas outside quotes, plus one.
func fields(line []byte) int {
	n, quoted := 1, false
	for _, c := range line {
		switch {
		case c == '"':
			quoted = !quoted
		case c == ',' && !quoted:
			n++
		}
	}
	return n
}
