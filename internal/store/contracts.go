package store

import (
	"cmp"
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"github.com/seatledger/seatledger/internal/contracts"
	"github.com/seatledger/seatledger/internal/inventory"
)

type contractLineRow struct {
	ID            int64
	TenantID      string
	Reference     string
	SKUID         string `gorm:"column:sku_id"`
	PartNumber    string
	Term          string
	BillingPlan   string
	Quantity      *int
	UnitPrice     decimal.NullDecimal
	MarkupPercent decimal.NullDecimal
	AsPurchased   bool
	ERP           bool `gorm:"column:erp"`
	// DiscountPercent is the discount off the ERP price of an ERP-priced line.
	DiscountPercent decimal.NullDecimal
	Timing          string
	BillingPolicy   string
	BillingDay      int
	StartDate       time.Time
	EndDate         *time.Time
	NoticeDays      int
	SourceLine      int
	ImportedAt      time.Time
}

func (contractLineRow) TableName() string { return "contract_lines" }

func nullDecimal(d *decimal.Decimal) decimal.NullDecimal {
	if d == nil {
		return decimal.NullDecimal{}
	}
	return decimal.NullDecimal{Decimal: *d, Valid: true}
}

func fromNullDecimal(d decimal.NullDecimal) *decimal.Decimal {
	if !d.Valid {
		return nil
	}
	v := d.Decimal
	return &v
}

func (r contractLineRow) line() contracts.Line {
	return contracts.Line{TenantID: r.TenantID, Reference: r.Reference, SKUID: r.SKUID, PartNumber: r.PartNumber, Term: r.Term,
		BillingPlan: r.BillingPlan, Quantity: r.Quantity, AsPurchased: r.AsPurchased, UnitPrice: fromNullDecimal(r.UnitPrice),
		MarkupPercent: fromNullDecimal(r.MarkupPercent), ERP: r.ERP, DiscountPercent: fromNullDecimal(r.DiscountPercent), Timing: r.Timing,
		Policy: r.BillingPolicy, BillingDay: r.BillingDay, Start: r.StartDate.UTC(), End: inventory.UTC(r.EndDate), NoticeDays: r.NoticeDays, SourceLine: r.SourceLine}
}

// ContractCounts says what a contracts import did, per customer.
type ContractCounts struct {
	Customers          int `json:"customers"`
	CustomersChanged   int `json:"customersChanged"`
	Lines              int `json:"lines"`
	LinesBefore        int `json:"linesBefore"`
	CustomersUnchanged int `json:"customersUnchanged"`
	// Changes lists, per customer whose contract changed, the lines the import removed
	// and added, so that a replaced contract can be checked line by line.
	Changes []ContractChange `json:"changes"`
}

// ContractChange is what an import did to one customer's contract. A line changed in
// any field shows as removed in its old form and added in its new one.
type ContractChange struct {
	TenantID string           `json:"tenantId"`
	Removed  []contracts.Line `json:"removed"`
	Added    []contracts.Line `json:"added"`
}

// diffLines pairs equal lines of the old and new contract off, in order, and returns
// the rest.
func diffLines(old, new []contracts.Line) (removed, added []contracts.Line) {
	used := make([]bool, len(new))
	for _, o := range old {
		matched := false
		for j, n := range new {
			if !used[j] && o.SameAs(n) {
				used[j], matched = true, true
				break
			}
		}
		if !matched {
			removed = append(removed, o)
		}
	}
	for j, n := range new {
		if !used[j] {
			added = append(added, n)
		}
	}
	return removed, added
}

// ReplaceContracts makes the given lines the whole contract of every customer they
// name, in one transaction; customers the file does not name keep theirs. A customer
// whose lines are unchanged is not rewritten. Changes go to the audit log.
func (s *Store) ReplaceContracts(ctx context.Context, lines []contracts.Line, actor, source string) (ContractCounts, error) {
	byTenant := map[string][]contracts.Line{}
	var order []string
	for _, l := range lines {
		if _, ok := byTenant[l.TenantID]; !ok {
			order = append(order, l.TenantID)
		}
		byTenant[l.TenantID] = append(byTenant[l.TenantID], l)
	}
	counts := ContractCounts{Customers: len(order), Lines: len(lines), Changes: []ContractChange{}}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := s.nowUTC()
		for _, tenant := range order {
			old, err := loadContract(tx, tenant)
			if err != nil {
				return err
			}
			counts.LinesBefore += len(old)
			if sameLines(old, byTenant[tenant]) {
				counts.CustomersUnchanged++
				continue
			}
			counts.CustomersChanged++
			removed, added := diffLines(old, byTenant[tenant])
			counts.Changes = append(counts.Changes, ContractChange{TenantID: tenant, Removed: removed, Added: added})
			if err := tx.Where("tenant_id = ?", tenant).Delete(&contractLineRow{}).Error; err != nil {
				return fmt.Errorf("replace contract of %s: %w", tenant, err)
			}
			rows := make([]contractLineRow, len(byTenant[tenant]))
			for i, l := range byTenant[tenant] {
				rows[i] = contractLineRow{TenantID: l.TenantID, Reference: l.Reference, SKUID: l.SKUID, PartNumber: l.PartNumber, Term: l.Term,
					BillingPlan: l.BillingPlan, Quantity: l.Quantity, AsPurchased: l.AsPurchased, UnitPrice: nullDecimal(l.UnitPrice),
					MarkupPercent: nullDecimal(l.MarkupPercent), ERP: l.ERP, DiscountPercent: nullDecimal(l.DiscountPercent), Timing: cmp.Or(l.Timing, contracts.TimingAdvance),
					BillingPolicy: l.Policy, BillingDay: l.BillingDay, StartDate: l.Start, EndDate: l.End, NoticeDays: l.NoticeDays, SourceLine: l.SourceLine, ImportedAt: now}
			}
			if err := tx.Create(&rows).Error; err != nil {
				return fmt.Errorf("write contract of %s: %w", tenant, err)
			}
			if err := s.audit(tx, actor, "contracts.import", tenant, fmt.Sprintf("%d lines replaced %d, from %s", len(rows), len(old), source)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return ContractCounts{}, fmt.Errorf("import contracts: %w", err)
	}
	return counts, nil
}

func sameLines(a, b []contracts.Line) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].SameAs(b[i]) {
			return false
		}
	}
	return true
}

func loadContract(db *gorm.DB, tenantID string) ([]contracts.Line, error) {
	var rows []contractLineRow
	q := db.Order("tenant_id, id")
	if tenantID != "" {
		q = q.Where("tenant_id = ?", tenantID)
	}
	if err := q.Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("read contract lines: %w", err)
	}
	out := make([]contracts.Line, len(rows))
	for i, r := range rows {
		out[i] = r.line()
	}
	return out, nil
}

// ContractLines lists a customer's contract lines in file order, or every customer's
// when tenantID is empty.
func (s *Store) ContractLines(ctx context.Context, tenantID string) ([]contracts.Line, error) {
	return loadContract(s.db.WithContext(ctx), tenantID)
}
