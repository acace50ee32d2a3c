package store

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"github.com/seatledger/seatledger/internal/advice"
	"github.com/seatledger/seatledger/internal/inventory"
	"github.com/seatledger/seatledger/internal/money"
)

// Finding statuses a person sets; they survive re-runs.
const (
	StatusOpen         = "open"
	StatusAcknowledged = "acknowledged"
	StatusSuppressed   = "suppressed"
)

type findingRow struct {
	Fingerprint   string `gorm:"primaryKey"`
	TenantID      string
	Kind          string
	SKUs          string `gorm:"column:skus"`
	Subject       string
	Seats         int
	Evidence      string
	Action        string
	ActBy         *time.Time
	MonthlySaving decimal.NullDecimal
	Currency      string
	SavingNote    string
	UserID        string
	SavingFor     string
	Confidence    string
	// Missing holds what the finding lacks, one item per line.
	Missing      string
	Status       string
	StatusReason string
	StatusBy     string
	StatusAt     *time.Time
	FirstSeen    time.Time
	LastSeen     time.Time
	ResolvedAt   *time.Time
}

func (findingRow) TableName() string { return "findings" }

// StoredFinding is a finding with its lifecycle.
type StoredFinding struct {
	advice.Finding
	Status       string     `json:"status"`
	StatusReason string     `json:"statusReason,omitempty"`
	StatusBy     string     `json:"statusBy,omitempty"`
	StatusAt     *time.Time `json:"statusAt,omitempty"`
	FirstSeen    time.Time  `json:"firstSeen"`
	LastSeen     time.Time  `json:"lastSeen"`
	ResolvedAt   *time.Time `json:"resolvedAt,omitempty"`
}

// State is the status a person set, or "resolved" once the condition is gone.
func (f StoredFinding) State() string {
	if f.ResolvedAt != nil {
		return "resolved"
	}
	return f.Status
}

func (r findingRow) stored() StoredFinding {
	return StoredFinding{
		Finding: advice.Finding{Fingerprint: r.Fingerprint, TenantID: r.TenantID, Kind: r.Kind, SKUs: r.SKUs, Subject: r.Subject, Seats: r.Seats,
			Evidence: r.Evidence, Action: r.Action, ActBy: inventory.UTC(r.ActBy), MonthlySaving: amountOf(r.MonthlySaving), Currency: r.Currency, SavingNote: r.SavingNote,
			UserID: r.UserID, SavingFor: r.SavingFor, Confidence: r.Confidence, Missing: splitLines(r.Missing)},
		Status: r.Status, StatusReason: r.StatusReason, StatusBy: r.StatusBy, StatusAt: inventory.UTC(r.StatusAt),
		FirstSeen: r.FirstSeen.UTC(), LastSeen: r.LastSeen.UTC(), ResolvedAt: inventory.UTC(r.ResolvedAt),
	}
}

// FindingCounts says what one advice run changed for a tenant.
type FindingCounts struct {
	New       int `json:"new"`
	Seen      int `json:"seen"`
	Reopened  int `json:"reopened"`
	Resolved  int `json:"resolved"`
	Unchanged int `json:"-"`
}

