package hub

import (
	"context"
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

const unetFile = "unet/diffusion_pytorch_model.safetensors"

// checkFile fails the test unless path holds want.
func checkFile(t *testing.T, path string, want []byte) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading %s: %v", path, err)
	}
	if string(got) != string(want) {
		t.Fatalf("%s: %d bytes, not the expected %d", path, len(got), len(want))
	}
}

func TestDownloadWritesPythonLayout(t *testing.T) {
	isolateEnv(t)
	fh := newFakeHub(t)
	cacheDir := t.TempDir()
	opts := fh.options(cacheDir)
	opts.Token = "tok"
	var calls [][2]int64
	opts.Progress = func(done, total int64) { calls = append(calls, [2]int64{done, total}) }
	ctx := context.Background()
	repo := filepath.Join(cacheDir, "models--org--model")

	for _, name := range []string{"config.json", unetFile} {
		f := fh.repos["org/model"][name]
		calls = nil
		path, err := Download(ctx, "org/model", name, opts)
		if err != nil {
			t.Fatalf("Download(%s): %v", name, err)
		}
		if want := filepath.Join(repo, "snapshots", testCommit, filepath.FromSlash(name)); path != want {
			t.Errorf("path %s, want %s", path, want)
		}
		checkFile(t, path, f.content)
		target, err := os.Readlink(path)
		wantTarget := filepath.FromSlash(strings.Repeat("../", strings.Count(name, "/")+2) + "blobs/" + f.etag())
		if err != nil || target != wantTarget {
			t.Errorf("%s links to %q (%v), want the relative %q", name, target, err, wantTarget)
		}
		size := int64(len(f.content))
		if len(calls) < 2 || calls[0] != [2]int64{0, size} || calls[len(calls)-1] != [2]int64{size, size} {
			t.Errorf("progress calls for %s: first/last of %v, want (0,%d) … (%d,%d)", name, calls, size, size, size)
		}
	}
	if ref, err := os.ReadFile(filepath.Join(repo, "refs", "main")); err != nil || string(ref) != testCommit {
		t.Errorf("refs/main = %q, %v", ref, err)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(repo, "blobs", "*.incomplete")); len(leftovers) != 0 {
		t.Errorf("incomplete files left: %v", leftovers)
	}
	// The token goes to the Hub, never to the CDN's signed address.
	for _, s := range fh.seenRequests("") {
		if wantAuth := map[string]string{"hub": "Bearer tok", "cdn": ""}[s.server]; s.auth != wantAuth {
			t.Errorf("%s %s %s: Authorization %q, want %q", s.server, s.method, s.path, s.auth, wantAuth)
		}
	}
	// Cached now: one HEAD to check main, no download.
	before := len(fh.seenRequests(""))
	if _, err := Download(ctx, "org/model", unetFile, opts); err != nil {
		t.Fatal(err)
	}
	if got := fh.seenRequests("")[before:]; len(got) != 1 || got[0].method != http.MethodHead {
		t.Errorf("second download made %v, want a single HEAD", got)
	}
}

func TestResumeIncompleteDownload(t *testing.T) {
	isolateEnv(t)
	fh := newFakeHub(t)
	cacheDir := t.TempDir()
	f := fh.repos["org/model"][unetFile]
	half := len(f.content) / 2
	blobs := filepath.Join(cacheDir, "models--org--model", "blobs")
	if err := os.MkdirAll(blobs, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(blobs, f.etag()+".incomplete"), f.content[:half], 0o644); err != nil {
		t.Fatal(err)
	}
	opts := fh.options(cacheDir)
	var first int64 = -1
	opts.Progress = func(done, _ int64) {
		if first < 0 {
			first = done
		}
	}
	path, err := Download(context.Background(), "org/model", unetFile, opts)
	if err != nil {
		t.Fatal(err)
	}
	checkFile(t, path, f.content)
	cdn := fh.seenRequests("cdn")
	if len(cdn) != 1 || cdn[0].rng != "bytes=150000-" {
		t.Errorf("CDN requests %v, want one with Range bytes=%d-", cdn, half)
	}
	if first != int64(half) {
		t.Errorf("progress started at %d, want the resumed %d", first, half)
	}
}

