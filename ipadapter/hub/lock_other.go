//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package hub

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// lockPoll is how often a waiting download retries the lock.
const lockPoll = 50 * time.Millisecond

// lockFile takes the lock by creating path exclusively and releases it by
// removing it, like Python's SoftFileLock used where flock is missing. A
// process killed while holding it leaves the file behind: remove it by hand.
func lockFile(ctx context.Context, path string) (unlock func(), exclusive bool, err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, false, fmt.Errorf("hub: creating lock folder: %w", err)
	}
	for {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o664)
		if err == nil {
			f.Close()
			return func() { os.Remove(path) }, true, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, false, fmt.Errorf("hub: creating lock %s: %w", path, err)
		}
		if err := sleep(ctx, lockPoll); err != nil {
			return nil, false, fmt.Errorf("hub: waiting for lock %s (remove it if no download is running): %w", path, err)
		}
	}
}
