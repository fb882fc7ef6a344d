package site

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// markerFile marks a folder as a site haguide wrote, so that Write replaces
// only an empty folder or one of its own sites.
const markerFile = ".haguide-site"

// Write writes a site into dir: into a new folder beside dir first, which
// then takes dir's place (exchanged atomically where the kernel can, then
// the old site removed). dir may be missing, empty, or a site haguide
// wrote before; Write refuses any other folder rather than delete it.
func Write(s *Site, dir string) (err error) {
	if dir == "" {
		return errors.New("site: no output folder")
	}
	dir = filepath.Clean(dir)
	if err := replaceable(dir); err != nil {
		return err
	}
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("site: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".new-")
	if err != nil {
		return fmt.Errorf("site: %w", err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	if err := os.Chmod(tmp, 0o755); err != nil {
		return fmt.Errorf("site: %w", err)
	}
	names := make([]string, 0, len(s.Files))
	for n := range s.Files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if !fs.ValidPath(n) || strings.HasPrefix(n, "../") {
			return fmt.Errorf("site: bad file name %q", n)
		}
		p := filepath.Join(tmp, filepath.FromSlash(n))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("site: %w", err)
		}
		if err := os.WriteFile(p, s.Files[n], 0o644); err != nil {
			return fmt.Errorf("site: %w", err)
		}
	}
	return swap(tmp, dir)
}

// ErrOccupied is an output folder that holds files haguide did not write:
// Write leaves it alone.
var ErrOccupied = errors.New("a folder with other files in it")

// replaceable checks that dir is missing, empty, or a site haguide built.
func replaceable(dir string) error {
	st, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("site: %w", err)
	}
	if !st.IsDir() {
		return fmt.Errorf("site: %s is not a folder", dir)
	}
	if _, err := os.Stat(filepath.Join(dir, markerFile)); err == nil {
		return nil
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("site: %w", err)
	}
	if len(ents) > 0 {
		return fmt.Errorf("site: %s is %w (no %s): choose another or empty it", dir, ErrOccupied, markerFile)
	}
	return nil
}

// swap puts the folder tmp in dir's place and removes the old dir.
func swap(tmp, dir string) error {
	if _, err := os.Lstat(dir); errors.Is(err, fs.ErrNotExist) {
		if err := os.Rename(tmp, dir); err != nil {
			return fmt.Errorf("site: %w", err)
		}
		return nil
	}
	// One step where the kernel can (Linux): no moment without a site
	// at dir.
	if exchange(tmp, dir) == nil {
		return removeOld(tmp)
	}
	old := tmp + ".old"
	if err := os.Rename(dir, old); err != nil {
		return fmt.Errorf("site: %w", err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		_ = os.Rename(old, dir)
		return fmt.Errorf("site: %w", err)
	}
	return removeOld(old)
}

func removeOld(p string) error {
	if err := os.RemoveAll(p); err != nil {
		return fmt.Errorf("site: removing the previous site: %w", err)
	}
	return nil
}