// A connection dropped mid-body is resumed within the same call.
func TestRetryResumesDroppedConnection(t *testing.T) {
	isolateEnv(t)
	fh := newFakeHub(t)
	var once sync.Once
	fh.setCDN(func(w http.ResponseWriter, r *http.Request, f fakeFile) {
		dropped := false
		once.Do(func() {
			dropped = true
			w.Header().Set("Content-Length", "300000")
			w.Write(f.content[:1000])
			w.(http.Flusher).Flush()
		})
		if dropped {
			panic(http.ErrAbortHandler) // closes the connection mid-body
		}
		serveBytes(w, r, f.content)
	})
	path, err := Download(context.Background(), "org/model", unetFile, fh.options(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	checkFile(t, path, fh.repos["org/model"][unetFile].content)
	if cdn := fh.seenRequests("cdn"); len(cdn) != 2 || cdn[1].rng != "bytes=1000-" {
		t.Errorf("CDN requests %v, want a retry with Range bytes=1000-", cdn)
	}
}

func TestSHA256MismatchInstallsNothing(t *testing.T) {
	isolateEnv(t)
	fh := newFakeHub(t)
	fh.setCDN(func(w http.ResponseWriter, r *http.Request, f fakeFile) {
		bad := []byte(string(f.content))
		bad[len(bad)/2] ^= 0xff
		serveBytes(w, r, bad)
	})
	cacheDir := t.TempDir()
	_, err := Download(context.Background(), "org/model", unetFile, fh.options(cacheDir))
	if !errors.Is(err, ErrIntegrity) || !strings.Contains(err.Error(), "sha256") {
		t.Fatalf("got %v, want an ErrIntegrity naming sha256", err)
	}
	repo := filepath.Join(cacheDir, "models--org--model")
	var installed []string
	filepath.WalkDir(repo, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			installed = append(installed, p)
		}
		return nil
	})
	if len(installed) != 0 {
		t.Errorf("files left after a corrupt download: %v", installed)
	}
}

func TestCancelKeepsPartialForResume(t *testing.T) {
	isolateEnv(t)
	fh := newFakeHub(t)
	f := fh.repos["org/model"][unetFile]
	fh.setCDN(func(w http.ResponseWriter, r *http.Request, f fakeFile) {
		w.Header().Set("Content-Length", "300000")
		w.Write(f.content[:100_000])
		w.(http.Flusher).Flush()
		<-r.Context().Done() // stall until the client gives up
	})
	cacheDir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opts := fh.options(cacheDir)
	opts.Progress = func(done, _ int64) {
		if done >= 100_000 {
			cancel()
		}
	}
	_, err := Download(ctx, "org/model", unetFile, opts)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	incomplete := filepath.Join(cacheDir, "models--org--model", "blobs", f.etag()+".incomplete")
	if st, err := os.Stat(incomplete); err != nil || st.Size() != 100_000 {
		t.Fatalf("partial file after cancel: %v, %v; want 100000 bytes kept", st, err)
	}
	fh.setCDN(nil)
	opts.Progress = nil
	path, err := Download(context.Background(), "org/model", unetFile, opts)
	if err != nil {
		t.Fatal(err)
	}
	checkFile(t, path, f.content)
	if cdn := fh.seenRequests("cdn"); cdn[len(cdn)-1].rng != "bytes=100000-" {
		t.Errorf("resume after cancel asked %q", cdn[len(cdn)-1].rng)
	}
}

func TestRelativeRedirectForRenamedRepo(t *testing.T) {
	isolateEnv(t)
	fh := newFakeHub(t)
	cacheDir := t.TempDir()
	path, err := Download(context.Background(), "old/model", "config.json", fh.options(cacheDir))
	if err != nil {
		t.Fatal(err)
	}
	checkFile(t, path, fh.repos["org/model"]["config.json"].content)
	// Cached under the name asked for, as huggingface_hub does.
	if !strings.HasPrefix(path, filepath.Join(cacheDir, "models--old--model")) {
		t.Errorf("cached at %s", path)
	}
}

