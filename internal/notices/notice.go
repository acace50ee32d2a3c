package notices

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"github.com/seatledger/seatledger/internal/terms"
)

// Statuses of a notice. Pending notices go out once due; held ones wait for finance;
// sending ones are claimed by a sender; sent and cancelled ones never go out again;
// failed ones got a permanent refusal and wait for finance to release or cancel them.
const (
	StatusPending   = "pending"
	StatusHeld      = "held"
	StatusCancelled = "cancelled"
	StatusSending   = "sending"
	StatusSent      = "sent"
	StatusFailed    = "failed"
)

// Recipient is one notice contact of the customer.
type Recipient struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email"`
}

// Notice is one notice owed to a customer, as stored: rendered once when created.
type Notice struct {
	ID int64 `json:"id"`
	// Key names the kind, customer, language and the change the notice is about: a
	// change detected twice makes one notice.
	Key      string `json:"key"`
	Kind     string `json:"kind"`
	TenantID string `json:"tenantId"`
	Customer string `json:"customer"`
	// Locale is the language asked for (the contacts'); Language the one the notice
	// was written in (English when the locale has no templates).
	Locale     string      `json:"locale"`
	Language   string      `json:"language"`
	Recipients []Recipient `json:"recipients"`
	// Reaches is the day the change reaches the customer; Due the day the notice is
	// owed (Reaches less the contract's notice days). DaysLate is how many days after
	// Due it was detected: such a notice is due at once.
	Reaches  *time.Time `json:"reaches,omitempty"`
	Due      time.Time  `json:"due"`
	DaysLate int        `json:"daysLate,omitempty"`
	Status   string     `json:"status"`
	// Reason is finance's reason for the last hold, release or cancel.
	Reason    string `json:"reason,omitempty"`
	Subject   string `json:"subject"`
	Text      string `json:"text"`
	HTML      string `json:"html"`
	MessageID string `json:"messageId"`
	Letter    Letter `json:"letter"`
	// Attempts counts deliveries tried; NextAttempt is when a temporary failure may
	// be retried; LastError the last refusal.
	Attempts    int        `json:"attempts,omitempty"`
	NextAttempt *time.Time `json:"nextAttempt,omitempty"`
	LastError   string     `json:"lastError,omitempty"`
	// Proof is the mail server's reply accepting the notice, Graph's request id or
	// the outbox file; Transport names which; SentAt when.
	Proof     string     `json:"proof,omitempty"`
	Transport string     `json:"transport,omitempty"`
	SentAt    *time.Time `json:"sentAt,omitempty"`
	CreatedAt time.Time  `json:"createdAt"`
}

// Late tells whether the notice was detected after the day it was owed.
func (n Notice) Late() bool { return n.DaysLate > 0 }

// Key joins a notice's kind, customer, language and what it is about.
func Key(kind, tenantID, locale string, about ...string) string {
	return strings.Join(append([]string{kind, tenantID, strings.ToLower(locale)}, about...), "/")
}

// MessageID is the notice's Message-ID (without angle brackets): derived from its key
// alone, so that a notice sent again after a crash is recognisably the same message.
func MessageID(key, domain string) string {
	sum := sha256.Sum256([]byte(key))
	if domain == "" {
		domain = "seatledger.invalid"
	}
	return "notice-" + hex.EncodeToString(sum[:12]) + "@" + domain
}

// Due is the day a notice about a change reaching the customer on reaches is owed,
// noticeDays before it, and how many days late it is when detected on detected. A
// late notice is due at once.
func Due(reaches time.Time, noticeDays int, detected time.Time) (due time.Time, daysLate int) {
	due = terms.Day(reaches).AddDate(0, 0, -noticeDays)
	today := terms.Day(detected)
	if today.After(due) {
		daysLate = int(today.Sub(due).Hours() / 24)
	}
	return due, daysLate
}

// Retry is how long to wait before the next try after attempts temporary failures:
// one minute, doubling, at most six hours.
func Retry(attempts int) time.Duration {
	d := time.Minute
	for i := 1; i < attempts && d < 6*time.Hour; i++ {
		d *= 2
	}
	return min(d, 6*time.Hour)
}
