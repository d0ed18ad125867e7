package hub

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// fileMeta is what a HEAD request tells about a file.
type fileMeta struct {
	commit   string // the commit the revision resolved to
	etag     string // blob name: sha256 for LFS files, git sha1 otherwise
	size     int64
	location string // where to GET the contents (a CDN for LFS files)
}

// maxRelativeRedirects bounds the redirects followed for a renamed repository.
const maxRelativeRedirects = 10

// head asks the Hub about the file, as huggingface_hub's get_hf_file_metadata
// does: relative redirects (a renamed repository) are followed, an absolute
// one (an LFS file served by a CDN) is not, and its Location becomes the
// download address. An error answer is a *statusError.
func (r *request) head(ctx context.Context) (fileMeta, error) {
	ctx, cancel := context.WithTimeout(ctx, r.etagTimeout)
	defer cancel()
	client := *r.client
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	u := r.resolveURL()
	for hops := 0; ; hops++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodHead, u, nil)
		if err != nil {
			return fileMeta{}, fmt.Errorf("hub: HEAD %s: %w", u, err)
		}
		r.setHeaders(req, true)
		resp, err := client.Do(req)
		if err != nil {
			return fileMeta{}, fmt.Errorf("hub: HEAD %s: %w", u, err)
		}
		resp.Body.Close()
		if resp.StatusCode >= 400 {
			return fileMeta{}, newStatusError(resp, r, r.token != "")
		}
		location := u
		if isRedirect(resp.StatusCode) {
			target, err := url.Parse(resp.Header.Get("Location"))
			if err != nil {
				return fileMeta{}, fmt.Errorf("hub: HEAD %s: bad redirect: %w", u, err)
			}
			location = resp.Request.URL.ResolveReference(target).String()
			if target.Host == "" {
				if hops >= maxRelativeRedirects {
					return fileMeta{}, fmt.Errorf("hub: HEAD %s: more than %d redirects", u, maxRelativeRedirects)
				}
				u = location
				continue
			}
		}
		return parseMeta(resp, u, location)
	}
}

// parseMeta reads the headers the Hub sets on a resolve answer to requested.
// X-Linked-* describe the LFS file behind a redirect to location; the plain
// ETag and Content-Length describe a file served directly.
func parseMeta(resp *http.Response, requested, location string) (fileMeta, error) {
	h := resp.Header
	m := fileMeta{commit: h.Get("X-Repo-Commit"), location: location}
	if !isCommitHash(m.commit) {
		return fileMeta{}, fmt.Errorf("hub: HEAD %s: no valid X-Repo-Commit header (%q): the answer does not come from the Hub; "+
			"check HF_ENDPOINT and any proxy or firewall: %w", requested, m.commit, errBadMetadata)
	}
	etag := h.Get("X-Linked-Etag")
	if etag == "" {
		etag = h.Get("ETag")
	}
	m.etag = strings.Trim(strings.TrimPrefix(etag, "W/"), `"`)
	if err := checkEtag(m.etag); err != nil {
		return fileMeta{}, fmt.Errorf("%w: %w", err, errBadMetadata)
	}
	size := h.Get("X-Linked-Size")
	if size == "" && !isRedirect(resp.StatusCode) {
		size = h.Get("Content-Length")
		if size == "" && resp.ContentLength >= 0 {
			size = strconv.FormatInt(resp.ContentLength, 10)
		}
	}
	n, err := strconv.ParseInt(size, 10, 64)
	if err != nil || n < 0 {
		return fileMeta{}, fmt.Errorf("hub: HEAD %s: no file size in the answer: %w", requested, errBadMetadata)
	}
	m.size = n
	return m, nil
}

// errBadMetadata marks a HEAD answer lacking what the Hub always sends; like a
// network failure it falls back to the cache.
var errBadMetadata = errors.New("incomplete file metadata")

func isRedirect(status int) bool { return status >= 300 && status < 400 }
