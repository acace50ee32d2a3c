package mail

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"

	"github.com/seatledger/seatledger/internal/privfile"
)

// Outbox delivers into a folder, one .eml file per Message-ID: a dry run, a demo, or a
// pickup folder of a local mail server. It is safe for concurrent use.
type Outbox struct{ dir string }

// NewOutbox uses dir (created private to the user if missing) as the outbox.
func NewOutbox(dir string) (*Outbox, error) {
	if err := privfile.Dir(dir); err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	return &Outbox{dir: dir}, nil
}

// Deliver writes m to <dir>/<name from its Message-ID>.eml through a temporary file
// renamed into place, so a reader never sees half a message and the same notice
// delivered again replaces its file. The proof is the file's path.
func (o *Outbox) Deliver(ctx context.Context, m Message) (Receipt, error) {
	if err := ctx.Err(); err != nil {
		return Receipt{}, fmt.Errorf("outbox %s: %w", m.MessageID, err)
	}
	msg, err := build(m)
	if err != nil {
		return Receipt{}, &Error{Err: fmt.Errorf("outbox: build message %s: %w", m.MessageID, err)}
	}
	path, err := privfile.WriteFrom(o.dir, FileName(m.MessageID), func(w io.Writer) error {
		_, err := msg.WriteTo(w)
		return err
	})
	if err != nil {
		return Receipt{}, fmt.Errorf("outbox: %w", err)
	}
	return Receipt{Proof: path}, nil
}

// FileName is the outbox file name of a Message-ID. Letters, digits and ". _ - @ +"
// are kept; anything else (a slash, a space, a leading dot) is replaced and a short
// hash of the whole ID appended, so two IDs that differ only there still get two
// files.
func FileName(messageID string) string {
	var b strings.Builder
	changed := messageID == ""
	for i, r := range messageID {
		ok := r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
			strings.ContainsRune("._-@+", r))
		if i == 0 && r == '.' || !ok || b.Len() >= 150 {
			changed = true
			if b.Len() < 150 {
				b.WriteByte('_')
			}
			continue
		}
		b.WriteRune(r)
	}
	if changed {
		sum := sha256.Sum256([]byte(messageID))
		b.WriteString("-" + hex.EncodeToString(sum[:5]))
	}
	return b.String() + ".eml"
}
