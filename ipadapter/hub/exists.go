package hub

import (
	"context"
	"errors"
)

// FileExists reports whether filename (a slash-separated path inside the
// repository) exists in repoID at the revision, for choosing between weight
// variants (fp16, .safetensors, .bin, sharded index) without downloading
// any. The cache answers when it can: a snapshot file means yes, a .no_exist
// marker means no, both for the commit refs/<revision> points to. Otherwise
// one HEAD request asks the Hub, and a 404 is recorded in .no_exist.
//
// Offline, or when the Hub cannot be reached, a file the cache knows nothing
// about gives false with an error wrapping ErrNotCached, so a caller trying
// variants can skip it and still tell "absent" from "unknown".
func FileExists(ctx context.Context, repoID, filename string, opts Options) (bool, error) {
	kind, err := classify(repoID)
	if err != nil {
		return false, err
	}
	if kind != notLocal {
		_, err := localPath(repoID, filename, kind)
		if errors.Is(err, ErrEntryNotFound) {
			return false, nil
		}
		return err == nil, err
	}
	r, err := newRequest(repoID, filename, opts)
	if err != nil {
		return false, err
	}
	if path, absent := r.cache.lookup(r.revision, r.filename); path != "" || absent {
		return path != "", nil
	}
	if r.offline {
		return false, r.notCachedErr(nil)
	}
	_, err = r.head(ctx)
	if err == nil {
		return true, nil
	}
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	var se *statusError
	if errors.As(err, &se) && se.kind == ErrEntryNotFound {
		r.recordAbsent(se)
		return false, nil
	}
	if errors.As(err, &se) && se.kind != nil {
		return false, se
	}
	return false, r.notCachedErr(err)
}
