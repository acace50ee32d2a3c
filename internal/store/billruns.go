package store

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/seatledger/seatledger/internal/billing"
)

// Statuses of a billing run.
const (
	RunDraft    = "draft"
	RunApproved = "approved"
)

type billRunRow struct {
	ID         int64
	Period     string
	Status     string
	CreatedAt  time.Time `gorm:"autoCreateTime:false"`
	CreatedBy  string
	ApprovedAt *time.Time
	ApprovedBy *string
	LineCount  int
	Totals     string
	NotBilled  string
}

func (billRunRow) TableName() string { return "bill_runs" }

type billLineRow struct {
	ID             int64
	RunID          int64
	Seq            int
	TenantID       string
	Kind           string
	SKUID          string `gorm:"column:sku_id"`
	SubscriptionID string
	Currency       string
	// Amount is decimal text in SQLite and NUMERIC in PostgreSQL; the line's JSON is
	// what is read back, the column serves queries.
	Amount         decimal.Decimal
	CorrectsLineID *int64
	Line           string
}

func (billLineRow) TableName() string { return "bill_lines" }

var billLineColumns = []string{"run_id", "seq", "tenant_id", "kind", "sku_id", "subscription_id", "currency", "amount", "corrects_line_id", "line"}

func (r billLineRow) values() []any {
	var corrects any
	if r.CorrectsLineID != nil {
		corrects = *r.CorrectsLineID
	}
	return []any{r.RunID, r.Seq, r.TenantID, r.Kind, r.SKUID, r.SubscriptionID, r.Currency, r.Amount, corrects, r.Line}
}

// BillRun is a stored billing run of one period, without its lines.
type BillRun struct {
	ID         int64      `json:"id"`
	Period     string     `json:"period"`
	Status     string     `json:"status"`
	CreatedAt  time.Time  `json:"createdAt"`
	CreatedBy  string     `json:"createdBy"`
	ApprovedAt *time.Time `json:"approvedAt,omitempty"`
	ApprovedBy string     `json:"approvedBy,omitempty"`
	Lines      int        `json:"lines"`
	// Totals are per customer and currency; NotBilled the seats the run could not bill.
	Totals    []billing.Total     `json:"totals"`
	NotBilled []billing.NotBilled `json:"notBilled"`
}

func (r billRunRow) run() (BillRun, error) {
	out := BillRun{ID: r.ID, Period: r.Period, Status: r.Status, CreatedAt: r.CreatedAt.UTC(), CreatedBy: r.CreatedBy, Lines: r.LineCount}
	if r.ApprovedAt != nil {
		at := r.ApprovedAt.UTC()
		out.ApprovedAt = &at
	}
	if r.ApprovedBy != nil {
		out.ApprovedBy = *r.ApprovedBy
	}
	if err := json.Unmarshal([]byte(r.Totals), &out.Totals); err != nil {
		return out, fmt.Errorf("billing run %s: totals: %w", r.Period, err)
	}
	if err := json.Unmarshal([]byte(r.NotBilled), &out.NotBilled); err != nil {
		return out, fmt.Errorf("billing run %s: not billed: %w", r.Period, err)
	}
	return out, nil
}

// ApprovedError refuses to change the run of an approved period.
type ApprovedError struct {
	Period string
	By     string
	At     time.Time
}

func (e *ApprovedError) Error() string {
	return fmt.Sprintf("%s is approved (by %s on %s); corrections go into the next period's draft as adjustments",
		e.Period, e.By, e.At.Format(time.DateOnly))
}

func approvedError(r billRunRow) error {
	e := &ApprovedError{Period: r.Period}
	if r.ApprovedBy != nil {
		e.By = *r.ApprovedBy
	}
	if r.ApprovedAt != nil {
		e.At = r.ApprovedAt.UTC()
	}
	return e
}

// lockRun reads a period's run inside tx, locking its row on PostgreSQL until tx
// ends; SQLite's immediate transactions already hold the database's write lock.
func (s *Store) lockRun(tx *gorm.DB, period string) (billRunRow, error) {
	var row billRunRow
	q := tx.Where("period = ?", period)
	if s.dialect == Postgres {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	err := q.Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return row, fmt.Errorf("no billing run of %s (seatledger bill --period %s makes one): %w", period, period, ErrNotFound)
	}
	return row, err
}

