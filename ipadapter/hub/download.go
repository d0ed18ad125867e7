package hub

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Download returns the local path of filename (a slash-separated path inside
// the repository, subfolder included) in repository repoID, downloading it
// into the hub cache when needed. It mirrors huggingface_hub's
// hf_hub_download: the path is inside snapshots/<commit>/, online calls check
// the revision with one HEAD request unless it is a commit already cached,
// and when the Hub cannot be reached a cached copy for the revision is
// returned. repoID may be a local folder (filename is looked up in it) or a
// local file (filename must then be empty).
func Download(ctx context.Context, repoID, filename string, opts Options) (string, error) {
	kind, err := classify(repoID)
	if err != nil {
		return "", err
	}
	if kind != notLocal {
		return localPath(repoID, filename, kind)
	}
	r, err := newRequest(repoID, filename, opts)
	if err != nil {
		return "", err
	}
	return r.download(ctx)
}

func (r *request) download(ctx context.Context) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("hub: %s: %w", r.what(), err)
	}
	// A commit never changes, so what the cache knows about it is final.
	if r.offline || isCommitHash(r.revision) {
		path, absent := r.cache.lookup(r.revision, r.filename)
		switch {
		case path != "":
			return path, nil
		case absent:
			return "", r.absentErr()
		case r.offline:
			return "", r.notCachedErr(nil)
		}
	}
	m, err := r.head(ctx)
	if err != nil {
		return r.fallback(ctx, err)
	}
	pointer := r.cache.pointerPath(m.commit, r.filename)
	if isFile(pointer) {
		r.cache.writeRef(r.revision, m.commit) // best effort: the cache may be read-only
		return pointer, nil
	}
	if err := r.install(ctx, m, pointer); err != nil {
		return "", err
	}
	if err := r.cache.writeRef(r.revision, m.commit); err != nil {
		return "", err
	}
	return pointer, nil
}

// install downloads the blob unless present and makes the snapshot entry,
// under the lock huggingface_hub takes for that blob.
func (r *request) install(ctx context.Context, m fileMeta, pointer string) error {
	blob := r.cache.blobPath(m.etag)
	if err := os.MkdirAll(filepath.Dir(blob), 0o755); err != nil {
		return fmt.Errorf("hub: creating cache folder: %w", err)
	}
	unlock, exclusive, err := lockFile(ctx, r.cache.lockPath(m.etag))
	if err != nil {
		return err
	}
	defer unlock()
	if isFile(pointer) { // another process finished it while we waited
		return nil
	}
	newBlob := !isFile(blob)
	if newBlob {
		if err := r.fetchBlob(ctx, m, blob, exclusive); err != nil {
			return err
		}
	}
	return installPointer(blob, pointer, newBlob)
}

// fallback handles a failed HEAD request. A missing file or revision is
// final (and a missing file is recorded in .no_exist). Anything else (no
// connection, timeout, 5xx, even 401/403) falls back to the file cached for
// the revision, as huggingface_hub does; without one, an authorization or
// not-found answer is returned as is, and anything else as ErrNotCached.
func (r *request) fallback(ctx context.Context, headErr error) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("hub: %s: %w", r.what(), err)
	}
	var se *statusError
	isStatus := errors.As(headErr, &se)
	if isStatus && (se.kind == ErrEntryNotFound || se.code == "RevisionNotFound") {
		r.recordAbsent(se)
		return "", se
	}
	if path, _ := r.cache.lookup(r.revision, r.filename); path != "" {
		return path, nil
	}
	if isStatus && se.kind != nil {
		return "", se
	}
	return "", r.notCachedErr(headErr)
}

// recordAbsent writes the .no_exist marker (and the ref) after a 404 that
// names the commit, as huggingface_hub does. Failing to write is harmless:
// the marker only saves a request next time.
func (r *request) recordAbsent(se *statusError) {
	if se.kind != ErrEntryNotFound || !isCommitHash(se.commit) {
		return
	}
	if r.cache.markAbsent(se.commit, r.filename) == nil {
		r.cache.writeRef(r.revision, se.commit)
	}
}
