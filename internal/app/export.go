package app

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/seatledger/seatledger/internal/billing"
	"github.com/seatledger/seatledger/internal/customers"
	"github.com/seatledger/seatledger/internal/export"
	"github.com/seatledger/seatledger/internal/store"
)

// ExportJSON is the export format that writes the stored run as one JSON object;
// export.CSV and export.XLSX are the others.
const ExportJSON export.Format = "json"

// Export is a stored run ready to be written in one format.
type Export struct {
	Run     export.Run
	Format  export.Format
	Profile export.Profile
	// doc is the run for the JSON format, less its customers.
	doc ExportDocument
}

// ExportDocument is the JSON export: the stored run with its lines (ids and
// provenance) and totals per customer and currency. Status is "DRAFT" for a run
// not yet approved, so that nobody loads it as final.
type ExportDocument struct {
	Period     string              `json:"period"`
	Status     string              `json:"status"`
	RunID      int64               `json:"runId"`
	CreatedAt  time.Time           `json:"createdAt"`
	CreatedBy  string              `json:"createdBy"`
	ApprovedAt *time.Time          `json:"approvedAt,omitempty"`
	ApprovedBy string              `json:"approvedBy,omitempty"`
	Customers  []ExportCustomer    `json:"customers"`
	Lines      []billing.Line      `json:"lines"`
	Totals     []billing.Total     `json:"totals"`
	NotBilled  []billing.NotBilled `json:"notBilled"`
}

// ExportCustomer is a customer of the run as accounting knows it.
type ExportCustomer struct {
	TenantID    string `json:"tenantId"`
	Name        string `json:"name"`
	ExternalRef string `json:"externalRef,omitempty"`
	Email       string `json:"email,omitempty"`
}

// ParseExportFormat reads --format: csv, xlsx or json.
func ParseExportFormat(s string) (export.Format, error) {
	if strings.EqualFold(strings.TrimSpace(s), string(ExportJSON)) {
		return ExportJSON, nil
	}
	f, err := export.ParseFormat(s)
	if err != nil {
		return "", fmt.Errorf("--format: %q is not one of csv, xlsx, json", s)
	}
	return f, nil
}

// ExportProfile finds a CSV profile by name among the built-in and the configured
// ones ("" is the default profile).
func (a *App) ExportProfile(name string) (export.Profile, error) {
	if name == "" {
		name = "default"
	}
	var configured []export.Profile
	if a.Config != nil {
		configured = a.Config.Export.Profiles
	}
	return export.Lookup(name, configured)
}

// PrepareExport reads period p's stored run, with the customers' names, external
// refs and invoice addresses from the registry and the SKUs' names from the
// catalogue, for writing in format with the named CSV profile ("" for the default;
// only CSV takes a profile). A period without a run is an error that says how to
// make one.
func (a *App) PrepareExport(ctx context.Context, p billing.Period, format export.Format, profile string) (Export, error) {
	e := Export{Format: format}
	if profile != "" && format != export.CSV {
		return Export{}, fmt.Errorf("--profile shapes CSV exports only; %s has one layout", format)
	}
	if format == export.CSV {
		var err error
		if e.Profile, err = a.ExportProfile(profile); err != nil {
			return Export{}, err
		}
	}
	res, err := a.StoredBill(ctx, p)
	if errors.Is(err, store.ErrNotFound) {
		return Export{}, fmt.Errorf("export of %s: no billing run of %s: run `seatledger bill --period %s` first", p, p, p)
	}
	if err != nil {
		return Export{}, fmt.Errorf("export of %s: %w", p, err)
	}
	e.Run = export.Run{
		Run:    billing.Run{Period: p, Lines: res.Lines, NotBilled: res.Run.NotBilled, Totals: res.Run.Totals},
		Status: res.Run.Status, RunID: strconv.FormatInt(res.Run.ID, 10), LineIDs: make([]string, len(res.Lines)),
		Customers: map[string]export.Customer{}, SKUNames: map[string]string{},
	}
	for i, l := range res.Lines {
		e.Run.LineIDs[i] = strconv.FormatInt(l.ID, 10)
	}
	registry, err := a.Customers(ctx)
	if err != nil {
		return Export{}, fmt.Errorf("export of %s: %w", p, err)
	}
	for _, c := range registry {
		// The registry's first contact with an address receives the invoices.
		email := ""
		if i := slices.IndexFunc(c.Contacts, func(ct customers.Contact) bool { return ct.Email != "" }); i >= 0 {
			email = c.Contacts[i].Email
		}
		e.Run.Customers[c.TenantID] = export.Customer{Name: c.Name, ExternalRef: c.ExternalRef, Email: email}
	}
	cat, _, err := a.Catalog(ctx)
	if err != nil {
		return Export{}, fmt.Errorf("export of %s: %w", p, err)
	}
	for _, l := range res.Lines {
		if sku, ok := cat.ByID(l.SKUID); ok && sku.DisplayName != "" {
			e.Run.SKUNames[l.SKUID] = sku.DisplayName
		}
	}
	e.doc = ExportDocument{Period: p.String(), Status: res.Run.Status, RunID: res.Run.ID, CreatedAt: res.Run.CreatedAt, CreatedBy: res.Run.CreatedBy,
		ApprovedAt: res.Run.ApprovedAt, ApprovedBy: res.Run.ApprovedBy, Lines: res.Lines, Totals: res.Run.Totals, NotBilled: res.Run.NotBilled}
	return e, nil
}

// FileName is the export's file name: billing-2026-11.csv, billing-2026-11-DRAFT.json
// for a run not yet approved.
func (e Export) FileName() string { return export.FileName(e.Run, e.Format) }

// Write writes the export to w.
func (e Export) Write(w io.Writer) error {
	if e.Format != ExportJSON {
		return export.Write(w, e.Run, e.Format, e.Profile)
	}
	doc := e.doc
	if e.Run.Draft() {
		doc.Status = "DRAFT"
	}
	doc.Customers = []ExportCustomer{}
	seen := map[string]bool{}
	for _, l := range doc.Lines {
		if seen[l.TenantID] {
			continue
		}
		seen[l.TenantID] = true
		c := e.Run.Customers[l.TenantID]
		doc.Customers = append(doc.Customers, ExportCustomer{TenantID: l.TenantID, Name: cmp.Or(c.Name, l.Customer), ExternalRef: c.ExternalRef, Email: c.Email})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("JSON export of billing run %s: %w", doc.Period, err)
	}
	return nil
}
