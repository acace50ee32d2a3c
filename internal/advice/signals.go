package advice

import (
	"strings"
	"time"

	"github.com/seatledger/seatledger/internal/inventory"
)

// lastActivity is when the user last signed in successfully (inventory.User's rule:
// failed attempts are not activity). Zero for never.
func lastActivity(u inventory.User) time.Time { return u.LastActivity() }

// hasSuccessfulSignIn tells whether the user's activity rests on a successful
// sign-in, or on none at all (never signed in).
func hasSuccessfulSignIn(u inventory.User) bool {
	return u.LastSuccessfulSignIn != nil || u.LastSignIn == nil && u.LastNonInteractive == nil
}

// mailboxPurpose is the kind of mailbox an account has — shared, room, equipment or
// user — from Graph's mailboxSettings, else the usage report's recipient type (in
// the beta report only); "" when nothing says.
func mailboxPurpose(u inventory.User, use inventory.Usage, hasUsage bool) string {
	if p := strings.ToLower(strings.TrimSpace(u.MailboxPurpose)); p != "" {
		return p
	}
	if hasUsage {
		t := strings.ToLower(strings.TrimSpace(use.RecipientType))
		t = strings.TrimSuffix(t, "mailbox")
		switch t {
		case "shared", "room", "equipment", "user":
			return t
		}
	}
	return ""
}