func TestDisabledSymlinksMoveTheBlob(t *testing.T) {
	isolateEnv(t)
	t.Setenv("HF_HUB_DISABLE_SYMLINKS", "1")
	fh := newFakeHub(t)
	cacheDir := t.TempDir()
	f := fh.repos["org/model"][unetFile]
	path, err := Download(context.Background(), "org/model", unetFile, fh.options(cacheDir))
	if err != nil {
		t.Fatal(err)
	}
	if st, err := os.Lstat(path); err != nil || !st.Mode().IsRegular() {
		t.Fatalf("snapshot entry %v, %v; want a regular file", st, err)
	}
	checkFile(t, path, f.content)
	blob := filepath.Join(cacheDir, "models--org--model", "blobs", f.etag())
	if _, err := os.Stat(blob); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("blob still in blobs/ (%v); huggingface_hub moves a new blob into the snapshot", err)
	}

	// A blob already in blobs/ (maybe shared by other snapshots) is copied.
	cfg := fh.repos["org/model"]["config.json"]
	shared := filepath.Join(cacheDir, "models--org--model", "blobs", cfg.etag())
	if err := os.WriteFile(shared, cfg.content, 0o644); err != nil {
		t.Fatal(err)
	}
	path, err = Download(context.Background(), "org/model", "config.json", fh.options(cacheDir))
	if err != nil {
		t.Fatal(err)
	}
	if st, err := os.Lstat(path); err != nil || !st.Mode().IsRegular() {
		t.Fatalf("snapshot entry %v, %v; want a regular file", st, err)
	}
	checkFile(t, path, cfg.content)
	checkFile(t, shared, cfg.content)
	if n := len(fh.seenRequests("hub")); n != 2 {
		t.Errorf("%d Hub requests, want 2 (no GET for the cached blob)", n)
	}
}

// Two downloads of one blob at once: the lock makes the second wait and
// reuse the first's blob.
func TestConcurrentDownloadsShareOneTransfer(t *testing.T) {
	isolateEnv(t)
	fh := newFakeHub(t)
	opts := fh.options(t.TempDir())
	var wg sync.WaitGroup
	paths := make([]string, 2)
	errs := make([]error, 2)
	for i := range paths {
		wg.Go(func() { paths[i], errs[i] = Download(context.Background(), "org/model", unetFile, opts) })
	}
	wg.Wait()
	for i := range paths {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		checkFile(t, paths[i], fh.repos["org/model"][unetFile].content)
	}
	if n := len(fh.seenRequests("cdn")); n != 1 {
		t.Errorf("%d CDN downloads, want 1", n)
	}
}

// Without a lock (a filesystem lacking flock) concurrent downloads of one
// blob each use their own temporary file, so none corrupts another.
func TestUnlockedDownloadsDoNotShareAFile(t *testing.T) {
	isolateEnv(t)
	fh := newFakeHub(t)
	cacheDir := t.TempDir()
	r, err := newRequest("org/model", unetFile, fh.options(cacheDir))
	if err != nil {
		t.Fatal(err)
	}
	m, err := r.head(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	blob := r.cache.blobPath(m.etag)
	if err := os.MkdirAll(filepath.Dir(blob), 0o755); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		wg.Go(func() { errs[i] = r.fetchBlob(context.Background(), m, blob, false) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	checkFile(t, blob, fh.repos["org/model"][unetFile].content)
	if left, _ := filepath.Glob(blob + "*.incomplete"); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// A connection that stops sending is abandoned after HF_HUB_DOWNLOAD_TIMEOUT
// and the download resumes on a new one.
func TestStalledDownloadIsResumed(t *testing.T) {
	isolateEnv(t)
	t.Setenv("HF_HUB_DOWNLOAD_TIMEOUT", "1")
	fh := newFakeHub(t)
	var once sync.Once
	fh.setCDN(func(w http.ResponseWriter, r *http.Request, f fakeFile) {
		stall := false
		once.Do(func() { stall = true })
		if stall {
			w.Header().Set("Content-Length", "300000")
			w.Write(f.content[:5000])
			w.(http.Flusher).Flush()
			<-r.Context().Done()
			return
		}
		serveBytes(w, r, f.content)
	})
	path, err := Download(context.Background(), "org/model", unetFile, fh.options(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	checkFile(t, path, fh.repos["org/model"][unetFile].content)
	if cdn := fh.seenRequests("cdn"); len(cdn) != 2 || cdn[1].rng != "bytes=5000-" {
		t.Errorf("CDN requests %v, want a second one with Range bytes=5000-", cdn)
	}
}
