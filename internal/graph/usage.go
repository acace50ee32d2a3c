package graph

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
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
		var rows []map[string]string
		err := c.retry(ctx, st, func(ctx context.Context) error {
			body, err := r.get(ctx)
			if err != nil {
				return err
			}
			rows, err = readCSV(body)
			return err
		})
		if err != nil {
			if refused(err) {
				snap.UsageNote = "Graph refused " + r.name + ": " + errorText(err)
				return nil
			}
			return fmt.Errorf("%s: %w", r.name, err)
		}
		for _, row := range rows {
			upn := strings.ToLower(row["User Principal Name"])
			if upn == "" {
				continue
			}
			u := byUPN[upn]
			if u == nil {
				u = &inventory.Usage{UPN: upn}
				byUPN[upn] = u
				order = append(order, upn)
			}
			if d := date(row["Report Refresh Date"]); d != nil && (snap.UsageReportDate == nil || d.After(*snap.UsageReportDate)) {
				snap.UsageReportDate = d
			}
			switch r.name {
			case "getM365AppUserDetail":
				desktop := row["Windows"] == "Yes" || row["Mac"] == "Yes"
				u.DesktopActivated = &desktop
				u.LastActivation = date(row["Last Activation Date"])
			case "getOffice365ActiveUserDetail":
				u.ExchangeActivity = date(row["Exchange Last Activity Date"])
				u.TeamsActivity = date(row["Teams Last Activity Date"])
				u.AssignedProducts = row["Assigned Products"]
			case "getMailboxUsageDetail":
				if n, err := strconv.ParseInt(row["Storage Used (Byte)"], 10, 64); err == nil {
					u.MailboxBytes = &n
				}
				archive := row["Has Archive"] == "Yes" || row["Has Archive"] == "True"
				u.HasArchive = &archive
				u.RecipientType = row["Recipient Type"]
			}
		}
	}
	snap.UsageRead = true
	for _, upn := range order {
		snap.Usage = append(snap.Usage, *byUPN[upn])
	}
	return nil
}

// readCSV parses a report by column name, never by position: Microsoft adds columns.
func readCSV(body []byte) ([]map[string]string, error) {
	body = bytes.TrimPrefix(body, []byte("\ufeff"))
	cr := csv.NewReader(bytes.NewReader(body))
	cr.FieldsPerRecord = -1
	records, err := cr.ReadAll()
	if err != nil {
		return nil, err
	}
	if len(records) == 0 {
		return nil, nil
	}
	header := records[0]
	out := make([]map[string]string, 0, len(records)-1)
	for _, rec := range records[1:] {
		row := make(map[string]string, len(header))
		for i, h := range header {
			if i < len(rec) {
				row[strings.TrimSpace(h)] = strings.TrimSpace(rec[i])
			}
		}
		out = append(out, row)
	}
	return out, nil
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
