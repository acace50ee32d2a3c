// Package export writes a month's billing run for accounting: one row per billing
// line, as CSV shaped by an export profile (separator, decimal mark, date format,
// columns) or as an XLSX workbook with numeric cells in currency formats, a sheet of
// lines and a sheet of totals per customer and currency. Pure: a run in, bytes out;
// reading the stored run and choosing the file are the callers' business.
//
// Amounts are written exactly as billing rounded them, never through a float that
// could move a cent. An export of a run that is not approved says DRAFT in the file
// and in its name.
package export

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/seatledger/seatledger/internal/billing"
)

// Statuses of a run.
const (
	StatusDraft    = "draft"
	StatusApproved = "approved"
)

// Run is what an export needs of a stored billing run: the engine's run plus what
// the stored run knows beyond it.
type Run struct {
	billing.Run
	// Status is StatusDraft or StatusApproved; anything but approved is exported as a
	// DRAFT.
	Status string
	// RunID is the stored run's id; LineIDs the stored ids of Run.Lines, index by
	// index (nil when the lines have none yet: the line id cells stay empty).
	RunID   string
	LineIDs []string
	// Customers are the customers' details by tenant id; a tenant missing here is
	// exported under its line's customer name with no external reference.
	Customers map[string]Customer
	// SKUNames are the catalogue's product names by SKU id ("Microsoft 365 E3"),
	// for the descriptions; a SKU missing here is described by its part number.
	SKUNames map[string]string
	// InvoiceDate dates invoices in profiles that create them (Xero): the day the run
	// is invoiced. Zero means the first day of the period.
	InvoiceDate time.Time
}

// Customer is a customer as accounting knows it.
type Customer struct {
	// Name is the display name invoices carry; empty keeps the line's customer name.
	Name string
	// ExternalRef is the customer's id in the ERP or PSA system (a debtor number).
	ExternalRef string
	// Email is where invoices go, for profiles that carry it (Xero's EmailAddress).
	Email string
}

// Format is a file format of an export.
type Format string

// Formats.
const (
	CSV  Format = "csv"
	XLSX Format = "xlsx"
)

// ParseFormat reads a format as written on a command line.
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(strings.TrimSpace(s))); f {
	case CSV, XLSX:
		return f, nil
	}
	return "", fmt.Errorf("format %q is not one of csv, xlsx", s)
}

// Draft tells whether the run is exported as a draft: every status but approved.
func (r Run) Draft() bool { return r.Status != StatusApproved }

// FileName is the export's file name: billing-2026-11.xlsx, billing-2026-11-DRAFT.csv
// for a run not yet approved.
func FileName(run Run, format Format) string {
	name := "billing-" + run.Period.String()
	if run.Draft() {
		name += "-DRAFT"
	}
	return name + "." + string(format)
}

// Write writes the run's lines in format: CSV shaped by profile, or XLSX (whose
// layout is fixed; profile is not used).
func Write(w io.Writer, run Run, format Format, profile Profile) error {
	if err := run.check(); err != nil {
		return fmt.Errorf("export of billing run %s: %w", run.Period, err)
	}
	switch format {
	case CSV:
		if err := writeCSV(w, run, profile); err != nil {
			return fmt.Errorf("CSV export of billing run %s (profile %s): %w", run.Period, profile.Name, err)
		}
	case XLSX:
		if err := writeXLSX(w, run); err != nil {
			return fmt.Errorf("XLSX export of billing run %s: %w", run.Period, err)
		}
	default:
		return fmt.Errorf("export of billing run %s: format %q is not one of csv, xlsx", run.Period, format)
	}
	return nil
}

// check refuses a run the export would misstate: an unknown status, line ids that
// do not pair with the lines, an amount in a currency of unknown precision or not
// rounded to its minor unit.
func (r Run) check() error {
	var errs []error
	if r.Status != StatusDraft && r.Status != StatusApproved {
		errs = append(errs, fmt.Errorf("status %q is not %s or %s", r.Status, StatusDraft, StatusApproved))
	}
	if r.LineIDs != nil && len(r.LineIDs) != len(r.Lines) {
		errs = append(errs, fmt.Errorf("%d line ids for %d lines", len(r.LineIDs), len(r.Lines)))
	}
	for i, l := range r.Lines {
		places, ok := billing.MinorUnit(l.Currency)
		if !ok {
			errs = append(errs, fmt.Errorf("line %d (%s, %s): currency %q has no known minor unit", i+1, l.Customer, l.PartNumber, l.Currency))
			continue
		}
		for _, m := range []struct {
			name string
			v    *billing.Money
		}{{"amount", &l.Amount}, {"cost", l.Cost}, {"margin", l.Margin}} {
			if m.v != nil && !m.v.Equal(m.v.Round(places)) {
				errs = append(errs, fmt.Errorf("line %d (%s, %s): %s %s is not rounded to %d decimals of %s", i+1, l.Customer, l.PartNumber, m.name, m.v.Decimal, places, l.Currency))
			}
		}
	}
	return errors.Join(errs...)
}

// customer is the line's customer as accounting knows it.
func (r Run) customer(l *billing.Line) Customer {
	c := r.Customers[l.TenantID]
	if c.Name == "" {
		c.Name = l.Customer
	}
	return c
}

// totals is the run's totals per customer and currency, summed from the lines
// exported (billing.Totals, the engine's own rule), so that the totals sheet and the
// invoice numbers always agree with the rows.
func (r Run) totals() []billing.Total { return billing.Totals(r.Lines) }

// sortedKeys lists a map's keys in order, for messages that name them.
func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
