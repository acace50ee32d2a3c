package inventory

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"time"
)

// DefaultSpillAfter is how many users a UserSet keeps in memory before it moves
// them to a temporary file. Most tenants stay below it; a 50,000-user tenant then
// costs disk, not memory.
const DefaultSpillAfter = 2000

// UserSet holds a tenant's users as they are read, page by page, and hands them
// back page by page. Past SpillAfter users it keeps them in a temporary file, so
// that memory does not grow with the size of the tenant. It is not safe for
// concurrent use; Close removes the file.
type UserSet struct {
	// SpillAfter overrides DefaultSpillAfter when positive.
	SpillAfter int

	mem    []User
	digest [2]uint64
	name   string // set while the spool file still has a name to remove
	n      int
	file   *os.File
	buf    *bufio.Writer
	enc    *gob.Encoder
}

// Add appends users.
func (s *UserSet) Add(users ...User) error {
	for _, u := range users {
		s.addToDigest(&u)
		if s.file == nil && len(s.mem) >= s.limit() {
			if err := s.spill(); err != nil {
				return err
			}
		}
		if s.file == nil {
			s.mem = append(s.mem, u)
		} else if err := s.enc.Encode(&u); err != nil {
			return fmt.Errorf("spool users: %w", err)
		}
		s.n++
	}
	return nil
}

// Len is the number of users added.
func (s *UserSet) Len() int {
	if s == nil {
		return 0
	}
	return s.n
}

// Spilled tells whether the users went to a temporary file.
func (s *UserSet) Spilled() bool { return s != nil && s.file != nil }

func (s *UserSet) limit() int {
	if s.SpillAfter > 0 {
		return s.SpillAfter
	}
	return DefaultSpillAfter
}

func (s *UserSet) spill() error {
	f, err := os.CreateTemp("", "seatledger-users-*.gob")
	if err != nil {
		return fmt.Errorf("spool users: %w", err)
	}
	// The file is unlinked at once where the system allows, so that nothing is left
	// behind if the process dies; elsewhere Close removes it.
	if os.Remove(f.Name()) != nil {
		s.name = f.Name()
	}
	s.file, s.buf = f, bufio.NewWriterSize(f, 64<<10)
	s.enc = gob.NewEncoder(s.buf)
	for i := range s.mem {
		if err := s.enc.Encode(&s.mem[i]); err != nil {
			return fmt.Errorf("spool users: %w", err)
		}
	}
	s.mem = nil
	return nil
}

// Each calls fn with the users in order, at most pageSize at a time. The slice is
// reused between calls. Add must not be called after Each.
func (s *UserSet) Each(pageSize int, fn func(users []User) error) error {
	if s == nil {
		return nil
	}
	if s.file == nil {
		for start := 0; start < len(s.mem); start += pageSize {
			if err := fn(s.mem[start:min(start+pageSize, len(s.mem))]); err != nil {
				return err
			}
		}
		return nil
	}
	if err := s.buf.Flush(); err != nil {
		return fmt.Errorf("spool users: %w", err)
	}
	if _, err := s.file.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("spool users: %w", err)
	}
	dec := gob.NewDecoder(bufio.NewReaderSize(s.file, 64<<10))
	page := make([]User, 0, pageSize)
	for range s.n {
		var u User
		if err := dec.Decode(&u); err != nil {
			return fmt.Errorf("read spooled users: %w", err)
		}
		if page = append(page, u); len(page) == pageSize {
			if err := fn(page); err != nil {
				return err
			}
			page = page[:0]
		}
	}
	if len(page) > 0 {
		return fn(page)
	}
	return nil
}

// Digest identifies the set's content whatever the order the users came in: the
// count and the sum of each user's SHA-256. Equal digests mean the same users with
// the same licences, so a tenant whose digest has not changed needs no comparison.
func (s *UserSet) Digest() string {
	if s == nil {
		return ""
	}
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], s.digest[0])
	binary.BigEndian.PutUint64(b[8:], s.digest[1])
	return fmt.Sprintf("%d:%x", s.n, b)
}

func (s *UserSet) addToDigest(u *User) {
	h := sha256.New()
	field := func(v string) {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(v)))
		h.Write(n[:])
		h.Write([]byte(v))
	}
	at := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.UTC().Format(time.RFC3339Nano)
	}
	field(u.ID)
	field(u.UPN)
	field(u.DisplayName)
	field(strconv.FormatBool(u.Enabled))
	field(u.UserType)
	field(at(u.Created))
	field(u.UsageLocation)
	field(at(u.LastSignIn))
	field(at(u.LastNonInteractive))
	field(u.Mail)
	field(at(u.LastSuccessfulSignIn))
	field(u.MailboxPurpose)
	// Licences in a fixed order, so that their order in Graph's answer does not matter.
	keys := make([]string, len(u.Assignments))
	for i, a := range u.Assignments {
		keys[i] = a.SKUID + "\x00" + a.Group + "\x00" + a.State + "\x00" + a.Error + "\x00" + a.DisabledPlans
	}
	slices.Sort(keys)
	for _, k := range keys {
		field(k)
	}
	sum := h.Sum(nil)
	s.digest[0] += binary.BigEndian.Uint64(sum[:8])
	s.digest[1] += binary.BigEndian.Uint64(sum[8:16])
}

// Close releases the temporary file, if any.
func (s *UserSet) Close() error {
	if s == nil || s.file == nil {
		return nil
	}
	err := s.file.Close()
	s.file = nil
	if s.name != "" {
		_ = os.Remove(s.name)
		s.name = ""
	}
	if errors.Is(err, os.ErrClosed) {
		return nil
	}
	return err
}
