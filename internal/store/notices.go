package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/seatledger/seatledger/internal/inventory"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/seatledger/seatledger/internal/notices"
)

type noticeRow struct {
	ID            int64
	DedupeKey     string
	Kind          string
	TenantID      string
	Customer      string
	Locale        string
	Language      string
	Recipients    string
	ReachesOn     *time.Time
	DueOn         time.Time
	DaysLate      int
	Status        string
	Reason        string
	Subject       string
	BodyText      string
	BodyHTML      string `gorm:"column:body_html"`
	MessageID     string
	Letter        string
	Attempts      int
	NextAttemptAt *time.Time
	ClaimedBy     string
	ClaimedUntil  *time.Time
	LastError     string
	Proof         string
	Transport     string
	SentAt        *time.Time
	CreatedAt     time.Time `gorm:"autoCreateTime:false"`
	UpdatedAt     time.Time `gorm:"autoUpdateTime:false"`
}

func (noticeRow) TableName() string { return "notices" }

func (r noticeRow) notice() (notices.Notice, error) {
	n := notices.Notice{ID: r.ID, Key: r.DedupeKey, Kind: r.Kind, TenantID: r.TenantID, Customer: r.Customer, Locale: r.Locale, Language: r.Language,
		Reaches: inventory.UTC(r.ReachesOn), Due: r.DueOn.UTC(), DaysLate: r.DaysLate, Status: r.Status, Reason: r.Reason, Subject: r.Subject,
		Text: r.BodyText, HTML: r.BodyHTML, MessageID: r.MessageID, Attempts: r.Attempts, NextAttempt: inventory.UTC(r.NextAttemptAt),
		LastError: r.LastError, Proof: r.Proof, Transport: r.Transport, SentAt: inventory.UTC(r.SentAt), CreatedAt: r.CreatedAt.UTC()}
	if err := json.Unmarshal([]byte(r.Recipients), &n.Recipients); err != nil {
		return n, fmt.Errorf("notice %d recipients: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(r.Letter), &n.Letter); err != nil {
		return n, fmt.Errorf("notice %d letter: %w", r.ID, err)
	}
	return n, nil
}

// CreateNotices stores rendered notices, skipping those whose key is already stored
// (by this process or another at the same moment): a change detected twice makes
// one notice. It returns the notices it created.
func (s *Store) CreateNotices(ctx context.Context, list []notices.Notice) ([]notices.Notice, error) {
	var created []notices.Notice
	now := s.nowUTC()
	for _, n := range list {
		recipients, err := json.Marshal(n.Recipients)
		if err != nil {
			return created, err
		}
		letter, err := json.Marshal(n.Letter)
		if err != nil {
			return created, err
		}
		row := noticeRow{DedupeKey: n.Key, Kind: n.Kind, TenantID: n.TenantID, Customer: n.Customer, Locale: n.Locale, Language: n.Language,
			Recipients: string(recipients), ReachesOn: n.Reaches, DueOn: n.Due, DaysLate: n.DaysLate, Status: notices.StatusPending,
			Subject: n.Subject, BodyText: n.Text, BodyHTML: n.HTML, MessageID: n.MessageID, Letter: string(letter), CreatedAt: now, UpdatedAt: now}
		res := s.db.WithContext(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "dedupe_key"}}, DoNothing: true}).Create(&row)
		if res.Error != nil {
			return created, fmt.Errorf("store notice %s: %w", n.Key, res.Error)
		}
		if res.RowsAffected == 0 {
			continue
		}
		n.ID, n.Status, n.CreatedAt = row.ID, row.Status, now
		created = append(created, n)
	}
	return created, nil
}

// NoticeKeys tells which of the keys are stored already, so that a notice already
// made is not rendered again.
func (s *Store) NoticeKeys(ctx context.Context, keys []string) (map[string]bool, error) {
	have := map[string]bool{}
	err := inBatches(keys, func(batch []string) error {
		var found []string
		if err := s.db.WithContext(ctx).Model(&noticeRow{}).Where("dedupe_key IN ?", batch).Pluck("dedupe_key", &found).Error; err != nil {
			return fmt.Errorf("read notice keys: %w", err)
		}
		for _, k := range found {
			have[k] = true
		}
		return nil
	})
	return have, err
}

