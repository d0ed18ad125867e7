package hub

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/atomicfile"
)

// installPointer makes the snapshot entry for a blob: a relative symlink, so
// the cache survives being moved, exactly as huggingface_hub writes it. Where
// symlinks cannot be made (or HF_HUB_DISABLE_SYMLINKS is set) the snapshot
// gets the file itself: a blob just downloaded (newBlob) is moved there, an
// older one, possibly shared with other snapshots, is copied.
func installPointer(blob, pointer string, newBlob bool) error {
	if err := os.MkdirAll(filepath.Dir(pointer), 0o755); err != nil {
		return fmt.Errorf("hub: creating snapshot folder: %w", err)
	}
	if st, err := os.Lstat(pointer); err == nil && st.Mode()&fs.ModeSymlink != 0 {
		os.Remove(pointer) // dangling: its blob was deleted by hand
	}
	if !envTrue("HF_HUB_DISABLE_SYMLINKS") {
		target, err := filepath.Rel(filepath.Dir(pointer), blob)
		if err != nil {
			target = blob
		}
		err = os.Symlink(target, pointer)
		if err == nil || (errors.Is(err, fs.ErrExist) && isFile(pointer)) {
			return nil // made here, or concurrently by another process
		}
	}
	if newBlob {
		if err := os.Rename(blob, pointer); err != nil {
			return fmt.Errorf("hub: moving blob into snapshot: %w", err)
		}
		return nil
	}
	if err := copyFile(blob, pointer); err != nil {
		return fmt.Errorf("hub: copying blob into snapshot: %w", err)
	}
	return nil
}

// copyFile copies src to dst through a temporary name (package atomicfile),
// so dst never exists half-written.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	return atomicfile.Write(dst, func(w io.Writer) error {
		_, err := io.Copy(w, in)
		return err
	})
}
