package hub

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestErrorAnswersSayWhatToDo(t *testing.T) {
	isolateEnv(t)
	fh := newFakeHub(t)
	ctx := context.Background()
	cases := []struct {
		repo, file, revision string
		want                 error
		says                 []string
	}{
		{"org/missing", "x.bin", "", ErrRepoNotFound, []string{"401", "RepoNotFound", "check the repository id", "no token was sent", "HF_TOKEN"}},
		{"org/gated", "model.bin", "", ErrAccessDenied, []string{"gated", "accept its licence", fh.hub.URL + "/org/gated", "HF_TOKEN"}},
		{"org/model", "unet/nope.bin", "", ErrEntryNotFound, []string{"404", "EntryNotFound", "check the file name", "unet/nope.bin"}},
		{"org/model", "config.json", "v9", ErrRepoNotFound, []string{"RevisionNotFound", `revision "v9" does not exist`}},
	}
	for _, c := range cases {
		opts := fh.options(t.TempDir())
		opts.Revision = c.revision
		_, err := Download(ctx, c.repo, c.file, opts)
		if !errors.Is(err, c.want) {
			t.Errorf("%s/%s@%s: got %v, want %v", c.repo, c.file, c.revision, err, c.want)
			continue
		}
		for _, s := range c.says {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("%s/%s: message %q lacks %q", c.repo, c.file, err, s)
			}
		}
	}
	opts := fh.options(t.TempDir())
	opts.Token = "good"
	if _, err := Download(ctx, "org/gated", "model.bin", opts); err != nil {
		t.Errorf("gated repo with a valid token: %v", err)
	}
}

// A 404 leaves the .no_exist marker and ref huggingface_hub leaves, and the
// next question is answered from the cache.
func TestNotFoundIsRecordedInNoExist(t *testing.T) {
	isolateEnv(t)
	fh := newFakeHub(t)
	cacheDir := t.TempDir()
	opts := fh.options(cacheDir)
	ctx := context.Background()
	const fp16 = "unet/diffusion_pytorch_model.fp16.safetensors"
	if ok, err := FileExists(ctx, "org/model", fp16, opts); ok || err != nil {
		t.Fatalf("FileExists(absent) = %v, %v; want false, nil", ok, err)
	}
	repo := filepath.Join(cacheDir, "models--org--model")
	if st, err := os.Stat(filepath.Join(repo, ".no_exist", testCommit, filepath.FromSlash(fp16))); err != nil || st.Size() != 0 {
		t.Errorf(".no_exist marker: %v, %v", st, err)
	}
	if ref, err := os.ReadFile(filepath.Join(repo, "refs", "main")); err != nil || string(ref) != testCommit {
		t.Errorf("refs/main = %q, %v", ref, err)
	}
	if ok, err := FileExists(ctx, "org/model", unetFile, opts); !ok || err != nil {
		t.Errorf("FileExists(present, uncached) = %v, %v; want true, nil", ok, err)
	}
	before := len(fh.seenRequests(""))
	if ok, err := FileExists(ctx, "org/model", fp16, opts); ok || err != nil {
		t.Errorf("FileExists(absent, recorded) = %v, %v", ok, err)
	}
	if n := len(fh.seenRequests("")) - before; n != 0 {
		t.Errorf("%d requests for a file recorded in .no_exist, want 0", n)
	}
	if _, err := Download(ctx, "org/other", "x", opts); !errors.Is(err, ErrRepoNotFound) {
		t.Errorf("unknown repo: %v", err)
	}
	if ok, err := FileExists(ctx, "org/missing", "x.bin", opts); ok || !errors.Is(err, ErrRepoNotFound) {
		t.Errorf("FileExists on a missing repo = %v, %v; want an ErrRepoNotFound error, not a plain false", ok, err)
	}
}

