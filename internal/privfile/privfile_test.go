package privfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestWriteReplacesAPlantedLink(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	victim := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(victim, []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "out", "nested")
	if err := Dir(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, filepath.Join(dir, "file")); err != nil {
		t.Fatal(err)
	}
	path, err := Write(dir, "file", []byte("new"))
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(victim); string(b) != "precious" {
		t.Errorf("the link was followed: victim holds %q", b)
	}
	info, err := os.Lstat(path)
	if err != nil || !info.Mode().IsRegular() || info.Mode().Perm() != FileMode {
		t.Errorf("%s: %v, %v", path, info.Mode(), err)
	}
	for _, d := range []string{dir, filepath.Dir(dir)} {
		if info, err := os.Stat(d); err != nil || info.Mode().Perm() != DirMode {
			t.Errorf("%s: %v, %v", d, info.Mode(), err)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}
}

func TestDirRefusesFoldersOthersControl(t *testing.T) {
	shared := filepath.Join(t.TempDir(), "shared")
	if err := os.Mkdir(shared, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(shared, 0o777|os.ModeSticky); err != nil {
		t.Fatal(err)
	}
	if err := Dir(shared); err == nil || !strings.Contains(err.Error(), "can be written by other users") {
		t.Errorf("world-writable folder: %v", err)
	}
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(t.TempDir(), link); err != nil {
		t.Fatal(err)
	}
	if err := Dir(link); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("link to a folder: %v", err)
	}
	if os.Geteuid() != 0 {
		t.Log("not root: a folder of another user cannot be made here")
		return
	}
	theirs := filepath.Join(t.TempDir(), "theirs")
	if err := os.Mkdir(theirs, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(theirs, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	if err := Dir(theirs); err == nil || !strings.Contains(err.Error(), "belongs to another user") {
		t.Errorf("folder of another user: %v", err)
	}
}

// A write that fails half-way leaves the earlier file as it was and no temporary file.
func TestWriteFromFailureKeepsTheOldFile(t *testing.T) {
	dir := t.TempDir()
	if _, err := Write(dir, "export.csv", []byte("old")); err != nil {
		t.Fatal(err)
	}
	_, err := WriteFrom(dir, "export.csv", func(w io.Writer) error {
		_, _ = w.Write([]byte("half"))
		return errors.New("the database went away")
	})
	if err == nil || !strings.Contains(err.Error(), "the database went away") {
		t.Fatalf("err = %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "export.csv")); string(b) != "old" {
		t.Errorf("export.csv holds %q", b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("left in the folder: %v", entries)
	}
}
