package inventory

import (
	"bufio"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"os"
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

	mem  []User
	n    int
	file *os.File
	buf  *bufio.Writer
	enc  *gob.Encoder
}

// Add appends users.
func (s *UserSet) Add(users ...User) error {
	for _, u := range users {
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
	// behind if the process dies.
	_ = os.Remove(f.Name())
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

// Close releases the temporary file, if any.
func (s *UserSet) Close() error {
	if s == nil || s.file == nil {
		return nil
	}
	err := s.file.Close()
	s.file = nil
	if errors.Is(err, os.ErrClosed) {
		return nil
	}
	return err
}
