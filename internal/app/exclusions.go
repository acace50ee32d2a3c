package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/seatledger/seatledger/internal/advice"
)

// AddedExclusion is a new exclusion with what its author should know about it.
type AddedExclusion struct {
	advice.Exclusion
	// Warnings say why the exclusion may keep nothing away, such as a user name that
	// no synced tenant has (a typo, or a user not synced yet).
	Warnings []string `json:"warnings,omitempty"`
}

// AddExclusion keeps findings away from a customer, a SKU, a user or a combination.
// A user that no synced tenant (of the customer, when one is named) has is still
// excluded, for users yet to come, but with a warning.
func (a *App) AddExclusion(ctx context.Context, customer, sku, upn, reason string) (AddedExclusion, error) {
	if strings.TrimSpace(reason) == "" {
		return AddedExclusion{}, invalid(errors.New("an exclusion needs a reason (--reason)"))
	}
	if customer == "" && sku == "" && upn == "" {
		return AddedExclusion{}, invalid(errors.New("an exclusion needs --customer, --sku or --user"))
	}
	res, err := a.newResolver(ctx)
	if err != nil {
		return AddedExclusion{}, err
	}
	e := advice.Exclusion{UPN: strings.TrimSpace(upn), Reason: strings.TrimSpace(reason)}
	if customer != "" {
		if e.TenantID, err = res.Customer(customer); err != nil {
			return AddedExclusion{}, invalid(err)
		}
	}
	if sku != "" {
		if e.SKUID, _, err = res.SKU(sku); err != nil {
			return AddedExclusion{}, invalid(err)
		}
	}
	var warnings []string
	if e.UPN != "" {
		tenants, err := a.Store.UserTenants(ctx, e.UPN)
		if err != nil {
			return AddedExclusion{}, err
		}
		switch {
		case e.TenantID != "" && !slices.Contains(tenants, e.TenantID):
			warnings = append(warnings, fmt.Sprintf("%s has no user %s in its last sync: check the name; the exclusion is added and applies if the user appears", res.customerName(e.TenantID), e.UPN))
		case len(tenants) == 0:
			warnings = append(warnings, fmt.Sprintf("no synced tenant has a user %s: check the name; the exclusion is added and applies if the user appears", e.UPN))
		}
	}
	added, err := a.Store.AddExclusion(ctx, e, a.Actor)
	if err != nil {
		return AddedExclusion{}, err
	}
	return AddedExclusion{Exclusion: added, Warnings: warnings}, nil
}

// ExclusionLine is an exclusion with the name of the customer it concerns.
type ExclusionLine struct {
	advice.Exclusion
	Customer string `json:"customer,omitempty"`
}

// Exclusions lists the exclusions in force.
func (a *App) Exclusions(ctx context.Context) ([]ExclusionLine, error) {
	list, err := a.Store.Exclusions(ctx)
	if err != nil {
		return nil, err
	}
	reg, err := a.Customers(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]ExclusionLine, len(list))
	for i, e := range list {
		out[i] = ExclusionLine{Exclusion: e}
		if e.TenantID != "" {
			out[i].Customer = registry(reg).customerName(e.TenantID)
		}
	}
	return out, nil
}

// RemoveExclusion lifts an exclusion; the next advise brings its findings back.
func (a *App) RemoveExclusion(ctx context.Context, id int64) error {
	return a.Store.RemoveExclusion(ctx, id, a.Actor)
}

// customerName is the name of a registered customer, or its tenant id when it is no
// longer registered.
func (r registry) customerName(tenantID string) string {
	for _, c := range r {
		if c.TenantID == tenantID {
			return c.Name
		}
	}
	return tenantID
}
