package hub

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/atomicfile"
)

// repoCache is one repository's folder in the hub cache, with huggingface_hub's
// naming of everything inside it.
type repoCache struct {
	root string // the hub cache folder
	name string // models--org--name
}

func newRepoCache(cacheDir, repoID string) repoCache {
	return repoCache{root: cacheDir, name: "models--" + strings.ReplaceAll(repoID, "/", "--")}
}

func (c repoCache) dir() string { return filepath.Join(c.root, c.name) }

func (c repoCache) refPath(revision string) string {
	return filepath.Join(c.dir(), "refs", filepath.FromSlash(revision))
}

func (c repoCache) blobPath(etag string) string {
	return filepath.Join(c.dir(), "blobs", etag)
}

func (c repoCache) snapshotDir(commit string) string {
	return filepath.Join(c.dir(), "snapshots", commit)
}

// pointerPath is where the snapshot exposes a file: the path callers get.
func (c repoCache) pointerPath(commit, filename string) string {
	return filepath.Join(c.snapshotDir(commit), filepath.FromSlash(filename))
}

func (c repoCache) noExistPath(commit, filename string) string {
	return filepath.Join(c.dir(), ".no_exist", commit, filepath.FromSlash(filename))
}

// lockPath is the lock huggingface_hub takes around a blob's download, so a
// Python process and a Go process never write the same blob together.
func (c repoCache) lockPath(etag string) string {
	return filepath.Join(c.root, ".locks", c.name, etag+".lock")
}

// commitFor returns the commit a revision stands for in the cache: the
// revision itself when it is a commit hash, else the content of refs/<rev>.
func (c repoCache) commitFor(revision string) (string, bool) {
	if isCommitHash(revision) {
		return revision, true
	}
	data, err := os.ReadFile(c.refPath(revision))
	if err != nil {
		return "", false
	}
	commit := strings.TrimSpace(string(data))
	return commit, isCommitHash(commit)
}

// lookup answers from the cache alone: the snapshot path of a cached file, or
// absent=true when a .no_exist marker records that the file is not in the
// repository at that commit. Both zero means the cache does not know.
func (c repoCache) lookup(revision, filename string) (path string, absent bool) {
	commit, ok := c.commitFor(revision)
	if !ok {
		return "", false
	}
	p := c.pointerPath(commit, filename)
	if isFile(p) {
		return p, false
	}
	return "", isFile(c.noExistPath(commit, filename))
}

// writeRef records the commit a branch or tag points to, atomically (a
// reader never sees half a hash) and only when it changed, so a read-only
// cache that is already up to date keeps working.
func (c repoCache) writeRef(revision, commit string) error {
	if revision == commit {
		return nil
	}
	path := c.refPath(revision)
	if old, err := os.ReadFile(path); err == nil && string(old) == commit {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("hub: writing ref %s: %w", revision, err)
	}
	if err := atomicfile.WriteBytes(path, []byte(commit)); err != nil {
		return fmt.Errorf("hub: writing ref %s: %w", revision, err)
	}
	return nil
}

// markAbsent writes the empty .no_exist marker huggingface_hub leaves after
// a 404, so later look-ups (here or in Python) skip the request.
func (c repoCache) markAbsent(commit, filename string) error {
	p := c.noExistPath(commit, filename)
	if isFile(p) {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("hub: recording that %s is absent: %w", filename, err)
	}
	f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("hub: recording that %s is absent: %w", filename, err)
	}
	return f.Close()
}

// isFile reports whether p is, or links to, a regular file; a dangling
// snapshot link does not count as cached.
func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}
