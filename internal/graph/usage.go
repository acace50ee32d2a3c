package graph

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/seatledger/seatledger/internal/inventory"
)

// readUsage reads the D30 usage reports after checking whether report names are
// concealed: with hashed names, rows cannot be joined to users, so none are kept.
func (c *Client) readUsage(ctx context.Context, tc *tenantClient, snap *inventory.Snapshot, st *inventory.ReadStats) error {
	var concealed bool
	err := c.retry(ctx, st, func(ctx context.Context) error {
		s, err := tc.graph.Admin().ReportSettings().Get(ctx, nil)
		if err != nil {
			return err
		}
		concealed = s.GetDisplayConcealedNames() != nil && *s.GetDisplayConcealedNames()
		return nil
	})
	if err != nil {
		if refused(err) {
			snap.UsageNote = "Graph refused admin/reportSettings: " + errorText(err)
			return nil
		}
		return err
	}
	if concealed {
		snap.UsageRead = true
		snap.UsageNote = "report user names are concealed in this tenant (admin/reportSettings): no per-user usage kept"
		return nil
	}
	period := "D30"
	reports := []struct {
		name string
		get  func(ctx context.Context) ([]byte, error)
	}{
		{"getM365AppUserDetail", func(ctx context.Context) ([]byte, error) {
			return tc.graph.Reports().GetM365AppUserDetailWithPeriod(&period).Get(ctx, nil)
		}},
		{"getOffice365ActiveUserDetail", func(ctx context.Context) ([]byte, error) {
			return tc.graph.Reports().GetOffice365ActiveUserDetailWithPeriod(&period).Get(ctx, nil)
		}},
		{"getMailboxUsageDetail", func(ctx context.Context) ([]byte, error) {
			return tc.graph.Reports().GetMailboxUsageDetailWithPeriod(&period).Get(ctx, nil)
		}},
	}
	byUPN := map[string]*inventory.Usage{}
	var order []string
	for _, r := range reports {
		var body []byte
		err := c.retry(ctx, st, func(ctx context.Context) error {
			var err error
			if body, err = r.get(ctx); err != nil {
				return err
			}
			// A body cut off mid-row is caught here, before anything is kept.
			return eachCSVRow(body, func(func(string) string) error { return nil })
		})
		if err != nil {
			if refused(err) {
				snap.UsageNote = "Graph refused " + r.name + ": " + errorText(err)
				return nil
			}
			return fmt.Errorf("%s: %w", r.name, err)
		}
		err = eachCSVRow(body, func(col func(string) string) error {
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
		if err != nil {
			return fmt.Errorf("%s: %w", r.name, err)
		}
	}
	snap.UsageRead = true
	for _, upn := range order {
		snap.Usage = append(snap.Usage, *byUPN[upn])
	}
	return nil
}

// eachCSVRow calls fn for every row of a report, looking columns up by name, never
// by position: Microsoft adds columns. Rows are read one at a time; a report of a
// large tenant is never held as a table.
func eachCSVRow(body []byte, fn func(col func(name string) string) error) error {
	body = bytes.TrimPrefix(body, []byte("\ufeff"))
	cr := csv.NewReader(bytes.NewReader(body))
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
			return strings.TrimSpace(rec[i])
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
