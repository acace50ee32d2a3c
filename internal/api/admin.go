package api

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/seatledger/seatledger/internal/store"
)

func (s *server) ListSyncRuns(ctx context.Context, req ListSyncRunsRequestObject) (ListSyncRunsResponseObject, error) {
	n, err := limitOf(req.Params.Limit)
	if err != nil {
		return nil, err
	}
	before, err := decodeIDCursor("s", req.Params.Cursor)
	if err != nil {
		return nil, err
	}
	runs, err := s.appFor(ctx).SyncRuns(ctx, before, n+1)
	if err != nil {
		return nil, err
	}
	p := Page{Items: anys(runs[:min(n, len(runs))])}
	if len(runs) > n {
		p.NextCursor = encodeCursor("s", strconv.FormatInt(runs[n-1].ID, 10))
	}
	return ListSyncRuns200JSONResponse{PageResponseJSONResponse(p)}, nil
}

func (s *server) ListSyncTenantRuns(ctx context.Context, req ListSyncTenantRunsRequestObject) (ListSyncTenantRunsResponseObject, error) {
	runs, err := s.appFor(ctx).TenantRuns(ctx, req.Id)
	if err != nil {
		return nil, err
	}
	p, err := slicePage(runs, req.Params.Limit, req.Params.Cursor)
	return ListSyncTenantRuns200JSONResponse{PageResponseJSONResponse(p)}, err
}

func (s *server) ListAudit(ctx context.Context, req ListAuditRequestObject) (ListAuditResponseObject, error) {
	n, err := limitOf(req.Params.Limit)
	if err != nil {
		return nil, err
	}
	before, err := decodeIDCursor("a", req.Params.Cursor)
	if err != nil {
		return nil, err
	}
	entries, err := s.appFor(ctx).AuditLog(ctx, before, n+1)
	if err != nil {
		return nil, err
	}
	p := Page{Items: anys(entries[:min(n, len(entries))])}
	if len(entries) > n {
		p.NextCursor = encodeCursor("a", strconv.FormatInt(entries[n-1].ID, 10))
	}
	return ListAudit200JSONResponse{PageResponseJSONResponse(p)}, nil
}

func (s *server) ListTokens(ctx context.Context, req ListTokensRequestObject) (ListTokensResponseObject, error) {
	list, err := s.appFor(ctx).Tokens(ctx)
	if err != nil {
		return nil, err
	}
	p, err := slicePage(list, req.Params.Limit, req.Params.Cursor)
	return ListTokens200JSONResponse{PageResponseJSONResponse(p)}, err
}

// createdToken is the one answer that carries a token.
type createdToken struct {
	store.APIToken
	Token string `json:"token"`
}

func (s *server) CreateToken(ctx context.Context, req CreateTokenRequestObject) (CreateTokenResponseObject, error) {
	if req.Body == nil || !req.Body.Role.Valid() {
		return nil, unprocessable{errors.New("role: give viewer, consultant, finance or admin")}
	}
	if name := req.Body.Name; strings.TrimSpace(name) == "" || strings.ContainsAny(name, " \t\r\n") {
		return nil, unprocessable{errors.New("name: required, without spaces")}
	}
	t, token, err := s.appFor(ctx).CreateToken(ctx, req.Body.Name, string(req.Body.Role))
	if err != nil {
		return nil, err
	}
	return CreateToken201JSONResponse(body(createdToken{t, token})), nil
}

func (s *server) RevokeToken(ctx context.Context, req RevokeTokenRequestObject) (RevokeTokenResponseObject, error) {
	t, err := s.appFor(ctx).RevokeToken(ctx, req.Token)
	if err != nil {
		return nil, err
	}
	return RevokeToken200JSONResponse(body(t)), nil
}