func TestTokenSources(t *testing.T) {
	cases := []struct {
		name   string
		env    map[string]string
		file   string // token file content, written to $HF_HOME/token
		option string
		want   string
	}{
		{name: "none", want: ""},
		{name: "option", option: "opt", env: map[string]string{"HF_TOKEN": "env"}, want: "Bearer opt"},
		{name: "HF_TOKEN", env: map[string]string{"HF_TOKEN": "env"}, file: "file", want: "Bearer env"},
		{name: "legacy env", env: map[string]string{"HUGGING_FACE_HUB_TOKEN": "old"}, want: "Bearer old"},
		{name: "token file", file: "  file\n", want: "Bearer file"},
		{name: "disabled", env: map[string]string{"HF_TOKEN": "env", "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1"}, want: ""},
		{name: "disabled keeps option", option: "opt", env: map[string]string{"HF_HUB_DISABLE_IMPLICIT_TOKEN": "true"}, want: "Bearer opt"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			isolateEnv(t)
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			if c.file != "" {
				if err := os.WriteFile(filepath.Join(os.Getenv("HF_HOME"), "token"), []byte(c.file), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			fh := newFakeHub(t)
			opts := fh.options(t.TempDir())
			opts.Token = c.option
			if _, err := Download(context.Background(), "org/model", "config.json", opts); err != nil {
				t.Fatal(err)
			}
			for _, s := range fh.seenRequests("hub") {
				if s.auth != c.want {
					t.Errorf("%s %s sent Authorization %q, want %q", s.method, s.path, s.auth, c.want)
				}
			}
		})
	}
	t.Run("HF_TOKEN_PATH", func(t *testing.T) {
		isolateEnv(t)
		path := filepath.Join(t.TempDir(), "elsewhere")
		if err := os.WriteFile(path, []byte("pathtok"), 0o600); err != nil {
			t.Fatal(err)
		}
		t.Setenv("HF_TOKEN_PATH", path)
		if tok, err := implicitToken(); err != nil || tok != "pathtok" {
			t.Errorf("implicitToken() = %q, %v", tok, err)
		}
	})
}

// When the Hub fails, a file cached for the revision is returned and the
// cache is left as it was.
func TestFallbackToCacheWhenHubFails(t *testing.T) {
	isolateEnv(t)
	fh := newFakeHub(t)
	cacheDir := t.TempDir()
	opts := fh.options(cacheDir)
	ctx := context.Background()
	want, err := Download(ctx, "org/model", unetFile, opts)
	if err != nil {
		t.Fatal(err)
	}
	snapshot := listTree(t, cacheDir)

	for _, status := range []int{http.StatusInternalServerError, http.StatusServiceUnavailable, http.StatusUnauthorized} {
		fh.setStatus(status)
		if got, err := Download(ctx, "org/model", unetFile, opts); err != nil || got != want {
			t.Errorf("Hub answering %d: Download = %q, %v; want the cached %q", status, got, err, want)
		}
	}
	fh.setStatus(http.StatusInternalServerError)
	_, err = Download(ctx, "org/model", "config.json", opts)
	if !errors.Is(err, ErrNotCached) || !strings.Contains(err.Error(), "check the connection") {
		t.Errorf("500 and not cached: got %v, want ErrNotCached advising to check the connection", err)
	}
	if ok, err := FileExists(ctx, "org/model", "config.json", opts); ok || !errors.Is(err, ErrNotCached) {
		t.Errorf("FileExists with the Hub down = %v, %v; want false, ErrNotCached", ok, err)
	}

	fh.hub.Close()
	if got, err := Download(ctx, "org/model", unetFile, opts); err != nil || got != want {
		t.Errorf("Hub unreachable: Download = %q, %v; want the cached %q", got, err, want)
	}
	if _, err := Download(ctx, "org/model", "config.json", opts); !errors.Is(err, ErrNotCached) {
		t.Errorf("Hub unreachable and not cached: got %v, want ErrNotCached", err)
	}
	if after := listTree(t, cacheDir); after != snapshot {
		t.Errorf("cache changed by failed calls:\nbefore %s\nafter  %s", snapshot, after)
	}
}

func TestCancelledContextStopsBeforeNetwork(t *testing.T) {
	isolateEnv(t)
	fh := newFakeHub(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Download(ctx, "org/model", "config.json", fh.options(t.TempDir())); !errors.Is(err, context.Canceled) {
		t.Errorf("Download: got %v, want context.Canceled", err)
	}
	if _, err := FileExists(ctx, "org/model", "config.json", fh.options(t.TempDir())); !errors.Is(err, context.Canceled) {
		t.Errorf("FileExists: got %v, want context.Canceled", err)
	}
	if n := len(fh.seenRequests("")); n != 0 {
		t.Errorf("%d requests with a cancelled context", n)
	}
}

// listTree lists every path under dir with its size, to compare before and after.
func listTree(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		b.WriteString(rel)
		if !info.IsDir() {
			b.WriteString("=" + info.Mode().String())
		}
		b.WriteString(" ")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}
