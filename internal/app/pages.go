package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/seatledger/seatledger/internal/advice"
	"github.com/seatledger/seatledger/internal/customers"
	"github.com/seatledger/seatledger/internal/store"
)

// FindingStates are the states a findings page may be filtered by.
var FindingStates = []string{store.StatusOpen, store.StatusAcknowledged, store.StatusSuppressed, "resolved"}

// FindingsPageQuery asks for one page of findings in fingerprint order.
type FindingsPageQuery struct {
	// Customer is a tenant id, external reference or name; "" for every customer.
	Customer string
	Kind     string
	// State is one of FindingStates; "" is every unresolved finding.
	State string
	// After is the last fingerprint of the previous page.
	After string
	Limit int
}

// FindingsPage lists one page of findings, each with its customer's name and state,
// as Findings does, but in a stable order that pages by key instead of sorting the
// whole list by saving.
func (a *App) FindingsPage(ctx context.Context, q FindingsPageQuery) ([]FindingLine, error) {
	if q.Kind != "" && !slices.Contains(advice.Kinds, q.Kind) {
		return nil, fmt.Errorf("kind %q: not one of %s", q.Kind, strings.Join(advice.Kinds, ", "))
	}
	if q.State != "" && !slices.Contains(FindingStates, q.State) {
		return nil, fmt.Errorf("status %q: not one of %s", q.State, strings.Join(FindingStates, ", "))
	}
	list, err := a.Customers(ctx)
	if err != nil {
		return nil, err
	}
	f := store.FindingPageFilter{Kind: q.Kind, State: q.State, After: q.After, Limit: q.Limit}
	if q.Customer != "" {
		id, err := registry(list).Customer(q.Customer)
		if err != nil {
			return nil, err
		}
		f.TenantIDs = []string{id}
	}
	stored, err := a.Store.FindingsPage(ctx, f)
	if err != nil {
		return nil, err
	}
	names := make(map[string]string, len(list))
	for _, c := range list {
		names[c.TenantID] = c.Name
	}
	out := make([]FindingLine, len(stored))
	// Exclusions matter only to resolved findings, which most pages lack: read them
	// (and the catalogue they need) only for a page that has one.
	var excludedBy func(advice.Finding) bool
	for i, s := range stored {
		out[i] = FindingLine{Customer: names[s.TenantID], StoredFinding: s, State: s.State()}
		if s.State() != "resolved" {
			continue
		}
		if excludedBy == nil {
			if excludedBy, err = a.excludedFinding(ctx); err != nil {
				return nil, err
			}
		}
		if excludedBy(s.Finding) {
			out[i].State = StateExcluded
		}
	}
	return out, nil
}

// lookupError keeps a registry lookup's message as people read it while letting
// callers (the API) tell a missing customer from an ambiguous one.
type lookupError struct {
	msg  string
	kind error
}

func (e lookupError) Error() string        { return e.msg }
func (e lookupError) Is(target error) bool { return target == e.kind }

// Customer finds one registered customer by tenant id, external reference or name.
func (a *App) Customer(ctx context.Context, key string) (customers.Customer, error) {
	list, err := a.Customers(ctx)
	if err != nil {
		return customers.Customer{}, err
	}
	id, err := registry(list).Customer(key)
	if err != nil {
		return customers.Customer{}, err
	}
	for _, c := range list {
		if c.TenantID == id {
			return c, nil
		}
	}
	return customers.Customer{}, fmt.Errorf("customer %s: %w", key, store.ErrNotFound)
}

// SyncRuns lists up to limit sync runs older than the run before (0: the newest),
// newest first.
func (a *App) SyncRuns(ctx context.Context, before int64, limit int) ([]store.SyncRun, error) {
	return a.Store.SyncRunsPage(ctx, before, limit)
}

// TenantRuns lists each tenant's outcome in a sync run.
func (a *App) TenantRuns(ctx context.Context, runID int64) ([]store.TenantRun, error) {
	if _, err := a.Store.SyncRun(ctx, runID); err != nil {
		return nil, err
	}
	return a.Store.TenantRuns(ctx, runID)
}

// ErrInvalid marks a request a use case refuses as given (a missing reason, an
// unknown SKU in a form), as opposed to a failure while acting on it.
var ErrInvalid = errors.New("invalid")

type invalidError struct{ error }

func (e invalidError) Unwrap() error        { return e.error }
func (e invalidError) Is(target error) bool { return target == ErrInvalid }

// invalid marks err as ErrInvalid, keeping its message and what it wraps.
func invalid(err error) error { return invalidError{err} }
