package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/seatledger/seatledger/internal/customers"
	"github.com/seatledger/seatledger/internal/inventory"
)

// DiscoveryCounts says what a discovery did, naming the customers.
type DiscoveryCounts struct {
	// Discovered are tenants registered for the first time; Ended are customers
	// Partner Center no longer lists; Relisted are ended ones it lists again.
	Discovered []string `json:"discovered"`
	Ended      []string `json:"ended"`
	Relisted   []string `json:"relisted"`
	Listed     int      `json:"listed"`
}

// Changed tells whether the discovery wrote anything.
func (d DiscoveryCounts) Changed() bool { return len(d.Discovered)+len(d.Ended)+len(d.Relisted) > 0 }

// DiscoverCustomers registers, in one transaction, every customer Partner Center
// lists that the registry lacks, as discovered (its name and domain from Partner
// Center, the rest left for finance); marks ended the registered customers it no
// longer lists, and active (or discovered, when still incomplete) again those it
// lists anew. Nothing is deleted. An empty list ends nobody: Partner Center answering
// no customers at all is taken for a fault, not for every relationship ending.
func (s *Store) DiscoverCustomers(ctx context.Context, listed []inventory.PartnerCustomer, actor string) (DiscoveryCounts, error) {
	d := DiscoveryCounts{Listed: len(listed)}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		existing, err := loadCustomers(tx)
		if err != nil {
			return err
		}
		known := make(map[string]customers.Customer, len(existing))
		taken := map[string]bool{}
		for _, c := range existing {
			known[c.TenantID] = c
			taken[strings.ToLower(c.Name)], taken[strings.ToLower(c.ExternalRef)] = true, true
		}
		inList := map[string]bool{}
		now := s.nowUTC()
		for _, p := range listed {
			inList[p.TenantID] = true
			c, found := known[p.TenantID]
			switch {
			case !found:
				name := uniqueName(p, taken)
				taken[strings.ToLower(name)] = true
				row := customerRow{TenantID: p.TenantID, Name: name, PrimaryDomain: p.Domain, Segment: customers.DefaultSegment, Status: customers.StatusDiscovered,
					Source: "partner center", CreatedAt: now, UpdatedAt: now}
				if err := tx.Create(&row).Error; err != nil {
					return fmt.Errorf("register discovered customer %s: %w", p.TenantID, err)
				}
				known[p.TenantID] = customers.Customer{TenantID: p.TenantID}
				d.Discovered = append(d.Discovered, name)
			case c.Status == customers.StatusEnded:
				status := customers.StatusActive
				if !c.Complete() {
					status = customers.StatusDiscovered
				}
				if err := setStatus(tx, c.ID, status, now); err != nil {
					return err
				}
				d.Relisted = append(d.Relisted, c.Name)
			}
		}
		if len(listed) > 0 {
			for _, c := range existing {
				if !inList[c.TenantID] && c.Status != customers.StatusEnded {
					if err := setStatus(tx, c.ID, customers.StatusEnded, now); err != nil {
						return err
					}
					d.Ended = append(d.Ended, c.Name)
				}
			}
		}
		if !d.Changed() {
			return nil
		}
		return s.audit(tx, actor, "customers.discover", "partner center",
			fmt.Sprintf("%d listed: %d discovered, %d ended, %d listed again", len(listed), len(d.Discovered), len(d.Ended), len(d.Relisted)))
	})
	if err != nil {
		return DiscoveryCounts{}, fmt.Errorf("discover customers: %w", err)
	}
	return d, nil
}

func setStatus(tx *gorm.DB, id int64, status string, now time.Time) error {
	if err := tx.Model(&customerRow{}).Where("id = ?", id).Updates(map[string]any{"status": status, "updated_at": now}).Error; err != nil {
		return fmt.Errorf("mark customer %d %s: %w", id, status, err)
	}
	return nil
}

// uniqueName is Partner Center's company name for a discovered customer, made
// distinct from every registered name and reference (sync, advice and contract files
// name customers by either): its domain, then its tenant id, are added when needed.
func uniqueName(p inventory.PartnerCustomer, taken map[string]bool) string {
	name := p.CompanyName
	if name == "" {
		name = p.Domain
	}
	for _, candidate := range []string{name, name + " (" + p.Domain + ")", name + " (" + p.TenantID + ")"} {
		if candidate != "" && !taken[strings.ToLower(candidate)] {
			return candidate
		}
	}
	return p.TenantID
}
