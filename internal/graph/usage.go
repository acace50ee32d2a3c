package graph

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	abstractions "github.com/microsoft/kiota-abstractions-go"

	"github.com/seatledger/seatledger/internal/inventory"
)

// readUsage reads the D30 usage reports after checking whether report names are
// concealed: with hashed names, rows cannot be joined to users, so none are kept.
// When Graph will not say (no ReportSettings.Read.All, or an answer without the
// setting), the reports are read anyway and judged by their names.
func (c *Client) readUsage(ctx context.Context, tc *tenantClient, snap *inventory.Snapshot) error {
	var concealed, known bool
	err := c.retry(ctx, func(ctx context.Context) error {
		ri, err := tc.graph.Admin().ReportSettings().ToGetRequestInformation(ctx, nil)
		if err != nil {
			return err
		}
		body, err := c.getBody(ctx, tc, ri)
		if err != nil {
			return err
		}
		concealed, known, err = decodeReportSettings(body)
		return err
	})
	settingsNote := ""
	switch {
	case err != nil && refused(err):
		settingsNote = "Graph refused admin/reportSettings (" + errorText(err) + ")"
	case err != nil:
		return fmt.Errorf("admin/reportSettings: %w", err)
	case !known:
		settingsNote = "admin/reportSettings did not say whether names are concealed"
	}
	if known && concealed {
		snap.UsageRead = true
		snap.UsageNote = "report user names are concealed in this tenant (admin/reportSettings): no per-user usage kept"
		return nil
	}
	period := "D30"
	reports := []struct {
		name    string
		request func(ctx context.Context) (*abstractions.RequestInformation, error)
	}{
		{"getM365AppUserDetail", func(ctx context.Context) (*abstractions.RequestInformation, error) {
			return tc.graph.Reports().GetM365AppUserDetailWithPeriod(&period).ToGetRequestInformation(ctx, nil)
		}},
		{"getOffice365ActiveUserDetail", func(ctx context.Context) (*abstractions.RequestInformation, error) {
			return tc.graph.Reports().GetOffice365ActiveUserDetailWithPeriod(&period).ToGetRequestInformation(ctx, nil)
		}},
		{"getMailboxUsageDetail", func(ctx context.Context) (*abstractions.RequestInformation, error) {
			return tc.graph.Reports().GetMailboxUsageDetailWithPeriod(&period).ToGetRequestInformation(ctx, nil)
		}},
	}
	byUPN := map[string]*inventory.Usage{}
	var order []string
	for _, r := range reports {
		// Rows are applied as they stream in; a retry after a body cut off mid-way
		// applies the same rows again, which changes nothing.
		err := c.retry(ctx, func(ctx context.Context) error {
			ri, err := r.request(ctx)
			if err != nil {
				return err
			}
			return streamCSV(ctx, tc, ri, func(col func(string) string) error {
				upn := strings.ToLower(col("User Principal Name"))
				if upn == "" {
					return nil
				}
				u := byUPN[upn]
				if u == nil {
					u = &inventory.Usage{UPN: upn}
					byUPN[upn] = u
					order = append(order, upn)
				}
				if d := date(col("Report Refresh Date")); d != nil && (snap.UsageReportDate == nil || d.After(*snap.UsageReportDate)) {
					snap.UsageReportDate = d
				}
				switch r.name {
				case "getM365AppUserDetail":
					desktop := col("Windows") == "Yes" || col("Mac") == "Yes"
					u.DesktopActivated = &desktop
					u.LastActivation = date(col("Last Activation Date"))
				case "getOffice365ActiveUserDetail":
					u.ExchangeActivity = date(col("Exchange Last Activity Date"))
					u.TeamsActivity = date(col("Teams Last Activity Date"))
					u.AssignedProducts = col("Assigned Products")
				case "getMailboxUsageDetail":
					if n, err := strconv.ParseInt(col("Storage Used (Byte)"), 10, 64); err == nil {
						u.MailboxBytes = &n
					}
					archive := col("Has Archive") == "Yes" || col("Has Archive") == "True"
					u.HasArchive = &archive
					u.RecipientType = col("Recipient Type")
				}
				return nil
			})
		})
		if err != nil {
			if refused(err) {
				snap.UsageNote = "Graph refused " + r.name + ": " + errorText(err)
				return nil
			}
			return fmt.Errorf("%s: %w", r.name, err)
		}
	}
	snap.UsageRead = true
	if settingsNote != "" {
		names, err := userNames(snap.Users)
		if err != nil {
			return err
		}
		hashed, unmatched := 0, 0
		for _, upn := range order {
			if looksHashed(upn) {
				hashed++
			}
			if _, ok := names[upn]; !ok {
				unmatched++
			}
		}
		if concealedByData(len(order), hashed, unmatched) {
			snap.Usage, snap.UsageReportDate = nil, nil
			snap.UsageNote = fmt.Sprintf("%s; the reports' user names are concealed (%d of %d look hashed, %d match no user): no per-user usage kept",
				settingsNote, hashed, len(order), unmatched)
			return nil
		}
		snap.UsageNote = fmt.Sprintf("%s; the reports' user names are not concealed (%d of %d match a user): usage kept", settingsNote, len(order)-unmatched, len(order))
	}
	for _, upn := range order {
		snap.Usage = append(snap.Usage, *byUPN[upn])
	}
	return nil
}

