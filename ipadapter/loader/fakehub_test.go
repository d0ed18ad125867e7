package loader

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// hubCommit is the commit every fake repository is at.
const hubCommit = "89abcdef0123456789abcdef0123456789abcdef"

// fakeHub serves local folders as Hub repositories through the resolve
// endpoint ipadapter/hub uses: HEAD and GET of
// /{org}/{name}/resolve/{revision}/{path}, with X-Repo-Commit, the ETag
// (the content's sha256, as for LFS files) and X-Error-Code on errors.
type fakeHub struct {
	srv   *httptest.Server
	repos map[string]string // repository id → folder

	mu       sync.Mutex
	requests []string // "METHOD path auth"
}

func newFakeHub(t *testing.T, repos map[string]string) *fakeHub {
	t.Helper()
	fh := &fakeHub{repos: repos}
	fh.srv = httptest.NewServer(http.HandlerFunc(fh.serve))
	t.Cleanup(fh.srv.Close)
	return fh
}

func (fh *fakeHub) serve(w http.ResponseWriter, r *http.Request) {
	fh.mu.Lock()
	fh.requests = append(fh.requests, r.Method+" "+r.URL.Path+" "+r.Header.Get("Authorization"))
	fh.mu.Unlock()
	parts := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/"), "/", 5)
	if len(parts) != 5 || parts[2] != "resolve" {
		http.NotFound(w, r)
		return
	}
	dir, ok := fh.repos[parts[0]+"/"+parts[1]]
	if !ok {
		hubError(w, http.StatusUnauthorized, "RepoNotFound")
		return
	}
	if rev := parts[3]; rev != "main" && rev != hubCommit {
		hubError(w, http.StatusNotFound, "RevisionNotFound")
		return
	}
	w.Header().Set("X-Repo-Commit", hubCommit)
	data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(parts[4])))
	if err != nil {
		hubError(w, http.StatusNotFound, "EntryNotFound")
		return
	}
	sum := sha256.Sum256(data)
	w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:])+`"`)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
}

func hubError(w http.ResponseWriter, status int, code string) {
	w.Header().Set("X-Error-Code", code)
	w.WriteHeader(status)
}

// seen returns the requests received so far.
func (fh *fakeHub) seen() []string {
	fh.mu.Lock()
	defer fh.mu.Unlock()
	return append([]string(nil), fh.requests...)
}
