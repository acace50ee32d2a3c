package app

import (
	"context"

	"github.com/seatledger/seatledger/internal/store"
)

// CreateToken makes an API token with a role in the actor's name; the token is
// returned once and only its hash is kept.
func (a *App) CreateToken(ctx context.Context, name, role string) (store.APIToken, string, error) {
	return a.Store.CreateToken(ctx, name, role, a.Actor)
}

// Tokens lists the API tokens, without their secrets.
func (a *App) Tokens(ctx context.Context) ([]store.APIToken, error) { return a.Store.Tokens(ctx) }

// RevokeToken ends a token named by its name or id.
func (a *App) RevokeToken(ctx context.Context, nameOrID string) (store.APIToken, error) {
	return a.Store.RevokeToken(ctx, nameOrID, a.Actor)
}

// Authenticate finds the unrevoked token a request presents.
func (a *App) Authenticate(ctx context.Context, token string) (store.APIToken, error) {
	return a.Store.TokenByHash(ctx, store.HashToken(token))
}

// AuditLog lists up to limit audit entries older than the entry before (0: the
// newest), newest first.
func (a *App) AuditLog(ctx context.Context, before int64, limit int) ([]store.AuditEntry, error) {
	return a.Store.AuditPage(ctx, before, limit)
}

// RecordAction writes an audit entry in the actor's name for an action whose
// effect lies outside the database, such as a job queued.
func (a *App) RecordAction(ctx context.Context, action, subject, detail string) error {
	return a.Store.RecordAudit(ctx, a.Actor, action, subject, detail)
}