// ToldPriceChanges is, for every stored price-change notice whatever became of it,
// the price changes its letter told, keyed "TENANT|locale|change" (locale lower
// case). One query for every customer, reading only the letters: detection asks it
// every few minutes.
func (s *Store) ToldPriceChanges(ctx context.Context) (map[string]bool, error) {
	var rows []struct {
		TenantID string
		Locale   string
		Letter   string
	}
	if err := s.db.WithContext(ctx).Model(&noticeRow{}).Select("tenant_id, locale, letter").Where("kind = ?", notices.PriceChange).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("read price-change notices: %w", err)
	}
	told := map[string]bool{}
	for _, r := range rows {
		var l notices.Letter
		if err := json.Unmarshal([]byte(r.Letter), &l); err != nil {
			return nil, fmt.Errorf("price-change notice of %s: %w", r.TenantID, err)
		}
		for _, p := range l.Prices {
			for _, c := range p.Changes {
				told[r.TenantID+"|"+strings.ToLower(r.Locale)+"|"+c] = true
			}
		}
	}
	return told, nil
}

// NoticeFilter chooses notices. Status is a stored status, or "due" (pending and
// owed by today) or "late" (detected after the day it was owed, not yet sent).
type NoticeFilter struct {
	Status   string
	Kind     string
	TenantID string
	// After pages: the notices listed after this one, in the list's order (late
	// first, then by the day due, then by id); Limit caps the page (0: no cap).
	After *NoticeKey
	Limit int
}

// NoticeKey is a notice's place in the list's order, for paging by key: a page
// starts after its last notice whatever was added or changed before it.
type NoticeKey struct {
	DaysLate int
	Due      time.Time
	ID       int64
}

// KeyOf is the notice's place in the list's order.
func KeyOf(n notices.Notice) NoticeKey { return NoticeKey{DaysLate: n.DaysLate, Due: n.Due, ID: n.ID} }

// Notices lists notices: late ones first (latest first), then by the day they are
// due.
func (s *Store) Notices(ctx context.Context, f NoticeFilter) ([]notices.Notice, error) {
	q := s.db.WithContext(ctx).Model(&noticeRow{})
	switch f.Status {
	case "":
	case "due":
		q = q.Where("status = ? AND due_on <= ?", notices.StatusPending, s.nowUTC())
	case "late":
		q = q.Where("days_late > 0 AND status IN ?", []string{notices.StatusPending, notices.StatusHeld, notices.StatusSending, notices.StatusFailed})
	default:
		q = q.Where("status = ?", f.Status)
	}
	if f.Kind != "" {
		q = q.Where("kind = ?", f.Kind)
	}
	if f.TenantID != "" {
		q = q.Where("tenant_id = ?", f.TenantID)
	}
	if k := f.After; k != nil {
		q = q.Where("days_late < ? OR (days_late = ? AND due_on > ?) OR (days_late = ? AND due_on = ? AND id > ?)",
			k.DaysLate, k.DaysLate, k.Due, k.DaysLate, k.Due, k.ID)
	}
	if f.Limit > 0 {
		q = q.Limit(f.Limit)
	}
	var rows []noticeRow
	if err := q.Order("days_late DESC, due_on, id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("read notices: %w", err)
	}
	return noticesOf(rows)
}

func noticesOf(rows []noticeRow) ([]notices.Notice, error) {
	out := make([]notices.Notice, len(rows))
	for i, r := range rows {
		n, err := r.notice()
		if err != nil {
			return nil, err
		}
		out[i] = n
	}
	return out, nil
}

