package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/seatledger/seatledger/internal/inventory"

	"gorm.io/gorm"
)

// Roles of API tokens, from least to most allowed.
const (
	RoleViewer     = "viewer"
	RoleConsultant = "consultant"
	RoleFinance    = "finance"
	RoleAdmin      = "admin"
)

// Roles lists every role a token may have.
var Roles = []string{RoleViewer, RoleConsultant, RoleFinance, RoleAdmin}

// TokenPrefix starts every API token, so that a token pasted where it does not
// belong (a log, a chat) is recognisable and can be revoked.
const TokenPrefix = "sl_"

// ErrTokenExists is returned when a token of that name exists already.
var ErrTokenExists = errors.New("a token of that name exists")

// APIToken is a token as listed: never the token, never its hash.
type APIToken struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Role       string     `json:"role"`
	CreatedAt  time.Time  `json:"createdAt"`
	CreatedBy  string     `json:"createdBy"`
	RevokedAt  *time.Time `json:"revokedAt,omitempty"`
	LastUsedAt *time.Time `json:"lastUsedAt,omitempty"`
}

type tokenRow struct {
	ID         int64
	Name       string
	Role       string
	Hash       string
	CreatedAt  time.Time
	CreatedBy  string
	RevokedAt  *time.Time
	LastUsedAt *time.Time
}

func (tokenRow) TableName() string { return "api_tokens" }

func (r tokenRow) token() APIToken {
	return APIToken{ID: r.ID, Name: r.Name, Role: r.Role, CreatedAt: r.CreatedAt.UTC(), CreatedBy: r.CreatedBy,
		RevokedAt: inventory.UTC(r.RevokedAt), LastUsedAt: inventory.UTC(r.LastUsedAt)}
}

// HashToken is what the database keeps of a token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CreateToken makes a token with a role, stores its hash and audits it. The token
// itself is returned here and nowhere else.
func (s *Store) CreateToken(ctx context.Context, name, role, actor string) (APIToken, string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return APIToken{}, "", errors.New("token: a name is required")
	}
	if strings.ContainsAny(name, " \t\r\n") {
		return APIToken{}, "", fmt.Errorf("token name %q: no spaces", name)
	}
	if !slices.Contains(Roles, role) {
		return APIToken{}, "", fmt.Errorf("token role %q: not one of %s", role, strings.Join(Roles, ", "))
	}
	var secret [32]byte
	if _, err := rand.Read(secret[:]); err != nil {
		return APIToken{}, "", fmt.Errorf("make token: %w", err)
	}
	plain := TokenPrefix + base64.RawURLEncoding.EncodeToString(secret[:])
	row := tokenRow{Name: name, Role: role, Hash: HashToken(plain), CreatedAt: s.nowUTC(), CreatedBy: actor}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&row).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return fmt.Errorf("token %s: %w", name, ErrTokenExists)
			}
			return fmt.Errorf("store token %s: %w", name, err)
		}
		return s.audit(tx, actor, "token.create", name, "role "+role)
	})
	if err != nil {
		return APIToken{}, "", err
	}
	return row.token(), plain, nil
}

// Tokens lists every token, revoked ones too, oldest first.
func (s *Store) Tokens(ctx context.Context) ([]APIToken, error) {
	var rows []tokenRow
	if err := s.db.WithContext(ctx).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("read tokens: %w", err)
	}
	out := make([]APIToken, len(rows))
	for i, r := range rows {
		out[i] = r.token()
	}
	return out, nil
}

// RevokeToken ends a token named by its name or id, and audits it. Revoking a
// revoked token changes nothing and says so.
func (s *Store) RevokeToken(ctx context.Context, nameOrID, actor string) (APIToken, error) {
	var out APIToken
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var rows []tokenRow
		q := tx.Where("name = ?", nameOrID)
		if id, err := strconv.ParseInt(nameOrID, 10, 64); err == nil {
			q = tx.Where("name = ? OR id = ?", nameOrID, id)
		}
		if err := q.Find(&rows).Error; err != nil {
			return fmt.Errorf("read token %s: %w", nameOrID, err)
		}
		switch len(rows) {
		case 0:
			return fmt.Errorf("token %s: %w", nameOrID, ErrNotFound)
		case 1:
		default:
			return fmt.Errorf("token %s: %w: it is one token's name and another's id; give the name", nameOrID, ErrAmbiguous)
		}
		r := rows[0]
		if r.RevokedAt != nil {
			out = r.token()
			return nil
		}
		now := s.nowUTC()
		if err := tx.Model(&tokenRow{}).Where("id = ?", r.ID).Update("revoked_at", now).Error; err != nil {
			return fmt.Errorf("revoke token %s: %w", r.Name, err)
		}
		r.RevokedAt = &now
		out = r.token()
		return s.audit(tx, actor, "token.revoke", r.Name, "role "+r.Role)
	})
	return out, err
}

// lastUsedGrain bounds how often a token's last use is written: once a minute is
// enough to tell a token in use from a forgotten one, and spares a write per request.
const lastUsedGrain = time.Minute

// TokenByHash finds the unrevoked token with this hash, for authentication, and
// notes its use.
func (s *Store) TokenByHash(ctx context.Context, hash string) (APIToken, error) {
	var r tokenRow
	err := s.db.WithContext(ctx).Where("hash = ? AND revoked_at IS NULL", hash).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return APIToken{}, fmt.Errorf("token: %w", ErrNotFound)
	}
	if err != nil {
		return APIToken{}, fmt.Errorf("read token: %w", err)
	}
	now := s.nowUTC()
	if r.LastUsedAt == nil || now.Sub(*r.LastUsedAt) >= lastUsedGrain {
		// Best effort: a request is not refused because its token's last use could
		// not be noted (SQLite busy with a sync's write).
		if err := s.db.WithContext(ctx).Model(&tokenRow{}).Where("id = ?", r.ID).Update("last_used_at", now).Error; err == nil {
			r.LastUsedAt = &now
		}
	}
	return r.token(), nil
}