// userNames are the tenant's principal names and mail addresses, lower-case, to
// tell report names that are real from concealed ones.
func userNames(set *inventory.UserSet) (map[string]struct{}, error) {
	names := make(map[string]struct{}, 2*set.Len())
	err := set.Each(1000, func(page []inventory.User) error {
		for _, u := range page {
			for _, n := range []string{u.UPN, u.Mail} {
				if n != "" {
					names[strings.ToLower(n)] = struct{}{}
				}
			}
		}
		return nil
	})
	return names, err
}

// looksHashed tells a concealed report name: Microsoft replaces the principal name
// with a hexadecimal hash, which has no @.
func looksHashed(name string) bool {
	if strings.Contains(name, "@") || len(name) < 16 {
		return false
	}
	for _, r := range name {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return false
		}
	}
	return true
}

// concealedByData judges reports whose settings are unknown: names are concealed
// when most rows look hashed, or when not one row names a user of the tenant.
func concealedByData(rows, hashed, unmatched int) bool {
	if rows == 0 {
		return false
	}
	return 2*hashed > rows || unmatched == rows
}

// streamCSV sends a report request through the SDK's adapter (authentication, retry
// on throttling, the redirect to the download) and parses the CSV as it arrives:
// the report of a 50,000-user tenant is never held whole.
func streamCSV(ctx context.Context, tc *tenantClient, ri *abstractions.RequestInformation, fn func(col func(name string) string) error) error {
	handler := abstractions.NewRequestHandlerOption()
	handler.SetResponseHandler(func(response any, _ abstractions.ErrorMappings) (any, error) {
		resp, ok := response.(*http.Response)
		if !ok || resp == nil {
			return nil, fmt.Errorf("%w: no response", errTruncated)
		}
		defer resp.Body.Close()
		if resp.StatusCode >= 300 && resp.StatusCode < 400 && resp.Header.Get("Location") != "" {
			return nil, refusedRedirect(resp)
		}
		if resp.StatusCode >= 300 {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
			return nil, &abstractions.ApiError{ResponseStatusCode: resp.StatusCode, Message: strings.TrimSpace(clean(string(body)))}
		}
		return nil, eachCSVRow(resp.Body, fn)
	})
	ri.AddRequestOptions([]abstractions.RequestOption{handler})
	_, err := tc.adapter.SendPrimitive(ctx, ri, "[]byte", errorMapping)
	return err
}

// eachCSVRow calls fn for every row of a report, looking columns up by name, never
// by position: Microsoft adds columns. Rows are read one at a time.
func eachCSVRow(body io.Reader, fn func(col func(name string) string) error) error {
	br := bufio.NewReaderSize(body, 64<<10)
	if bom, err := br.Peek(3); err == nil && string(bom) == "\ufeff" {
		_, _ = br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil
	}
	if err != nil {
		return err
	}
	index := make(map[string]int, len(header))
	for i, h := range header {
		index[strings.TrimSpace(h)] = i
	}
	var rec []string
	col := func(name string) string {
		if i, ok := index[name]; ok && i < len(rec) {
			return strings.TrimSpace(clean(rec[i]))
		}
		return ""
	}
	for {
		rec, err = cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := fn(col); err != nil {
			return err
		}
	}
}

func date(s string) *time.Time {
	if s == "" {
		return nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return nil
	}
	return &t
}
