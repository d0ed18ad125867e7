package hub

import (
	"fmt"
	"os"
)

// SnapshotDir returns the cached snapshot folder of repoID at the revision
// (snapshots/<commit>, through refs/<revision> for a branch or tag), for
// code that reads several files of a cached repository, like a diffusers
// pipeline folder. It never uses the network: it holds only the files
// downloaded so far, and a repository not cached at that revision is an
// error wrapping ErrNotCached. A local folder given as repoID is returned
// as is.
func SnapshotDir(repoID string, opts Options) (string, error) {
	kind, err := classify(repoID)
	if err != nil {
		return "", err
	}
	switch kind {
	case localDir:
		return repoID, nil
	case localFile:
		return "", fmt.Errorf("hub: %q is a file, not a folder: %w", repoID, ErrEntryNotFound)
	}
	cfg, err := opts.resolve()
	if err != nil {
		return "", err
	}
	if err := checkRelative("revision", cfg.revision); err != nil {
		return "", err
	}
	c := newRepoCache(cfg.cacheDir, repoID)
	if commit, ok := c.commitFor(cfg.revision); ok {
		dir := c.snapshotDir(commit)
		if st, err := os.Stat(dir); err == nil && st.IsDir() {
			return dir, nil
		}
	}
	return "", fmt.Errorf("hub: no snapshot of %s at revision %q in the cache %s; download a file of it first "+
		"(or run `hf download %s`): %w", repoID, cfg.revision, cfg.cacheDir, repoID, ErrNotCached)
}
