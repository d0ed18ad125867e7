package hub

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// pythonCache lays out, under a new cache folder, org/model as huggingface_hub
// writes it after downloading config.json and the UNet weights and learning
// that the fp16 variant does not exist.
func pythonCache(t *testing.T) (cacheDir string, files map[string]fakeFile) {
	t.Helper()
	cacheDir = t.TempDir()
	files = map[string]fakeFile{
		"config.json": {content: []byte(`{"a": 1}`)},
		"unet/diffusion_pytorch_model.safetensors": {content: bigContent(1000), lfs: true},
	}
	repo := filepath.Join(cacheDir, "models--org--model")
	write := func(rel string, data []byte) {
		p := filepath.Join(repo, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("refs/main", []byte(testCommit)) // Python writes no newline
	write(".no_exist/"+testCommit+"/unet/diffusion_pytorch_model.fp16.safetensors", nil)
	for name, f := range files {
		write("blobs/"+f.etag(), f.content)
		link := filepath.Join(repo, "snapshots", testCommit, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
			t.Fatal(err)
		}
		target := strings.Repeat("../", strings.Count(name, "/")+2) + "blobs/" + f.etag()
		if err := os.Symlink(target, link); err != nil {
			t.Fatal(err)
		}
	}
	return cacheDir, files
}

func TestOfflineResolvesPythonCache(t *testing.T) {
	for _, value := range []string{"1", "true", "YES", "on"} {
		t.Run("HF_HUB_OFFLINE="+value, func(t *testing.T) {
			isolateEnv(t)
			t.Setenv("HF_HUB_OFFLINE", value)
			t.Setenv("HF_ENDPOINT", "http://127.0.0.1:1") // would fail if used
			cacheDir, files := pythonCache(t)
			opts := Options{CacheDir: cacheDir}
			ctx := context.Background()
			for name, f := range files {
				path, err := Download(ctx, "org/model", name, opts)
				if err != nil {
					t.Fatalf("Download(%s): %v", name, err)
				}
				want := filepath.Join(cacheDir, "models--org--model", "snapshots", testCommit, filepath.FromSlash(name))
				if path != want {
					t.Errorf("Download(%s) = %s, want %s", name, path, want)
				}
				if got, err := os.ReadFile(path); err != nil || string(got) != string(f.content) {
					t.Errorf("reading %s: %v (content differs: %v)", path, err, string(got) != string(f.content))
				}
			}
			_, err := Download(ctx, "org/model", "unet/diffusion_pytorch_model.fp16.safetensors", opts)
			if !errors.Is(err, ErrEntryNotFound) {
				t.Errorf("file marked in .no_exist: got %v, want ErrEntryNotFound", err)
			}
			_, err = Download(ctx, "org/model", "unet/diffusion_pytorch_model.bin", opts)
			if !errors.Is(err, ErrNotCached) {
				t.Fatalf("uncached file offline: got %v, want ErrNotCached", err)
			}
			for _, want := range []string{"org/model/unet/diffusion_pytorch_model.bin", "offline", cacheDir,
				"hf download org/model unet/diffusion_pytorch_model.bin --cache-dir " + cacheDir, "huggingface-cli download"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("offline error %q lacks %q", err, want)
				}
			}
		})
	}
}

func TestOfflineFileExistsAndSnapshotDir(t *testing.T) {
	isolateEnv(t)
	cacheDir, _ := pythonCache(t)
	opts := Options{CacheDir: cacheDir, Offline: true, Endpoint: "http://127.0.0.1:1"}
	ctx := context.Background()
	cases := []struct {
		name    string
		want    bool
		wantErr error
	}{
		{"unet/diffusion_pytorch_model.safetensors", true, nil},
		{"unet/diffusion_pytorch_model.fp16.safetensors", false, nil},
		{"unet/diffusion_pytorch_model.bin", false, ErrNotCached},
	}
	for _, c := range cases {
		got, err := FileExists(ctx, "org/model", c.name, opts)
		if got != c.want || !errors.Is(err, c.wantErr) || (c.wantErr == nil && err != nil) {
			t.Errorf("FileExists(%s) = %v, %v; want %v, %v", c.name, got, err, c.want, c.wantErr)
		}
	}
	dir, err := SnapshotDir("org/model", opts)
	if want := filepath.Join(cacheDir, "models--org--model", "snapshots", testCommit); err != nil || dir != want {
		t.Errorf("SnapshotDir = %q, %v; want %q", dir, err, want)
	}
	if _, err := SnapshotDir("org/other", opts); !errors.Is(err, ErrNotCached) {
		t.Errorf("SnapshotDir of an uncached repo: got %v, want ErrNotCached", err)
	}
}

// A commit-hash revision needs neither refs/ nor the network once cached,
// even online.
func TestCommitRevisionSkipsRefsAndNetwork(t *testing.T) {
	isolateEnv(t)
	fh := newFakeHub(t)
	cacheDir, _ := pythonCache(t)
	if err := os.RemoveAll(filepath.Join(cacheDir, "models--org--model", "refs")); err != nil {
		t.Fatal(err)
	}
	opts := fh.options(cacheDir)
	opts.Revision = testCommit
	path, err := Download(context.Background(), "org/model", "config.json", opts)
	if err != nil || !strings.HasSuffix(path, filepath.Join(testCommit, "config.json")) {
		t.Fatalf("Download = %q, %v", path, err)
	}
	_, err = Download(context.Background(), "org/model", "unet/diffusion_pytorch_model.fp16.safetensors", opts)
	if !errors.Is(err, ErrEntryNotFound) {
		t.Errorf("absent file at a commit: got %v, want ErrEntryNotFound", err)
	}
	if n := len(fh.seenRequests("")); n != 0 {
		t.Errorf("%d requests for files cached at a commit, want 0", n)
	}
	// Without refs/main, the branch is unknown offline.
	opts.Revision, opts.Offline = "", true
	if _, err := Download(context.Background(), "org/model", "config.json", opts); !errors.Is(err, ErrNotCached) {
		t.Errorf("branch without refs offline: got %v, want ErrNotCached", err)
	}
}

func TestDefaultCacheDirPrecedence(t *testing.T) {
	isolateEnv(t)
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("USERPROFILE", home)
	t.Setenv("HF_HOME", "")
	steps := []struct {
		set, value, want string
	}{
		{"", "", filepath.Join(home, ".cache", "huggingface", "hub")},
		{"XDG_CACHE_HOME", "/xdg", filepath.Join("/xdg", "huggingface", "hub")},
		{"HF_HOME", "/hfhome", filepath.Join("/hfhome", "hub")},
		{"HUGGINGFACE_HUB_CACHE", "/legacy", "/legacy"},
		{"HF_HUB_CACHE", "/hubcache", "/hubcache"},
	}
	for _, s := range steps {
		if s.set != "" {
			t.Setenv(s.set, s.value)
		}
		got, err := DefaultCacheDir()
		if err != nil || got != s.want {
			t.Errorf("after setting %s: DefaultCacheDir() = %q, %v; want %q", s.set, got, err, s.want)
		}
	}
	t.Setenv("HF_HUB_CACHE", "~/hub")
	if got, _ := DefaultCacheDir(); got != filepath.Join(home, "hub") {
		t.Errorf("~ not expanded: %q", got)
	}
	cfg, err := Options{CacheDir: "/explicit"}.resolve()
	if err != nil || cfg.cacheDir != "/explicit" {
		t.Errorf("Options.CacheDir does not win: %q, %v", cfg.cacheDir, err)
	}
}
