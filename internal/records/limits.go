package records

import (
	"fmt"
	"io"
	"os"
	"unicode/utf8"

	"github.com/seatledger/seatledger/internal/problems"
)

// Limits of what an import reads. They are generous — the largest real file, Microsoft's
// SKU catalogue, is about 1 MB — and keep a mistaken or hostile input (/dev/zero, a
// 200 MB name) from exhausting memory or ending up in the database.
const (
	// MaxFileBytes bounds a customers, contracts or offer-matrix file.
	MaxFileBytes = 16 << 20
	// MaxNameLength bounds a name, id or code, in characters.
	MaxNameLength = 1024
	// MaxTextLength bounds free text (a list of contacts), in characters.
	MaxTextLength = 4096
)

// ReadFile reads an input file of at most limit bytes. Anything but a regular file
// (a device, a pipe, a folder) is refused before it is read; both refusals come back
// as a problems.List naming the file.
func ReadFile(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, problems.List{{File: path, Message: "not a regular file: name a file, not a device, pipe or folder"}}
	}
	tooLarge := problems.List{{File: path, Field: "size", Message: fmt.Sprintf("larger than the %d MiB allowed", limit>>20)}}
	if st.Size() > limit {
		return nil, tooLarge
	}
	// The file may grow between Stat and the read: read no more than the limit.
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, tooLarge
	}
	return data, nil
}

// CheckLength adds a problem when value is longer than max characters.
func CheckLength(probs *problems.Collector, line int, field, value string, max int) bool {
	if len(value) <= max || utf8.RuneCountInString(value) <= max {
		return true
	}
	probs.Add(line, field, "longer than %d characters", max)
	return false
}
