package api

import (
	"bytes"
	"context"
	"fmt"
	"mime"
	"net/http"
	"strconv"

	"github.com/seatledger/seatledger/internal/app"
	"github.com/seatledger/seatledger/internal/billing"
	"github.com/seatledger/seatledger/internal/export"
)

func periodOf(s string) (billing.Period, error) {
	p, err := billing.ParsePeriod(s)
	if err != nil {
		return p, badRequest{fmt.Errorf("period %q: %w (for example 2026-11)", s, err)}
	}
	return p, nil
}

func (s *server) ListBillRuns(ctx context.Context, req ListBillRunsRequestObject) (ListBillRunsResponseObject, error) {
	runs, err := s.appFor(ctx).BillRuns(ctx)
	if err != nil {
		return nil, err
	}
	p, err := slicePage(runs, req.Params.Limit, req.Params.Cursor)
	return ListBillRuns200JSONResponse{PageResponseJSONResponse(p)}, err
}

// billRunView is a stored run without its lines, which page separately.
type billRunView struct {
	app.BillResult
	Lines int `json:"lines"`
}

func (s *server) GetBillRun(ctx context.Context, req GetBillRunRequestObject) (GetBillRunResponseObject, error) {
	p, err := periodOf(req.Period)
	if err != nil {
		return nil, err
	}
	res, err := s.appFor(ctx).StoredBill(ctx, p)
	if err != nil {
		return nil, err
	}
	v := billRunView{BillResult: res, Lines: len(res.Lines)}
	v.BillResult.Lines = nil
	return GetBillRun200JSONResponse(body(v)), nil
}

func (s *server) ListBillLines(ctx context.Context, req ListBillLinesRequestObject) (ListBillLinesResponseObject, error) {
	p, err := periodOf(req.Period)
	if err != nil {
		return nil, err
	}
	res, err := s.appFor(ctx).StoredBill(ctx, p)
	if err != nil {
		return nil, err
	}
	page, err := slicePage(res.Lines, req.Params.Limit, req.Params.Cursor)
	return ListBillLines200JSONResponse{PageResponseJSONResponse(page)}, err
}

func (s *server) DiffBillRun(ctx context.Context, req DiffBillRunRequestObject) (DiffBillRunResponseObject, error) {
	p, err := periodOf(req.Period)
	if err != nil {
		return nil, err
	}
	d, err := s.appFor(ctx).DiffBill(ctx, p)
	if err != nil {
		return nil, err
	}
	return DiffBillRun200JSONResponse(body(d)), nil
}

func (s *server) ApproveBillRun(ctx context.Context, req ApproveBillRunRequestObject) (ApproveBillRunResponseObject, error) {
	p, err := periodOf(req.Period)
	if err != nil {
		return nil, err
	}
	run, err := s.appFor(ctx).ApproveBill(ctx, p)
	if err != nil {
		return nil, err
	}
	return ApproveBillRun200JSONResponse(body(run)), nil
}

// contentTypes of the export formats.
var contentTypes = map[export.Format]string{
	export.CSV:     "text/csv; charset=utf-8",
	export.XLSX:    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	app.ExportJSON: "application/json",
}

func (s *server) ExportBillRun(ctx context.Context, req ExportBillRunRequestObject) (ExportBillRunResponseObject, error) {
	p, err := periodOf(req.Period)
	if err != nil {
		return nil, err
	}
	format := "csv"
	if req.Params.Format != nil {
		format = string(*req.Params.Format)
	}
	f, err := app.ParseExportFormat(format)
	if err != nil {
		return nil, badRequest{err}
	}
	a := s.appFor(ctx)
	if name := deref(req.Params.Profile); name != "" {
		if _, err := a.ExportProfile(name); err != nil {
			return nil, badRequest{err}
		}
	}
	e, err := a.PrepareExport(ctx, p, f, deref(req.Params.Profile))
	if err != nil {
		return nil, err
	}
	// Written whole before the status line, so a failure is a problem answer and
	// not a cut-off file.
	var buf bytes.Buffer
	if err := e.Write(&buf); err != nil {
		return nil, fmt.Errorf("export %s as %s: %w", p, f, err)
	}
	return exportFile{name: e.FileName(), contentType: contentTypes[f], data: buf.Bytes()}, nil
}

// exportFile answers an export as a download in its format's content type; the
// generated responses fix one content type per response type.
type exportFile struct {
	name, contentType string
	data              []byte
}

func (e exportFile) VisitExportBillRunResponse(w http.ResponseWriter) error {
	w.Header().Set("Content-Type", e.contentType)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": e.name}))
	w.Header().Set("Content-Length", strconv.Itoa(len(e.data)))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(e.data)
	return err
}