// ApplyFindings records one advice run over a tenant: new findings are opened, known
// ones get their details and last_seen updated (keeping a person's status), findings
// whose condition is gone are resolved, and resolved ones that come back reopen.
// Findings of the kinds notAssessed (the data did not allow judging them) are left as
// they were.
func (s *Store) ApplyFindings(ctx context.Context, tenantID string, found []advice.Finding, notAssessed []string) (FindingCounts, error) {
	var counts FindingCounts
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var existing []findingRow
		if err := tx.Where("tenant_id = ?", tenantID).Find(&existing).Error; err != nil {
			return fmt.Errorf("read findings: %w", err)
		}
		byPrint := make(map[string]findingRow, len(existing))
		for _, r := range existing {
			byPrint[r.Fingerprint] = r
		}
		now := s.nowUTC()
		seen := map[string]bool{}
		var created []findingRow
		var touched []string
		for _, f := range found {
			seen[f.Fingerprint] = true
			r, known := byPrint[f.Fingerprint]
			if known && r.ResolvedAt == nil && sameDetails(r, f) {
				touched = append(touched, f.Fingerprint)
				counts.Seen++
				continue
			}
			r.Fingerprint, r.TenantID, r.Kind, r.SKUs, r.Subject, r.Seats = f.Fingerprint, f.TenantID, f.Kind, f.SKUs, f.Subject, f.Seats
			r.Evidence, r.Action, r.ActBy, r.MonthlySaving, r.Currency, r.SavingNote = f.Evidence, f.Action, f.ActBy, nullAmount(f.MonthlySaving), f.Currency, f.SavingNote
			r.UserID, r.SavingFor, r.Confidence, r.Missing = f.UserID, f.SavingFor, f.Confidence, strings.Join(f.Missing, "\n")
			r.LastSeen = now
			if !known {
				r.Status, r.FirstSeen = StatusOpen, now
				created = append(created, r)
				counts.New++
				continue
			}
			if r.ResolvedAt != nil {
				r.ResolvedAt = nil
				counts.Reopened++
			} else {
				counts.Seen++
			}
			if err := tx.Save(&r).Error; err != nil {
				return fmt.Errorf("update finding %s: %w", r.Fingerprint, err)
			}
		}
		if len(created) > 0 {
			if err := tx.CreateInBatches(&created, 500).Error; err != nil {
				return fmt.Errorf("write findings: %w", err)
			}
		}
		if err := inBatches(touched, func(batch []string) error {
			return tx.Model(&findingRow{}).Where("fingerprint IN ?", batch).Update("last_seen", now).Error
		}); err != nil {
			return fmt.Errorf("mark findings seen: %w", err)
		}
		var gone []string
		for _, r := range existing {
			if !seen[r.Fingerprint] && r.ResolvedAt == nil && !slices.Contains(notAssessed, r.Kind) {
				gone = append(gone, r.Fingerprint)
			}
		}
		if err := inBatches(gone, func(batch []string) error {
			return tx.Model(&findingRow{}).Where("fingerprint IN ?", batch).Update("resolved_at", now).Error
		}); err != nil {
			return fmt.Errorf("resolve findings: %w", err)
		}
		counts.Resolved = len(gone)
		return nil
	})
	if err != nil {
		return FindingCounts{}, fmt.Errorf("record findings of %s: %w", tenantID, err)
	}
	return counts, nil
}

// sameDetails tells whether a stored finding already says what the new run found.
func sameDetails(r findingRow, f advice.Finding) bool {
	saving := fromNullDecimal(r.MonthlySaving)
	return r.SKUs == f.SKUs && r.Subject == f.Subject && r.Seats == f.Seats && r.Evidence == f.Evidence && r.Action == f.Action &&
		sameTime(r.ActBy, f.ActBy) && (saving == nil) == (f.MonthlySaving == nil) && (saving == nil || saving.Equal(f.MonthlySaving.Decimal)) &&
		r.Currency == f.Currency && r.SavingNote == f.SavingNote && r.UserID == f.UserID && r.SavingFor == f.SavingFor &&
		r.Confidence == f.Confidence && r.Missing == strings.Join(f.Missing, "\n")
}

func amountOf(d decimal.NullDecimal) *money.Amount {
	if !d.Valid {
		return nil
	}
	return money.Of(d.Decimal)
}

