package kernel

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// Files in the runtime folder.
const (
	socketName = "kernel.sock"
	logName    = "kernel.log"
	lockName   = "start.lock"
)

// RuntimeDir returns the backend's runtime folder, creating it with mode
// 0700: the socket gives whoever can reach it the user's GPU and files,
// so no one else may. An existing folder that others can enter is an
// error, not silently used.
func RuntimeDir() (string, error) {
	dir := os.Getenv("IPADAPTER_KERNEL_DIR")
	if dir == "" {
		if x := os.Getenv("XDG_RUNTIME_DIR"); x != "" {
			dir = filepath.Join(x, "gonb-ipadapter")
		} else {
			dir = filepath.Join(os.TempDir(), "gonb-ipadapter-"+strconv.Itoa(os.Getuid()))
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("kernel runtime folder: %w", err)
	}
	st, err := os.Stat(dir)
	if err != nil {
		return "", fmt.Errorf("kernel runtime folder: %w", err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("kernel runtime folder %s has mode %v: it must be private (chmod 700 it, or set IPADAPTER_KERNEL_DIR)", dir, st.Mode().Perm())
	}
	if err := checkOwner(st); err != nil {
		return "", fmt.Errorf("kernel runtime folder %s: %w", dir, err)
	}
	return dir, nil
}

// SocketPath and LogPath are the backend's socket and log in a runtime
// folder.
func SocketPath(dir string) string { return filepath.Join(dir, socketName) }

// LogPath is the backend's log file in a runtime folder.
func LogPath(dir string) string { return filepath.Join(dir, logName) }

// cacheDir is where built backends are kept, one folder per source hash.
func cacheDir() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	dir := filepath.Join(base, "gonb-ipadapter", "kernel")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	return dir, nil
}
