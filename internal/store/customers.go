package store

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/seatledger/seatledger/internal/customers"
)

type customerRow struct {
	ID            int64
	TenantID      string
	Name          string
	PrimaryDomain string
	Currency      string
	Locale        string
	Market        string
	Segment       string
	ExternalRef   string
	Source        string
	Status        string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

func (customerRow) TableName() string { return "customers" }

type contactRow struct {
	ID         int64
	CustomerID int64
	Position   int
	Name       string
	Email      string
	Locale     string
}

func (contactRow) TableName() string { return "customer_contacts" }

// ImportCounts says what an import did.
type ImportCounts struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

func (c ImportCounts) Changed() bool { return c.Created+c.Updated > 0 }

// ImportCustomers creates the customers the registry does not know yet and updates the
// ones (found by tenant id) whose details changed, in one transaction; customers not
// in the list are kept. When anything changed, the import is written to the audit log.
func (s *Store) ImportCustomers(ctx context.Context, list []customers.Customer, actor, source string) (ImportCounts, error) {
	var counts ImportCounts
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		existing, err := loadCustomers(tx)
		if err != nil {
			return err
		}
		byTenant := make(map[string]customers.Customer, len(existing))
		for _, c := range existing {
			byTenant[c.TenantID] = c
		}
		now := s.nowUTC()
		for _, c := range list {
			old, found := byTenant[c.TenantID]
			switch {
			case found && old.SameAs(c):
				counts.Unchanged++
				continue
			case found:
				counts.Updated++
				row := toCustomerRow(c)
				// An import completes a discovered customer; an ended one stays ended
				// until Partner Center lists it again.
				if old.Status == customers.StatusEnded {
					row.Status = customers.StatusEnded
				}
				row.ID, row.CreatedAt, row.UpdatedAt = old.ID, old.CreatedAt, now
				if err := tx.Save(&row).Error; err != nil {
					return fmt.Errorf("update customer %s: %w", c.TenantID, err)
				}
				if err := tx.Where("customer_id = ?", old.ID).Delete(&contactRow{}).Error; err != nil {
					return fmt.Errorf("replace contacts of %s: %w", c.TenantID, err)
				}
				if err := insertContacts(tx, row.ID, c.Contacts); err != nil {
					return err
				}
			default:
				counts.Created++
				row := toCustomerRow(c)
				row.CreatedAt, row.UpdatedAt = now, now
				if err := tx.Create(&row).Error; err != nil {
					return fmt.Errorf("create customer %s: %w", c.TenantID, err)
				}
				if err := insertContacts(tx, row.ID, c.Contacts); err != nil {
					return err
				}
			}
		}
		if !counts.Changed() {
			return nil
		}
		return s.audit(tx, actor, "customers.import", source,
			fmt.Sprintf("%d created, %d updated, %d unchanged", counts.Created, counts.Updated, counts.Unchanged))
	})
	if err != nil {
		return ImportCounts{}, fmt.Errorf("import customers: %w", err)
	}
	return counts, nil
}

func toCustomerRow(c customers.Customer) customerRow {
	return customerRow{
		TenantID: c.TenantID, Name: c.Name, PrimaryDomain: c.PrimaryDomain, Currency: c.Currency,
		Locale: c.Locale, Market: c.Market, Segment: cmp.Or(c.Segment, customers.DefaultSegment), ExternalRef: c.ExternalRef, Source: c.Source, Status: customers.StatusActive,
	}
}

func insertContacts(tx *gorm.DB, customerID int64, contacts []customers.Contact) error {
	if len(contacts) == 0 {
		return nil
	}
	rows := make([]contactRow, len(contacts))
	for i, c := range contacts {
		rows[i] = contactRow{CustomerID: customerID, Position: i, Name: c.Name, Email: c.Email, Locale: c.Locale}
	}
	if err := tx.Create(&rows).Error; err != nil {
		return fmt.Errorf("write contacts: %w", err)
	}
	return nil
}

// Customers lists the registry ordered by name.
func (s *Store) Customers(ctx context.Context) ([]customers.Customer, error) {
	list, err := loadCustomers(s.db.WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("list customers: %w", err)
	}
	return list, nil
}

func loadCustomers(db *gorm.DB) ([]customers.Customer, error) {
	var rows []customerRow
	if err := db.Order("name, tenant_id").Find(&rows).Error; err != nil {
		return nil, err
	}
	var contacts []contactRow
	if err := db.Order("customer_id, position").Find(&contacts).Error; err != nil {
		return nil, err
	}
	byCustomer := map[int64][]customers.Contact{}
	for _, c := range contacts {
		byCustomer[c.CustomerID] = append(byCustomer[c.CustomerID], customers.Contact{Name: c.Name, Email: c.Email, Locale: c.Locale})
	}
	out := make([]customers.Customer, len(rows))
	for i, r := range rows {
		contacts := byCustomer[r.ID]
		if contacts == nil {
			contacts = []customers.Contact{}
		}
		// PostgreSQL pads the CHAR columns of a discovered customer's empty currency
		// and market with blanks.
		out[i] = customers.Customer{
			ID: r.ID, TenantID: r.TenantID, Name: r.Name, PrimaryDomain: r.PrimaryDomain, Currency: strings.TrimSpace(r.Currency),
			Locale: r.Locale, Market: strings.TrimSpace(r.Market), Segment: cmp.Or(r.Segment, customers.DefaultSegment), ExternalRef: r.ExternalRef, Source: r.Source, Status: cmp.Or(r.Status, customers.StatusActive), Contacts: contacts,
			CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
		}
	}
	return out, nil
}
