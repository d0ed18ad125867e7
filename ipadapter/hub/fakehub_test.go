package hub

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// testCommit is the commit every fake repository is at.
const testCommit = "0123456789abcdef0123456789abcdef01234567"

// fakeFile is one file of a fake repository; LFS files are served by the CDN.
type fakeFile struct {
	content []byte
	lfs     bool
}

func (f fakeFile) etag() string {
	if f.lfs {
		sum := sha256.Sum256(f.content)
		return hex.EncodeToString(sum[:])
	}
	// A git blob id, what the Hub sends as ETag for files not in LFS.
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(f.content))
	h.Write(f.content)
	return hex.EncodeToString(h.Sum(nil))
}

// seen is one request the fake servers received.
type seen struct {
	server, method, path, auth, rng string
}

// fakeHub emulates the Hub's resolve endpoint (HEAD and GET, X-Repo-Commit,
// X-Linked-*, X-Error-Code) and, on a second server so on another host, the
// CDN serving LFS files with Range support.
type fakeHub struct {
	hub, cdn *httptest.Server
	repos    map[string]map[string]fakeFile
	gated    map[string]bool   // repo → needs "Bearer good"
	renamed  map[string]string // old repo id → new one (relative redirect)

	mu       sync.Mutex
	requests []seen
	status   int // when set, the Hub answers every request with it
	// cdnServe, when set, replaces the CDN's answer (corruption, stalls).
	cdnServe func(w http.ResponseWriter, r *http.Request, f fakeFile)
}

// bigContent is a deterministic LFS payload of n bytes.
func bigContent(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}

func newFakeHub(t *testing.T) *fakeHub {
	t.Helper()
	fh := &fakeHub{
		repos: map[string]map[string]fakeFile{
			"org/model": {
				"config.json": {content: []byte(`{"a": 1}`)},
				"unet/diffusion_pytorch_model.safetensors": {content: bigContent(300_000), lfs: true},
			},
			"org/gated": {"model.bin": {content: []byte("secret weights"), lfs: true}},
		},
		gated:   map[string]bool{"org/gated": true},
		renamed: map[string]string{"old/model": "org/model"},
	}
	fh.hub = httptest.NewServer(http.HandlerFunc(fh.serveHub))
	fh.cdn = httptest.NewServer(http.HandlerFunc(fh.serveCDN))
	t.Cleanup(fh.hub.Close)
	t.Cleanup(fh.cdn.Close)
	return fh
}

func (fh *fakeHub) record(server string, r *http.Request) {
	fh.mu.Lock()
	defer fh.mu.Unlock()
	fh.requests = append(fh.requests, seen{server, r.Method, r.URL.Path, r.Header.Get("Authorization"), r.Header.Get("Range")})
}

// seenRequests returns what the servers received, optionally only one of them.
func (fh *fakeHub) seenRequests(server string) []seen {
	fh.mu.Lock()
	defer fh.mu.Unlock()
	var out []seen
	for _, s := range fh.requests {
		if server == "" || s.server == server {
			out = append(out, s)
		}
	}
	return out
}

func (fh *fakeHub) setStatus(code int) {
	fh.mu.Lock()
	defer fh.mu.Unlock()
	fh.status = code
}

func (fh *fakeHub) setCDN(f func(w http.ResponseWriter, r *http.Request, f fakeFile)) {
	fh.mu.Lock()
	defer fh.mu.Unlock()
	fh.cdnServe = f
}

// options points the package at the fake Hub and at cacheDir.
func (fh *fakeHub) options(cacheDir string) Options {
	return Options{CacheDir: cacheDir, Endpoint: fh.hub.URL}
}

// serveHub answers /{org}/{name}/resolve/{rev}/{path...}.
func (fh *fakeHub) serveHub(w http.ResponseWriter, r *http.Request) {
	fh.record("hub", r)
	fh.mu.Lock()
	status := fh.status
	fh.mu.Unlock()
	if status != 0 {
		w.WriteHeader(status)
		return
	}
	parts := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/"), "/", 5)
	if len(parts) != 5 || parts[2] != "resolve" {
		http.NotFound(w, r)
		return
	}
	repo, rev, path := parts[0]+"/"+parts[1], parts[3], parts[4]
	if to, ok := fh.renamed[repo]; ok {
		w.Header().Set("Location", "/"+to+"/resolve/"+rev+"/"+path)
		w.WriteHeader(http.StatusTemporaryRedirect)
		return
	}
	files, ok := fh.repos[repo]
	if !ok {
		hubError(w, http.StatusUnauthorized, "RepoNotFound", "Repository not found")
		return
	}
	if fh.gated[repo] && r.Header.Get("Authorization") != "Bearer good" {
		hubError(w, http.StatusUnauthorized, "GatedRepo", "Access to model "+repo+" is restricted.")
		return
	}
	if rev != "main" && rev != testCommit {
		hubError(w, http.StatusNotFound, "RevisionNotFound", "Invalid rev id: "+rev)
		return
	}
	w.Header().Set("X-Repo-Commit", testCommit)
	f, ok := files[path]
	if !ok {
		hubError(w, http.StatusNotFound, "EntryNotFound", "Entry not found")
		return
	}
	if f.lfs {
		w.Header().Set("ETag", `"0000000000000000000000000000000000000000"`) // the pointer file's
		w.Header().Set("X-Linked-Etag", `"`+f.etag()+`"`)
		w.Header().Set("X-Linked-Size", fmt.Sprint(len(f.content)))
		w.Header().Set("Location", fh.cdn.URL+"/blobs/"+f.etag()+"?signature=abc")
		w.WriteHeader(http.StatusFound)
		return
	}
	w.Header().Set("ETag", `"`+f.etag()+`"`)
	serveBytes(w, r, f.content)
}

// serveCDN answers /blobs/{sha256} with Range support.
func (fh *fakeHub) serveCDN(w http.ResponseWriter, r *http.Request) {
	fh.record("cdn", r)
	etag := strings.TrimPrefix(r.URL.Path, "/blobs/")
	for _, files := range fh.repos {
		for _, f := range files {
			if f.lfs && f.etag() == etag {
				fh.mu.Lock()
				serve := fh.cdnServe
				fh.mu.Unlock()
				if serve != nil {
					serve(w, r, f)
					return
				}
				serveBytes(w, r, f.content)
				return
			}
		}
	}
	http.NotFound(w, r)
}

// serveBytes answers HEAD, GET and Range requests for b.
func serveBytes(w http.ResponseWriter, r *http.Request, b []byte) {
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(b))
}

func hubError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("X-Error-Code", code)
	w.Header().Set("X-Error-Message", msg)
	w.WriteHeader(status)
}

// isolateEnv clears every variable the package reads and points HF_HOME at a
// temporary folder, so tests never see the machine's cache or token.
func isolateEnv(t *testing.T) {
	t.Helper()
	for _, name := range []string{
		"HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "XDG_CACHE_HOME", "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN",
		"HF_TOKEN_PATH", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_HUB_DISABLE_IMPLICIT_TOKEN",
		"HF_ENDPOINT", "HF_HUB_DISABLE_SYMLINKS", "HF_HUB_ETAG_TIMEOUT", "HF_HUB_DOWNLOAD_TIMEOUT",
	} {
		t.Setenv(name, "")
	}
	t.Setenv("HF_HOME", t.TempDir())
}
