package hub

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// request is one file of one Hub repository, with the resolved options.
type request struct {
	config
	repoID   string
	filename string // slash-separated path inside the repository
	cache    repoCache
	progress func(done, total int64) // Options.Progress and ProgressFile, for this file; nil for neither
}

func newRequest(repoID, filename string, opts Options) (*request, error) {
	cfg, err := opts.resolve()
	if err != nil {
		return nil, err
	}
	if err := checkRelative("file name", filename); err != nil {
		return nil, err
	}
	if err := checkRelative("revision", cfg.revision); err != nil {
		return nil, err
	}
	return &request{config: cfg, repoID: repoID, filename: filename, cache: newRepoCache(cfg.cacheDir, repoID), progress: opts.progressFor(filename)}, nil
}

// resolveURL is the Hub's address of the file: {endpoint}/{repo}/resolve/{rev}/{path},
// with the revision escaped whole (refs/pr/1 becomes refs%2Fpr%2F1) and the
// path escaped segment by segment, as huggingface_hub's hf_hub_url does.
func (r *request) resolveURL() string {
	segs := strings.Split(r.filename, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return r.endpoint + "/" + r.repoID + "/resolve/" + url.PathEscape(r.revision) + "/" + strings.Join(segs, "/")
}

// userAgent names this package to the Hub, as huggingface_hub names itself.
const userAgent = "gonb-ipadapter-hub/1"

// setHeaders adds the headers every Hub request carries. Accept-Encoding
// identity keeps sizes and byte ranges those of the file itself rather than
// of a compressed body.
func (r *request) setHeaders(req *http.Request, withToken bool) {
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set("Accept-Encoding", "identity")
	if withToken && r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
}

// what names the file in messages.
func (r *request) what() string {
	return fmt.Sprintf("%s/%s (revision %q)", r.repoID, r.filename, r.revision)
}

// downloadCommand is the Python CLI command that puts the file where this
// package looks for it.
func (r *request) downloadCommand() string {
	cmd := fmt.Sprintf("hf download %s %s", r.repoID, r.filename)
	if r.revision != defaultRevision {
		cmd += " --revision " + r.revision
	}
	if r.cacheDirExplicit {
		cmd += " --cache-dir " + r.cacheDir
	}
	return cmd
}

// notCachedErr explains that the file is needed from the cache but is not
// there, either because offline mode is on or because the Hub could not be
// reached (cause).
func (r *request) notCachedErr(cause error) error {
	fix := fmt.Sprintf("`%s` (`huggingface-cli download ...` before huggingface_hub 1.0)", r.downloadCommand())
	if cause == nil {
		return fmt.Errorf("hub: %s is not in the cache %s and offline mode is on (HF_HUB_OFFLINE or Options.Offline): "+
			"download it once while online, or run %s: %w", r.what(), r.cacheDir, fix, ErrNotCached)
	}
	return fmt.Errorf("hub: cannot reach %s for %s, and it is not in the cache %s: check the connection (and HF_ENDPOINT), "+
		"or download it where the Hub is reachable with %s: %w: %w", r.endpoint, r.what(), r.cacheDir, fix, ErrNotCached, cause)
}

// absentErr reports a file that a .no_exist marker records as absent.
func (r *request) absentErr() error {
	return fmt.Errorf("hub: %s does not exist (recorded in the cache's .no_exist after an earlier 404); "+
		"check the file name (and subfolder) and the revision: %w", r.what(), ErrEntryNotFound)
}
