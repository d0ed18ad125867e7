//go:build unix

package kernel

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// spawn starts the backend in its own session, so it outlives the cell
// that started it (GoNB ends a cell's process group when the cell ends or
// is interrupted). Its output goes to the log file.
func spawn(bin, socket, logPath, idle, hash string) error {
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := exec.Command(bin, "-socket", socket, "-idle", idle, "-build", hash, "-log", logPath)
	cmd.Stdout, cmd.Stderr = logf, logf
	// Not the cell's folder: GoNB deletes it when the kernel stops. The
	// client makes local paths absolute before sending them.
	cmd.Dir = filepath.Dir(socket)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting the notebook backend %s: %w", bin, err)
	}
	// Reap it if it dies while this process still runs; otherwise init
	// adopts it.
	go cmd.Wait()
	return nil
}

// lockFile takes an exclusive lock on path, waiting up to ten minutes
// (another cell may be building the backend).
func lockFile(ctx context.Context, path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(10 * time.Minute)
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() {
				syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
				f.Close()
			}, nil
		}
		if err != syscall.EWOULDBLOCK || time.Now().After(deadline) {
			f.Close()
			return nil, fmt.Errorf("locking %s: %w", path, err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}
