package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strings"

	"slices"

	"github.com/seatledger/seatledger/internal/advice"
	"github.com/seatledger/seatledger/internal/app"
	"github.com/seatledger/seatledger/internal/store"
)

func (s *server) ListFindings(ctx context.Context, req ListFindingsRequestObject) (ListFindingsResponseObject, error) {
	n, err := limitOf(req.Params.Limit)
	if err != nil {
		return nil, err
	}
	after, err := decodeCursor("f", req.Params.Cursor)
	if err != nil {
		return nil, err
	}
	q := app.FindingsPageQuery{After: after, Limit: n + 1}
	if c := req.Params.Customer; c != nil {
		q.Customer = *c
	}
	if k := req.Params.Kind; k != nil {
		q.Kind = *k
	}
	if st := req.Params.Status; st != nil {
		q.State = string(*st)
	}
	if q.State != "" && !req.Params.Status.Valid() || q.Kind != "" && !validKind(q.Kind) {
		return nil, badRequest{errors.New("status or kind: not one the advice knows")}
	}
	lines, err := s.appFor(ctx).FindingsPage(ctx, q)
	if err != nil {
		return nil, err
	}
	p := findingsPage{Items: lines[:min(n, len(lines))]}
	if len(lines) > n {
		p.NextCursor = encodeCursor("f", lines[n-1].Fingerprint)
	}
	return p, nil
}

// findingsPage is the generated Page with its items typed: the busiest list is
// encoded in one pass instead of item by item through Body, whose MarshalJSON
// output encoding/json parses and compacts again.
type findingsPage struct {
	Items      []app.FindingLine `json:"items"`
	NextCursor *string           `json:"nextCursor"`
}

func (p findingsPage) VisitListFindingsResponse(w http.ResponseWriter) error {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(p); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, err := buf.WriteTo(w)
	return err
}

var fingerprint = regexp.MustCompile(`^[0-9a-f]{6,64}$`)

// setFinding is one person's decision on a finding; a reason is needed except to
// reopen.
func (s *server) setFinding(ctx context.Context, print, status string, r *Reason) (store.StoredFinding, error) {
	if !fingerprint.MatchString(print) {
		return store.StoredFinding{}, badRequest{errors.New("fingerprint: give at least 6 lowercase hexadecimal characters")}
	}
	reason := reasonOf(r)
	if status != store.StatusOpen && reason == "" {
		return store.StoredFinding{}, unprocessable{errors.New("reason: required to " + strings.TrimSuffix(status, "d") + " a finding")}
	}
	return s.appFor(ctx).SetFindingStatus(ctx, print, status, reason)
}

func reasonOf(r *Reason) string {
	if r == nil || r.Reason == nil {
		return ""
	}
	return strings.TrimSpace(*r.Reason)
}

func (s *server) AckFinding(ctx context.Context, req AckFindingRequestObject) (AckFindingResponseObject, error) {
	f, err := s.setFinding(ctx, req.Fingerprint, store.StatusAcknowledged, req.Body)
	if err != nil {
		return nil, err
	}
	return AckFinding200JSONResponse(body(f)), nil
}

func (s *server) SuppressFinding(ctx context.Context, req SuppressFindingRequestObject) (SuppressFindingResponseObject, error) {
	f, err := s.setFinding(ctx, req.Fingerprint, store.StatusSuppressed, req.Body)
	if err != nil {
		return nil, err
	}
	return SuppressFinding200JSONResponse(body(f)), nil
}

func (s *server) ReopenFinding(ctx context.Context, req ReopenFindingRequestObject) (ReopenFindingResponseObject, error) {
	f, err := s.setFinding(ctx, req.Fingerprint, store.StatusOpen, req.Body)
	if err != nil {
		return nil, err
	}
	return ReopenFinding200JSONResponse(body(f)), nil
}

func (s *server) ListExclusions(ctx context.Context, req ListExclusionsRequestObject) (ListExclusionsResponseObject, error) {
	list, err := s.appFor(ctx).Exclusions(ctx)
	if err != nil {
		return nil, err
	}
	p, err := slicePage(list, req.Params.Limit, req.Params.Cursor)
	return ListExclusions200JSONResponse{PageResponseJSONResponse(p)}, err
}

func (s *server) AddExclusion(ctx context.Context, req AddExclusionRequestObject) (AddExclusionResponseObject, error) {
	in := req.Body
	if in == nil || strings.TrimSpace(in.Reason) == "" {
		return nil, unprocessable{errors.New("reason: required to exclude")}
	}
	if deref(in.Customer) == "" && deref(in.Sku) == "" && deref(in.User) == "" {
		return nil, unprocessable{errors.New("an exclusion names a customer, a sku, a user or a combination")}
	}
	e, err := s.appFor(ctx).AddExclusion(ctx, deref(in.Customer), deref(in.Sku), deref(in.User), in.Reason)
	if err != nil {
		return nil, err
	}
	return AddExclusion201JSONResponse(body(e)), nil
}

func (s *server) RemoveExclusion(ctx context.Context, req RemoveExclusionRequestObject) (RemoveExclusionResponseObject, error) {
	if err := s.appFor(ctx).RemoveExclusion(ctx, req.Id); err != nil {
		return nil, err
	}
	return RemoveExclusion204Response{}, nil
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func validKind(k string) bool { return slices.Contains(advice.Kinds, k) }
