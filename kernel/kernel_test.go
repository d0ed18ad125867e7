package kernel

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestRuntimeDirIsPrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "rt")
	t.Setenv("IPADAPTER_KERNEL_DIR", dir)
	got, err := RuntimeDir()
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(got)
	if err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("runtime folder %s: mode %v, %v", got, st.Mode().Perm(), err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := RuntimeDir(); err == nil {
		t.Error("a runtime folder others can enter was accepted")
	}
}

// module writes a minimal copy of the module layout for SourceHash.
func module(t *testing.T) string {
	dir := t.TempDir()
	files := map[string]string{
		"go.mod":                  "module " + modulePath + "\n\ngo 1.27\n",
		"a/a.go":                  "package a\n",
		"a/a_test.go":             "package a\n",
		"testdata/x.go":           "package x\n",
		"notebooks/n.go":          "package n\n",
		"nested/go.mod":           "module other\n",
		"nested/n.go":             "package n\n",
		"kernel/cmd/main/main.go": "package main\n",
	}
	for name, data := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestSourceHash(t *testing.T) {
	dir := module(t)
	h0, err := SourceHash(dir)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, data string) string {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		h, err := SourceHash(dir)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	// Files that do not go into the backend binary do not count.
	for _, name := range []string{"a/a_test.go", "testdata/x.go", "notebooks/n.go", "nested/n.go"} {
		if h := write(name, "package changed\n"); h != h0 {
			t.Errorf("changing %s changed the hash", name)
		}
	}
	if h := write("a/a.go", "package a // changed\n"); h == h0 {
		t.Error("changing a source file kept the hash")
	}
	h1, _ := SourceHash(dir)
	t.Setenv("GOEXPERIMENT", "other")
	if h, _ := SourceHash(dir); h == h1 {
		t.Error("changing GOEXPERIMENT kept the hash")
	}
}

func TestSourceDir(t *testing.T) {
	t.Setenv("IPADAPTER_KERNEL_SOURCE", "")
	dir, err := SourceDir()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "kernel", "cmd", "ipadapter-kernel")); err != nil {
		t.Errorf("source folder %s has no backend command: %v", dir, err)
	}
	t.Setenv("IPADAPTER_KERNEL_SOURCE", t.TempDir())
	if _, err := SourceDir(); err == nil {
		t.Error("a folder without the module was accepted")
	}
}

func TestLockFileIsExclusive(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lock")
	unlock, err := lockFile(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
	defer cancel()
	if _, err := lockFile(ctx, path); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("second lock: %v, want to wait until the deadline", err)
	}
	unlock()
	unlock2, err := lockFile(t.Context(), path)
	if err != nil {
		t.Fatalf("lock after unlock: %v", err)
	}
	unlock2()
}

func TestDialNothing(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "kernel.log")
	os.WriteFile(log, []byte("line 1\npanic: out of memory\n"), 0o600)
	_, err := Dial(t.Context(), filepath.Join(dir, "none.sock"), log)
	var dead *DeadError
	if !errors.As(err, &dead) {
		t.Fatalf("dial without a backend: %v, want a DeadError", err)
	}
	if dead.Log != log || dead.LogTail != "line 1\npanic: out of memory" {
		t.Errorf("dead error names log %q with tail %q", dead.Log, dead.LogTail)
	}
}

func TestAbsIfLocal(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "model"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	if got := absIfLocal("model"); got != filepath.Join(dir, "model") {
		t.Errorf("local folder: %q", got)
	}
	for _, p := range []string{"h94/IP-Adapter", "", "/abs/path"} {
		if got := absIfLocal(p); got != p {
			t.Errorf("absIfLocal(%q) = %q, want it unchanged", p, got)
		}
	}
}
