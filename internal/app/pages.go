package app

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/seatledger/seatledger/internal/advice"
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
	excludedBy, err := a.excludedFinding(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]FindingLine, len(stored))
	for i, s := range stored {
		out[i] = FindingLine{Customer: names[s.TenantID], StoredFinding: s, State: s.State()}
		if s.State() == "resolved" && excludedBy(s.Finding) {
			out[i].State = StateExcluded
		}
	}
	return out, nil
}
