package partnercenter

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/cache"

	"github.com/seatledger/seatledger/internal/privfile"
)

// ErrSignIn marks a failure that only a new sign-in mends: nobody signed in, the
// sign-in expired or was revoked, or the token cache cannot be read with the key.
var ErrSignIn = errors.New("sign in again: run `seatledger partner-center login`")

// KeyHint says how to make a token cache key; it is part of the missing-key error.
const KeyHint = "make one with `head -c 32 /dev/urandom | base64 > partner-center.key` and point SEATLEDGER_PARTNER_CENTER_TOKEN_CACHE_KEY_FILE at that file (or set partner_center.token_cache_key)"

// ParseCacheKey decodes the token cache key: 32 random bytes (AES-256), written in
// base64, standard or URL alphabet, padded or not. The value is never quoted in
// errors.
func ParseCacheKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, fmt.Errorf("partner_center.token_cache_key is not set: the Partner Center sign-in is kept encrypted with it; %s", KeyHint)
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(s); err == nil {
			if len(k) != 32 {
				return nil, fmt.Errorf("partner_center.token_cache_key holds %d bytes, not 32: %s", len(k), KeyHint)
			}
			return k, nil
		}
	}
	return nil, fmt.Errorf("partner_center.token_cache_key is not base64: %s", KeyHint)
}

// cacheMagic starts every cache file: the format and its version. It is also the
// additional data the cipher authenticates, so that a file of another format or
// version is refused rather than misread.
var cacheMagic = []byte("SLTC\x01")

// FileCache keeps MSAL's token cache in one file, encrypted with AES-256-GCM: the
// magic, a 12-byte random nonce, then the sealed cache. MSAL reads it before every
// token lookup (Replace) and writes it after every token it gets (Export), so a
// refresh token that rotates is kept. Writes go through a temporary file renamed into
// place, readable by the user only.
type FileCache struct {
	path string
	aead cipher.AEAD

	mu sync.Mutex
	// last is the SHA-256 of the plaintext last read or written: an unchanged cache
	// is not rewritten.
	last [sha256.Size]byte
}

var _ cache.ExportReplace = (*FileCache)(nil)

// NewFileCache prepares the cache at path, sealed with a 32-byte key.
func NewFileCache(path string, key []byte) (*FileCache, error) {
	if path == "" {
		return nil, errors.New("partner_center.token_cache_file: no path")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("token cache key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("token cache key: %w", err)
	}
	return &FileCache{path: path, aead: aead}, nil
}

// Path is the cache file's path.
func (c *FileCache) Path() string { return c.path }

// Replace loads the file into MSAL's cache; a missing file is an empty cache, so
// that a sign-out made by another process is seen here too.
func (c *FileCache) Replace(ctx context.Context, u cache.Unmarshaler, _ cache.ReplaceHints) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	plain, err := c.read()
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.last = sha256.Sum256(plain)
	c.mu.Unlock()
	if err := u.Unmarshal(plain); err != nil {
		return fmt.Errorf("partner center token cache %s: unreadable after decryption (%v): %w", c.path, err, ErrSignIn)
	}
	return nil
}

// Export seals MSAL's cache into the file, unless it is what the file already holds.
func (c *FileCache) Export(ctx context.Context, m cache.Marshaler, _ cache.ExportHints) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	plain, err := m.Marshal()
	if err != nil {
		return fmt.Errorf("partner center token cache: %w", err)
	}
	sum := sha256.Sum256(plain)
	c.mu.Lock()
	defer c.mu.Unlock()
	if sum == c.last {
		if _, err := os.Lstat(c.path); err == nil {
			return nil
		}
	}
	nonce := make([]byte, c.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return fmt.Errorf("partner center token cache: %w", err)
	}
	blob := append(append(bytes.Clone(cacheMagic), nonce...), c.aead.Seal(nil, nonce, plain, cacheMagic)...)
	dir := filepath.Dir(c.path)
	if err := privfile.Dir(dir); err != nil {
		return fmt.Errorf("partner center token cache: %w", err)
	}
	if _, err := privfile.Write(dir, filepath.Base(c.path), blob); err != nil {
		return fmt.Errorf("partner center token cache: %w", err)
	}
	c.last = sum
	return nil
}

// emptyCache is MSAL's cache with nothing in it.
var emptyCache = []byte("{}")

func (c *FileCache) read() ([]byte, error) {
	blob, err := os.ReadFile(c.path)
	if errors.Is(err, fs.ErrNotExist) {
		return emptyCache, nil
	}
	if err != nil {
		return nil, fmt.Errorf("partner center token cache: %w", err)
	}
	n := len(cacheMagic) + c.aead.NonceSize()
	if len(blob) < n+c.aead.Overhead() || !bytes.Equal(blob[:len(cacheMagic)], cacheMagic) {
		return nil, fmt.Errorf("partner center token cache %s is not a seatledger token cache, or is cut short: %w", c.path, ErrSignIn)
	}
	plain, err := c.aead.Open(nil, blob[len(cacheMagic):n], blob[n:], cacheMagic)
	if err != nil {
		return nil, fmt.Errorf("partner center token cache %s cannot be decrypted: the key is not the one it was written with, or the file is damaged: %w", c.path, ErrSignIn)
	}
	return plain, nil
}

// Exists tells whether the cache file is there.
func (c *FileCache) Exists() bool {
	_, err := os.Lstat(c.path)
	return err == nil
}

// Remove deletes the cache file; a missing file is no error.
func (c *FileCache) Remove() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.last = [sha256.Size]byte{}
	if err := os.Remove(c.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("partner center token cache: %w", err)
	}
	return nil
}