// SaveBillDraft stores run as the draft of its period, replacing the period's draft,
// in one transaction: the period's row is created if missing, then locked, so that
// two processes billing one period at once leave one run (the later replaces the
// earlier). An approved period is refused with an *ApprovedError. The lines get their
// ids; each is stored as its JSON, byte for byte as returned later.
func (s *Store) SaveBillDraft(ctx context.Context, run *billing.Run, actor string) (BillRun, error) {
	period := run.Period.String()
	totals, err := json.Marshal(run.Totals)
	if err != nil {
		return BillRun{}, fmt.Errorf("billing run %s: totals: %w", period, err)
	}
	notBilled, err := json.Marshal(run.NotBilled)
	if err != nil {
		return BillRun{}, fmt.Errorf("billing run %s: not billed: %w", period, err)
	}
	rows, written, stop := billLineRows(run)
	defer stop()
	now := s.nowUTC()
	var saved billRunRow
	var ids []int64
	// A month of a large partner is a hundred thousand lines and more: they go in
	// with COPY on PostgreSQL, their ids read back in their order.
	c := &changeSet{dialect: s.dialect, tenant: "billing run " + period, at: now}
	err = s.bulkTransaction(ctx, c, func(tx *gorm.DB) error {
		c.tx = tx
		fresh := billRunRow{Period: period, Status: RunDraft, CreatedAt: now, CreatedBy: actor, Totals: "[]", NotBilled: "[]"}
		if err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "period"}}, DoNothing: true}).Create(&fresh).Error; err != nil {
			return err
		}
		row, err := s.lockRun(tx, period)
		if err != nil {
			return err
		}
		if row.Status == RunApproved {
			return approvedError(row)
		}
		if err := tx.Where("run_id = ?", row.ID).Delete(&billLineRow{}).Error; err != nil {
			return err
		}
		row.CreatedAt, row.CreatedBy, row.LineCount, row.Totals, row.NotBilled = now, actor, len(rows), string(totals), string(notBilled)
		if err := tx.Save(&row).Error; err != nil {
			return err
		}
		for i := range rows {
			rows[i].RunID = row.ID
		}
		if err := insertAll(c, rows); err != nil {
			return err
		}
		if err := written(); err != nil {
			return err
		}
		if err := tx.Model(&billLineRow{}).Where("run_id = ?", row.ID).Order("seq").Pluck("id", &ids).Error; err != nil {
			return err
		}
		if len(ids) != len(rows) {
			return fmt.Errorf("%d lines written, %d read back", len(rows), len(ids))
		}
		saved = row
		return s.audit(tx, actor, "bill draft", period, fmt.Sprintf("%d lines, %d entries not billed", len(rows), len(run.NotBilled)))
	})
	if err != nil {
		var approved *ApprovedError
		if errors.As(err, &approved) {
			return BillRun{}, err
		}
		return BillRun{}, fmt.Errorf("store the billing run of %s: %w", period, err)
	}
	for i := range run.Lines {
		run.Lines[i].ID = ids[i]
	}
	return saved.run()
}

// pendingLine is a line's row whose JSON may still be being written: the rows go to
// the database in order while workers write the JSON of the rows ahead, so that the
// database's work on a hundred thousand lines and ours overlap.
type pendingLine struct {
	*billLineRow
	ready <-chan struct{}
}

// TableName and columns read nothing of the row: its JSON may be being written.
func (pendingLine) TableName() string { return billLineRow{}.TableName() }

func (pendingLine) columns() []string { return billLineColumns }

func (r pendingLine) values() []any {
	<-r.ready
	return r.billLineRow.values()
}

// lineChunk is how many lines a worker writes the JSON of at a time.
const lineChunk = 512