// Notice reads one notice.
func (s *Store) Notice(ctx context.Context, id int64) (notices.Notice, error) {
	var row noticeRow
	err := s.db.WithContext(ctx).Take(&row, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return notices.Notice{}, fmt.Errorf("notice %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return notices.Notice{}, fmt.Errorf("read notice %d: %w", id, err)
	}
	return row.notice()
}

// Finance's actions on a notice before it is sent.
const (
	NoticeHold    = "hold"
	NoticeRelease = "release"
	NoticeCancel  = "cancel"
)

// ErrNoticeState is a hold, release or cancel the notice's status does not allow.
var ErrNoticeState = errors.New("not allowed in the notice's status")

// SetNoticeStatus holds, releases or cancels a notice and writes the audit log. A
// pending notice can be held or cancelled; a held one released or cancelled; a
// failed one released (to be tried again) or cancelled. A notice being sent, sent or
// cancelled changes no more.
func (s *Store) SetNoticeStatus(ctx context.Context, id int64, action, reason, actor string) (notices.Notice, error) {
	from, to := map[string][]string{
		NoticeHold:    {notices.StatusPending},
		NoticeRelease: {notices.StatusHeld, notices.StatusFailed},
		NoticeCancel:  {notices.StatusPending, notices.StatusHeld, notices.StatusFailed},
	}[action], map[string]string{NoticeHold: notices.StatusHeld, NoticeRelease: notices.StatusPending, NoticeCancel: notices.StatusCancelled}[action]
	if to == "" {
		return notices.Notice{}, fmt.Errorf("notice action %q: use hold, release or cancel", action)
	}
	var row noticeRow
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Take(&row, id).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return fmt.Errorf("notice %d: %w", id, ErrNotFound)
			}
			return err
		}
		if !slices.Contains(from, row.Status) {
			return fmt.Errorf("%s notice %d: it is %s: %w", action, id, row.Status, ErrNoticeState)
		}
		updates := map[string]any{"status": to, "reason": reason, "updated_at": s.nowUTC()}
		if action == NoticeRelease {
			updates["next_attempt_at"] = nil
		}
		res := tx.Model(&noticeRow{}).Where("id = ? AND status = ?", id, row.Status).Updates(updates)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("%s notice %d: it changed meanwhile: %w", action, id, ErrNoticeState)
		}
		return s.audit(tx, actor, "notice."+action, fmt.Sprintf("notice=%d %s", id, row.DedupeKey), reason)
	})
	if err != nil {
		return notices.Notice{}, err
	}
	return s.Notice(ctx, id)
}

// ClaimNotices takes up to limit notices to send now for claimer until the lease
// runs out: pending notices owed by today whose retry time has come, and notices
// whose sender's claim ran out (it died while sending: the notice may have been
// accepted, and goes out again with the same Message-ID). Two senders never claim
// one notice: PostgreSQL skips rows another claim has locked; SQLite writes one
// transaction at a time.
func (s *Store) ClaimNotices(ctx context.Context, claimer string, limit int, lease time.Duration) ([]notices.Notice, error) {
	now := s.nowUTC()
	var rows []noticeRow
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		q := tx.Where("(status = ? AND due_on <= ? AND (next_attempt_at IS NULL OR next_attempt_at <= ?)) OR (status = ? AND claimed_until < ?)",
			notices.StatusPending, now, now, notices.StatusSending, now).Order("days_late DESC, due_on, id").Limit(limit)
		if s.dialect == Postgres {
			q = q.Clauses(clause.Locking{Strength: "UPDATE", Options: "SKIP LOCKED"})
		}
		if err := q.Find(&rows).Error; err != nil {
			return err
		}
		if len(rows) == 0 {
			return nil
		}
		ids := make([]int64, len(rows))
		for i, r := range rows {
			ids[i] = r.ID
		}
		until := now.Add(lease)
		return tx.Model(&noticeRow{}).Where("id IN ?", ids).Updates(map[string]any{
			"status": notices.StatusSending, "claimed_by": claimer, "claimed_until": until, "attempts": gorm.Expr("attempts + 1"), "updated_at": now}).Error
	})
	if err != nil {
		return nil, fmt.Errorf("claim notices: %w", err)
	}
	for i := range rows {
		rows[i].Status, rows[i].Attempts = notices.StatusSending, rows[i].Attempts+1
	}
	return noticesOf(rows)
}

// NoticeOutcome is what became of one delivery.
type NoticeOutcome struct {
	ID        int64
	Transport string
	// Proof is the server's acceptance; empty when the delivery failed.
	Proof string
	// Reply is the refusal of a failed delivery; RetryIn, when positive, how long
	// after now to try again (a temporary refusal); zero is a permanent one.
	Reply   string
	RetryIn time.Duration
}