func nullAmount(a *money.Amount) decimal.NullDecimal {
	if a == nil {
		return decimal.NullDecimal{}
	}
	return decimal.NullDecimal{Decimal: a.Decimal, Valid: true}
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// inBatches calls fn with slices of at most 500 keys, under every database's limit on
// bound parameters.
func inBatches(keys []string, fn func([]string) error) error {
	for start := 0; start < len(keys); start += 500 {
		if err := fn(keys[start:min(start+500, len(keys))]); err != nil {
			return err
		}
	}
	return nil
}

// FindingFilter narrows Findings; zero values match everything but resolved and
// suppressed findings, which are included only when asked for.
type FindingFilter struct {
	TenantIDs         []string
	Kind              string
	IncludeResolved   bool
	IncludeSuppressed bool
}

// Findings lists findings, largest known monthly saving first.
func (s *Store) Findings(ctx context.Context, f FindingFilter) ([]StoredFinding, error) {
	q := s.db.WithContext(ctx).Model(&findingRow{})
	if len(f.TenantIDs) > 0 {
		q = q.Where("tenant_id IN ?", f.TenantIDs)
	}
	if f.Kind != "" {
		q = q.Where("kind = ?", f.Kind)
	}
	if !f.IncludeResolved {
		q = q.Where("resolved_at IS NULL")
	}
	if !f.IncludeSuppressed {
		q = q.Where("status <> ?", StatusSuppressed)
	}
	var rows []findingRow
	if err := q.Order("tenant_id, kind, skus, subject").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("read findings: %w", err)
	}
	out := make([]StoredFinding, len(rows))
	for i, r := range rows {
		out[i] = r.stored()
	}
	return out, nil
}

// ErrAmbiguous is returned when a fingerprint prefix names several findings.
var ErrAmbiguous = errors.New("ambiguous")

// SetFindingStatus acknowledges, suppresses or reopens a finding named by its
// fingerprint or a unique prefix of it (at least 6 characters), and audits it.
func (s *Store) SetFindingStatus(ctx context.Context, fingerprint, status, reason, actor string) (StoredFinding, error) {
	fingerprint = strings.ToLower(strings.TrimSpace(fingerprint))
	// Only hex digits reach the LIKE below, so % and _ cannot widen the match.
	if !fingerprintPrefix.MatchString(fingerprint) {
		return StoredFinding{}, fmt.Errorf("finding %q: give at least %d hexadecimal characters of the fingerprint, as `findings list` shows them", fingerprint, minFingerprintPrefix)
	}
	var out StoredFinding
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var rows []findingRow
		if err := tx.Where("fingerprint LIKE ?", fingerprint+"%").Order("fingerprint").Limit(maxAmbiguousListed + 1).Find(&rows).Error; err != nil {
			return fmt.Errorf("read finding: %w", err)
		}
		switch len(rows) {
		case 0:
			return fmt.Errorf("finding %s: %w", fingerprint, ErrNotFound)
		case 1:
		default:
			return ambiguousFinding(fingerprint, rows)
		}
		r := rows[0]
		now := s.nowUTC()
		r.Status, r.StatusReason, r.StatusBy, r.StatusAt = status, reason, actor, &now
		if err := tx.Save(&r).Error; err != nil {
			return fmt.Errorf("update finding: %w", err)
		}
		out = r.stored()
		return s.audit(tx, actor, "finding."+status, r.Fingerprint, fmt.Sprintf("%s %s %s: %s", r.Kind, r.SKUs, r.Subject, reason))
	})
	return out, err
}

// minFingerprintPrefix is the shortest prefix accepted: with 6 hex digits, two of a
// few thousand findings share one only rarely, and then the matches are listed.
const minFingerprintPrefix = 6

var fingerprintPrefix = regexp.MustCompile(`^[0-9a-f]{6,64}$`)

// maxAmbiguousListed bounds the matches an ambiguous prefix lists.
const maxAmbiguousListed = 10

// ambiguousFinding lists the findings a prefix matches, so that the person can pick
// the longer prefix of the one meant: 8 characters, as lists show them, or more when
// the prefix already has 8.
func ambiguousFinding(prefix string, rows []findingRow) error {
	shown := 8
	if len(prefix) >= shown {
		shown = len(prefix) + 4
	}
	var b strings.Builder
	for i, r := range rows {
		if i == maxAmbiguousListed {
			b.WriteString("\n  ...")
			break
		}
		fmt.Fprintf(&b, "\n  %s %s %s %s", r.Fingerprint[:min(shown, len(r.Fingerprint))], r.Kind, r.SKUs, strings.TrimSpace(r.Subject))
	}
	return fmt.Errorf("finding %s: %w: several fingerprints start so; give more characters:%s", prefix, ErrAmbiguous, b.String())
}
