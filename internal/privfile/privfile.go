// Package privfile writes the files seatledger leaves on disk (databases, the demo's
// configuration, the sandbox's files) so that only the user running it can read them
// and nobody else can redirect the writes: folders 0700, files 0600 whatever the
// umask, written through a temporary file created exclusively and renamed into place,
// so that a symbolic link planted where a file will be written is replaced, not
// followed.
package privfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

const (
	DirMode  fs.FileMode = 0o700
	FileMode fs.FileMode = 0o600
)

// Dir creates the folder dir (and its missing parents) private to the user, or
// accepts an existing one only if that user owns it and nobody else can write in it:
// in a folder others can write, they can swap a file for a link between two writes.
func Dir(dir string) error {
	info, err := os.Lstat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(dir, DirMode); err != nil {
			return fmt.Errorf("create folder %s: %w", dir, err)
		}
		// MkdirAll's mode passes through the umask; the folder is made private
		// whatever it is.
		if err := os.Chmod(dir, DirMode); err != nil {
			return fmt.Errorf("create folder %s: %w", dir, err)
		}
		return nil
	case err != nil:
		return fmt.Errorf("folder %s: %w", dir, err)
	case info.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("folder %s is a symbolic link: give the folder it points to, or a new folder", dir)
	case !info.IsDir():
		return fmt.Errorf("%s is not a folder", dir)
	}
	if uid, ok := owner(info); ok && uid != os.Geteuid() {
		return fmt.Errorf("folder %s belongs to another user (uid %d): choose a folder of your own, or a new one", dir, uid)
	}
	if info.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("folder %s can be written by other users (mode %04o): choose a folder only you can write, or a new one", dir, info.Mode().Perm())
	}
	return nil
}

// Write puts data in dir/name, readable by the user only. The file is written under a
// temporary name created exclusively (never an existing file or link), then renamed
// over name: a link planted at name is replaced, and a reader never sees half a file.
func Write(dir, name string, data []byte) (string, error) {
	return WriteFrom(dir, name, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// WriteFrom is Write for content produced by write as it goes (a large export),
// which then needs no copy in memory. An error of write leaves nothing at name.
func WriteFrom(dir, name string, write func(w io.Writer) error) (string, error) {
	path := filepath.Join(dir, name)
	f, err := os.CreateTemp(dir, "."+name+".*")
	if err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	fail := func(err error) (string, error) {
		_ = f.Close()
		_ = os.Remove(tmp)
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Chmod(FileMode); err != nil {
		return fail(err)
	}
	bw := bufio.NewWriterSize(f, 64<<10)
	if err := write(bw); err != nil {
		return fail(err)
	}
	if err := bw.Flush(); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return path, nil
}

// Create makes an empty file private to the user, failing if anything (a file, a
// link) is already there.
func Create(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, FileMode)
	if err != nil {
		return err
	}
	if err := f.Chmod(FileMode); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}
