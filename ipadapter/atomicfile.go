package ipadapter

import (
	"fmt"
	"os"
	"path/filepath"
)

// writeFileAtomic writes data to path so that path is at every moment
// either absent/old or complete: the data goes to a temporary file in the
// same folder (same filesystem, so the rename is atomic), is synced, and
// replaces path by rename. An interrupted save leaves at most a stray
// temporary file, never a half-written image.
func writeFileAtomic(path string, data []byte) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("saving %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return fmt.Errorf("saving %s: %w", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("saving %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("saving %s: %w", path, err)
	}
	// CreateTemp makes the file 0600; an image is an ordinary file.
	if err = os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("saving %s: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("saving %s: %w", path, err)
	}
	return nil
}