// billLineRows is a run's lines as rows, their JSON written by one worker per core,
// chunk after chunk in order. wait waits for the workers and says whether a line's
// JSON could not be written (its row then holds none); stop makes them give up.
func billLineRows(run *billing.Run) (rows []pendingLine, wait func() error, stop func()) {
	period := run.Period.String()
	plain := make([]billLineRow, len(run.Lines))
	rows = make([]pendingLine, len(run.Lines))
	ready := make([]chan struct{}, (len(rows)+lineChunk-1)/lineChunk)
	for c := range ready {
		ready[c] = make(chan struct{})
	}
	for i, l := range run.Lines {
		plain[i] = billLineRow{Seq: i + 1, TenantID: l.TenantID, Kind: l.Kind, SKUID: l.SKUID, SubscriptionID: l.Source.SubscriptionID,
			Currency: l.Currency, Amount: l.Amount.Decimal}
		if corrects := l.Corrects; corrects != 0 {
			plain[i].CorrectsLineID = &corrects
		}
		rows[i] = pendingLine{&plain[i], ready[i/lineChunk]}
	}
	var next atomic.Int64
	var stopped atomic.Bool
	var mu sync.Mutex
	var failed error
	var wg sync.WaitGroup
	for range max(1, min(runtime.GOMAXPROCS(0), len(ready))) {
		wg.Go(func() {
			for c := int(next.Add(1) - 1); c < len(ready); c = int(next.Add(1) - 1) {
				for i := c * lineChunk; i < min((c+1)*lineChunk, len(rows)) && !stopped.Load(); i++ {
					l := run.Lines[i]
					l.ID = 0
					text, err := json.Marshal(l)
					if err != nil {
						mu.Lock()
						failed = cmp.Or(failed, fmt.Errorf("billing run %s: line %d: %w", period, i+1, err))
						mu.Unlock()
						continue
					}
					plain[i].Line = string(text)
				}
				close(ready[c])
			}
		})
	}
	wait = func() error { wg.Wait(); return failed }
	stop = func() { stopped.Store(true); wg.Wait() }
	return rows, wait, stop
}

// ApproveBillRun locks a period's draft: approved by actor, now, with an audit entry.
// An approved run is refused with an *ApprovedError; a period without a run with
// ErrNotFound.
func (s *Store) ApproveBillRun(ctx context.Context, period, actor string) (BillRun, error) {
	var saved billRunRow
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		row, err := s.lockRun(tx, period)
		if err != nil {
			return err
		}
		if row.Status == RunApproved {
			return approvedError(row)
		}
		now := s.nowUTC()
		row.Status, row.ApprovedAt, row.ApprovedBy = RunApproved, &now, &actor
		if err := tx.Save(&row).Error; err != nil {
			return err
		}
		saved = row
		return s.audit(tx, actor, "bill approve", period, fmt.Sprintf("%d lines", row.LineCount))
	})
	if err != nil {
		var approved *ApprovedError
		if errors.As(err, &approved) || errors.Is(err, ErrNotFound) {
			return BillRun{}, err
		}
		return BillRun{}, fmt.Errorf("approve the billing run of %s: %w", period, err)
	}
	return saved.run()
}

// BillRuns lists the stored runs, newest period first.
func (s *Store) BillRuns(ctx context.Context) ([]BillRun, error) {
	var rows []billRunRow
	if err := s.db.WithContext(ctx).Order("period DESC").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("read billing runs: %w", err)
	}
	out := make([]BillRun, len(rows))
	for i, r := range rows {
		var err error
		if out[i], err = r.run(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// BillRun reads a period's run; ErrNotFound when there is none.
func (s *Store) BillRun(ctx context.Context, period string) (BillRun, error) {
	var row billRunRow
	err := s.db.WithContext(ctx).Where("period = ?", period).Take(&row).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return BillRun{}, fmt.Errorf("no billing run of %s (seatledger bill --period %s makes one): %w", period, period, ErrNotFound)
	case err != nil:
		return BillRun{}, fmt.Errorf("read the billing run of %s: %w", period, err)
	}
	return row.run()
}

// BillLines reads a run's lines in their order, each as stored, with its id.
func (s *Store) BillLines(ctx context.Context, runID int64) ([]billing.Line, error) {
	texts, err := s.BillLineTexts(ctx, runID)
	if err != nil {
		return nil, err
	}
	out := make([]billing.Line, len(texts))
	for i, t := range texts {
		if err := json.Unmarshal([]byte(t.Text), &out[i]); err != nil {
			return nil, fmt.Errorf("billing line %d: %w", t.ID, err)
		}
		out[i].ID = t.ID
	}
	return out, nil
}

// StoredLine is a billing line exactly as stored: its id and its JSON.
type StoredLine struct {
	ID   int64
	Text string
}

// BillLineTexts reads a run's lines as stored, in their order.
func (s *Store) BillLineTexts(ctx context.Context, runID int64) ([]StoredLine, error) {
	var rows []billLineRow
	if err := s.db.WithContext(ctx).Select("id", "line").Where("run_id = ?", runID).Order("seq").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("read the lines of billing run %d: %w", runID, err)
	}
	out := make([]StoredLine, len(rows))
	for i, r := range rows {
		out[i] = StoredLine{ID: r.ID, Text: r.Line}
	}
	return out, nil
}
