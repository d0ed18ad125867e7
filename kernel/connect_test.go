package kernel

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestConnectStartsOneBackend builds the backend from this repository
// into a fresh cache, starts it detached, and checks that cells
// connecting at once share one backend and that a later Connect finds it.
// It builds the real binary (tens of seconds with a warm Go build cache).
func TestConnectStartsOneBackend(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the backend")
	}
	rt, err := os.MkdirTemp("", "ipkc") // short: unix socket paths are limited
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(rt) })
	t.Setenv("IPADAPTER_KERNEL_DIR", rt)
	t.Setenv("IPADAPTER_KERNEL_SOURCE", "")
	t.Setenv("IPADAPTER_KERNEL_BIN", "")
	// A fresh cache folder for the binary, but the usual Go build cache
	// (which follows XDG_CACHE_HOME unless GOCACHE is set).
	gocache, err := exec.Command("go", "env", "GOCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOCACHE", strings.TrimSpace(string(gocache)))
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	ctx, cancel := context.WithTimeout(t.Context(), 8*time.Minute)
	defer cancel()
	opts := ConnectOptions{IdleTimeout: "2m", Logf: t.Logf}

	var wg sync.WaitGroup
	pids := make([]int, 3)
	errs := make([]error, 3)
	for i := range pids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := ConnectWith(ctx, opts)
			if err != nil {
				errs[i] = err
				return
			}
			st, err := c.Status(ctx)
			if err != nil {
				errs[i] = err
				return
			}
			pids[i] = st.PID
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if pids[0] != pids[1] || pids[1] != pids[2] {
		t.Fatalf("three cells started backends %v", pids)
	}
	c, err := ConnectWith(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	src, _ := SourceDir()
	hash, _ := SourceHash(src)
	if st.PID != pids[0] || st.Build != hash || st.Log != filepath.Join(rt, "kernel.log") {
		t.Errorf("status pid %d build %s log %s; want pid %d build %s", st.PID, st.Build, st.Log, pids[0], hash)
	}
	if st.PID == os.Getpid() {
		t.Error("the backend runs in the test process")
	}
	if err := c.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if !waitGone(SocketPath(rt), time.Minute) {
		t.Error("the backend did not exit")
	}
}