// RenewClaim extends claimer's claim of a notice by lease from now, just before it
// is sent; held is false when the claim was lost (it ran out and another sender took
// the notice, or finance changed it).
func (s *Store) RenewClaim(ctx context.Context, claimer string, id int64, lease time.Duration) (held bool, err error) {
	res := s.db.WithContext(ctx).Model(&noticeRow{}).Where("id = ? AND status = ? AND claimed_by = ?", id, notices.StatusSending, claimer).
		Update("claimed_until", s.nowUTC().Add(lease))
	if res.Error != nil {
		return false, fmt.Errorf("renew claim of notice %d: %w", id, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// ReleaseClaims hands the notices claimer holds and has not sent back to wait, as
// when it stops before sending them.
func (s *Store) ReleaseClaims(ctx context.Context, claimer string) error {
	err := s.db.WithContext(ctx).Model(&noticeRow{}).Where("status = ? AND claimed_by = ?", notices.StatusSending, claimer).
		Updates(map[string]any{"status": notices.StatusPending, "claimed_by": "", "claimed_until": nil, "updated_at": s.nowUTC()}).Error
	if err != nil {
		return fmt.Errorf("release claimed notices: %w", err)
	}
	return nil
}

// RecordDelivery records what became of a claimed notice, if claimer still holds
// it; held is false when the claim was lost (ran out and another sender took it).
func (s *Store) RecordDelivery(ctx context.Context, claimer string, o NoticeOutcome) (held bool, err error) {
	now := s.nowUTC()
	updates := map[string]any{"claimed_by": "", "claimed_until": nil, "updated_at": now, "transport": o.Transport}
	switch {
	case o.Proof != "":
		updates["status"], updates["proof"], updates["sent_at"], updates["last_error"] = notices.StatusSent, o.Proof, now, ""
	case o.RetryIn > 0:
		updates["status"], updates["last_error"], updates["next_attempt_at"] = notices.StatusPending, o.Reply, now.Add(o.RetryIn)
	default:
		updates["status"], updates["last_error"] = notices.StatusFailed, o.Reply
	}
	res := s.db.WithContext(ctx).Model(&noticeRow{}).Where("id = ? AND status = ? AND claimed_by = ?", o.ID, notices.StatusSending, claimer).Updates(updates)
	if res.Error != nil {
		return false, fmt.Errorf("record delivery of notice %d: %w", o.ID, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// NoticeCounts is how many notices are in each status, and how many unsent are late.
func (s *Store) NoticeCounts(ctx context.Context) (map[string]int, error) {
	var rows []struct {
		Status string
		N      int
	}
	if err := s.db.WithContext(ctx).Model(&noticeRow{}).Select("status, count(*) AS n").Group("status").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("count notices: %w", err)
	}
	out := map[string]int{}
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out, nil
}

type announcementRow struct {
	ID        int64
	Key       string
	Effective time.Time
	Body      string
	Source    string
	CreatedAt time.Time `gorm:"autoCreateTime:false"`
}

func (announcementRow) TableName() string { return "announcements" }

// ErrAnnounced is an announcement whose key is stored already with other content.
var ErrAnnounced = errors.New("announced already with other content")

// Announce stores an announcement of changed terms and audits it. The same file
// announced again changes nothing (created is false); another announcement under a
// stored key is refused: its notices may have gone out.
func (s *Store) Announce(ctx context.Context, a notices.Announced, actor string) (created bool, err error) {
	body, err := json.Marshal(a)
	if err != nil {
		return false, err
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var existing announcementRow
		err := tx.Where("key = ?", a.Key).Take(&existing).Error
		if err == nil {
			var old notices.Announced
			if err := json.Unmarshal([]byte(existing.Body), &old); err != nil {
				return err
			}
			old.Source = a.Source
			if same, _ := json.Marshal(old); string(same) != string(body) {
				return fmt.Errorf("announcement %s (from %s): %w; give the new announcement another key", a.Key, existing.Source, ErrAnnounced)
			}
			return nil
		}
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		row := announcementRow{Key: a.Key, Effective: a.Effective, Body: string(body), Source: a.Source, CreatedAt: s.nowUTC()}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		created = true
		return s.audit(tx, actor, "notice.announce", a.Key, a.Source)
	})
	if err != nil {
		return false, fmt.Errorf("announce %s: %w", a.Key, err)
	}
	return created, nil
}

// Announcements lists the stored announcements by effective day.
func (s *Store) Announcements(ctx context.Context) ([]notices.Announced, error) {
	var rows []announcementRow
	if err := s.db.WithContext(ctx).Order("effective, key").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("read announcements: %w", err)
	}
	out := make([]notices.Announced, len(rows))
	for i, r := range rows {
		if err := json.Unmarshal([]byte(r.Body), &out[i]); err != nil {
			return nil, fmt.Errorf("announcement %s: %w", r.Key, err)
		}
	}
	return out, nil
}
