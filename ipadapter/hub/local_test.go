package hub

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLocalFolderAndFile(t *testing.T) {
	isolateEnv(t)
	t.Setenv("HF_ENDPOINT", "http://127.0.0.1:1") // a local path must never reach the network
	dir := t.TempDir()
	weights := filepath.Join(dir, "unet", "diffusion_pytorch_model.safetensors")
	if err := os.MkdirAll(filepath.Dir(weights), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(weights, []byte("w"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	got, err := Download(ctx, dir, "unet/diffusion_pytorch_model.safetensors", Options{})
	if err != nil || got != weights {
		t.Errorf("Download(folder) = %q, %v; want %q", got, err, weights)
	}
	_, err = Download(ctx, dir, "unet/diffusion_pytorch_model.fp16.safetensors", Options{})
	if !errors.Is(err, ErrEntryNotFound) || !strings.Contains(err.Error(), dir) {
		t.Errorf("missing file in folder: got %v, want ErrEntryNotFound naming the folder", err)
	}
	if ok, err := FileExists(ctx, dir, "unet/diffusion_pytorch_model.fp16.safetensors", Options{}); ok || err != nil {
		t.Errorf("FileExists(missing local) = %v, %v; want false, nil", ok, err)
	}
	if ok, err := FileExists(ctx, dir, "unet/diffusion_pytorch_model.safetensors", Options{}); !ok || err != nil {
		t.Errorf("FileExists(local) = %v, %v; want true, nil", ok, err)
	}
	if got, err := SnapshotDir(dir, Options{}); got != dir || err != nil {
		t.Errorf("SnapshotDir(folder) = %q, %v", got, err)
	}

	// A single file stands for itself.
	if got, err := Download(ctx, weights, "", Options{}); got != weights || err != nil {
		t.Errorf("Download(file, \"\") = %q, %v", got, err)
	}
	if _, err := Download(ctx, weights, "other.bin", Options{}); !errors.Is(err, ErrEntryNotFound) {
		t.Errorf("Download(file, name): got %v, want ErrEntryNotFound", err)
	}

	// Paths that exist nowhere and are not repository ids are rejected up front.
	for _, bad := range []string{filepath.Join(dir, "nope"), "./models/x", "a/b/c", "org/--bad"} {
		if _, err := Download(ctx, bad, "x.bin", Options{}); err == nil || !strings.Contains(err.Error(), "neither an existing local path") {
			t.Errorf("Download(%q): got %v, want a 'neither a local path nor a repo id' error", bad, err)
		}
	}
	// File names and revisions cannot climb out of the cache.
	for _, bad := range []string{"../x.bin", "/etc/passwd", "a/../../x"} {
		if _, err := Download(ctx, "org/model", bad, Options{Offline: true}); err == nil || !strings.Contains(err.Error(), "invalid file name") {
			t.Errorf("Download(file %q): got %v, want an invalid file name error", bad, err)
		}
	}
	if _, err := Download(ctx, "org/model", "x.bin", Options{Offline: true, Revision: "../../x"}); err == nil || !strings.Contains(err.Error(), "invalid revision") {
		t.Errorf("bad revision: got %v", err)
	}
}
