//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package hub

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// lockPoll is how often a waiting download retries the lock; short next to
// any download, and it lets a cancelled context end the wait.
const lockPoll = 50 * time.Millisecond

// lockFile takes an exclusive flock on path, the same lock Python's filelock
// takes there, so Go and Python processes never download one blob at once.
// On a filesystem without flock (some network mounts) it goes on unlocked,
// as huggingface_hub's WeakFileLock does, and says so with exclusive=false.
func lockFile(ctx context.Context, path string) (unlock func(), exclusive bool, err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, false, fmt.Errorf("hub: creating lock folder: %w", err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o664)
	if err != nil {
		return nil, false, fmt.Errorf("hub: opening lock %s: %w", path, err)
	}
	fd := int(f.Fd())
	for {
		err := syscall.Flock(fd, syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { syscall.Flock(fd, syscall.LOCK_UN); f.Close() }, true, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			return func() { f.Close() }, false, nil
		}
		if err := sleep(ctx, lockPoll); err != nil {
			f.Close()
			return nil, false, fmt.Errorf("hub: waiting for lock %s: %w", path, err)
		}
	}
}
