package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"gorm.io/gorm"

	"github.com/seatledger/seatledger/internal/privfile"
)

// ErrNoDatabase is returned when a command that does not create databases is pointed
// at a SQLite file that does not exist: a typo'd path must not leave an empty
// database behind.
var ErrNoDatabase = errors.New("no such database")

// sqliteFile decides how to open a SQLite database file before the driver is asked,
// because the driver's own errors ("unable to open database file: out of memory (14)")
// name neither the file nor the cause. It returns the file's absolute path and why
// the database can only be read ("" when it can be written).
func sqliteFile(path string, create bool) (string, string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", "", fmt.Errorf("SQLite database %s: %w", path, err)
	}
	dir := filepath.Dir(abs)
	info, statErr := os.Stat(abs)
	switch {
	case statErr == nil && info.IsDir():
		return abs, "", fmt.Errorf("cannot open SQLite database %s: it is a folder", abs)
	case errors.Is(statErr, fs.ErrNotExist) && !create:
		return abs, "", fmt.Errorf("SQLite database %s does not exist (%w): check the path, or create it with `seatledger migrate up`", abs, ErrNoDatabase)
	case errors.Is(statErr, fs.ErrNotExist):
		// The database holds users' names and sign-in times: its folder is private.
		if err := os.MkdirAll(dir, privfile.DirMode); err != nil {
			return abs, "", fmt.Errorf("cannot create the folder of SQLite database %s: %s", abs, plainCause(err))
		}
	case statErr != nil:
		return abs, "", fmt.Errorf("cannot open SQLite database %s: %s", abs, plainCause(statErr))
	}
	// SQLite writes the -wal and -shm files beside the database, so a writable file in
	// a read-only folder cannot be written either.
	if !dirWritable(dir) {
		if create || statErr != nil {
			return abs, "", fmt.Errorf("cannot open SQLite database %s: folder %s not writable", abs, dir)
		}
		return abs, "folder " + dir + " not writable", nil
	}
	if statErr != nil {
		// Created here rather than by SQLite (0644 less the umask): SQLite gives the
		// -wal and -shm files the mode of the database file, so all three are private.
		if err := privfile.Create(abs); err != nil {
			return abs, "", fmt.Errorf("cannot create SQLite database %s: %s", abs, plainCause(err))
		}
	}
	if statErr == nil {
		f, err := os.OpenFile(abs, os.O_RDWR, 0)
		if err != nil {
			if !errors.Is(err, fs.ErrPermission) {
				return abs, "", fmt.Errorf("cannot open SQLite database %s: %s", abs, plainCause(err))
			}
			if create {
				return abs, "", fmt.Errorf("cannot write SQLite database %s: file is read-only", abs)
			}
			return abs, "file is read-only", nil
		}
		_ = f.Close()
	}
	return abs, "", nil
}

// dirWritable tries what SQLite will do: create a file in dir.
func dirWritable(dir string) bool {
	f, err := os.CreateTemp(dir, ".seatledger-probe-*")
	if err != nil {
		return false
	}
	_ = f.Close()
	_ = os.Remove(f.Name())
	return true
}

func plainCause(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// refuseWrites makes every write on a read-only database fail with the reason, before
// SQLite answers "attempt to write a readonly database".
func refuseWrites(db *gorm.DB, path, reason string) error {
	refuse := func(tx *gorm.DB) {
		_ = tx.AddError(fmt.Errorf("cannot write SQLite database %s: %s (list and show commands still work)", path, reason))
	}
	cb := db.Callback()
	for _, err := range []error{
		cb.Create().Before("gorm:create").Register("seatledger:read_only", refuse),
		cb.Update().Before("gorm:update").Register("seatledger:read_only", refuse),
		cb.Delete().Before("gorm:delete").Register("seatledger:read_only", refuse),
		cb.Raw().Before("gorm:raw").Register("seatledger:read_only", refuse),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}
