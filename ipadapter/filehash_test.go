package ipadapter

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFileSHA256HubCache: a file of the Hub cache is named by its blob,
// whose name is the sha256 the Hub gave; nothing is read (the blob here
// deliberately holds other bytes), and the commit and the file's name in
// the repository come from the snapshot path.
func TestFileSHA256HubCache(t *testing.T) {
	root := t.TempDir()
	repo := filepath.Join(root, "models--org--name")
	blob := strings.Repeat("ab", 32)
	commit := strings.Repeat("c", 40)
	if err := os.MkdirAll(filepath.Join(repo, "blobs"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(repo, "blobs", blob), []byte("weights"), 0o644); err != nil {
		t.Fatal(err)
	}
	snap := filepath.Join(repo, "snapshots", commit, "unet")
	if err := os.MkdirAll(snap, 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(snap, "diffusion_pytorch_model.safetensors")
	if err := os.Symlink(filepath.Join("..", "..", "..", "blobs", blob), file); err != nil {
		t.Skipf("no symlinks here: %v", err)
	}
	h, err := fileSHA256(file)
	if err != nil || h != blob {
		t.Errorf("hash %q (%v), want the blob name %s", h, err, blob)
	}
	if c := commitOf(file); c != commit {
		t.Errorf("commit %q, want %s", c, commit)
	}
	if n := repoFileName(file, ""); n != "unet/diffusion_pytorch_model.safetensors" {
		t.Errorf("name in the repository %q", n)
	}
}

// TestFileSHA256Cached: a local file is hashed once; the hash is kept in
// the user's cache folder for the next process, keyed by path, size and
// modification time.
func TestFileSHA256Cached(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	file := filepath.Join(t.TempDir(), "model.safetensors")
	data := []byte("some weights")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	want := hex.EncodeToString(sum[:])
	h, err := fileSHA256(file)
	if err != nil || h != want {
		t.Fatalf("hash %q (%v), want %s", h, err, want)
	}
	st, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(file)
	key := hashKey(abs, st)
	if got := readHashCache(key); got != want {
		t.Errorf("on-disk cache holds %q, want %s", got, want)
	}
	// Another version of the file (new size and time) is hashed anew.
	if err := os.WriteFile(file, []byte("other weights!"), 0o644); err != nil {
		t.Fatal(err)
	}
	if h2, err := fileSHA256(file); err != nil || h2 == want {
		t.Errorf("changed file: hash %q (%v)", h2, err)
	}
}
