package hub

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// maxStalledAttempts is how many times in a row a download may fail without
// receiving a byte before giving up; any progress resets the count, as in
// huggingface_hub's http_get.
const maxStalledAttempts = 5

// fetchBlob downloads the file into blob through blob+".incomplete",
// resuming what an interrupted download left there, and renames it into
// place only once its size (and sha256 for LFS files) are right. A corrupt
// partial file is removed, since resuming it could never succeed; any other
// failure keeps it for the next call to resume.
//
// Sharing the .incomplete file is safe only under the blob's lock
// (exclusive). Without one (no flock on the filesystem) each download uses
// its own temporary file and cannot resume, as in huggingface_hub ≥ 1.18.
func (r *request) fetchBlob(ctx context.Context, m fileMeta, blob string, exclusive bool) error {
	incomplete := blob + ".incomplete"
	if !exclusive {
		tmp, err := os.CreateTemp(filepath.Dir(blob), filepath.Base(blob)+".*.incomplete")
		if err != nil {
			return fmt.Errorf("hub: downloading %s: %w", r.what(), err)
		}
		tmp.Close()
		incomplete = tmp.Name()
		defer os.Remove(incomplete)
	}
	p, err := openPartial(incomplete, m, r.progress)
	if err != nil {
		return err
	}
	defer p.f.Close()
	if r.progress != nil {
		r.progress(p.size, p.total)
	}
	for failures := 0; p.size < p.total; {
		before := p.size
		err := r.getOnce(ctx, m, p)
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return fmt.Errorf("hub: downloading %s: %w", r.what(), context.Cause(ctx))
		}
		var t transient
		if !errors.As(err, &t) {
			return err
		}
		if p.size > before {
			failures = 0
			continue
		}
		if failures++; failures >= maxStalledAttempts {
			return fmt.Errorf("hub: downloading %s failed %d times (rerun to resume from %d bytes): %w", r.what(), failures, p.size, err)
		}
		if err := sleep(ctx, time.Second); err != nil {
			return fmt.Errorf("hub: downloading %s: %w", r.what(), err)
		}
	}
	if err := p.verify(r.what(), m.etag); err != nil {
		p.f.Close()
		os.Remove(incomplete)
		return fmt.Errorf("%w; the partial download was discarded, a retry starts afresh", err)
	}
	if err := p.f.Sync(); err != nil {
		return fmt.Errorf("hub: saving %s: %w", r.what(), err)
	}
	if err := p.f.Close(); err != nil {
		return fmt.Errorf("hub: saving %s: %w", r.what(), err)
	}
	if err := os.Rename(incomplete, blob); err != nil {
		return fmt.Errorf("hub: saving %s: %w", r.what(), err)
	}
	return nil
}

// transient marks a failure worth retrying: a lost or stalled connection, or
// a server-side error. A local write error or a 4xx is not.
type transient struct{ error }

func (t transient) Unwrap() error { return t.error }

// errStalled is the cause given when no byte arrived for readTimeout.
var errStalled = errors.New("no data received within HF_HUB_DOWNLOAD_TIMEOUT")

// getOnce makes one GET for the bytes p lacks and appends them to p.
func (r *request) getOnce(ctx context.Context, m fileMeta, p *partial) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	watchdog := time.AfterFunc(r.readTimeout, func() { cancel(errStalled) })
	defer watchdog.Stop()

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.location, nil)
	if err != nil {
		return fmt.Errorf("hub: GET %s: %w", m.location, err)
	}
	// A CDN address is signed and must not receive the token, as in
	// huggingface_hub; the Go client also drops it on redirects to other hosts.
	r.setHeaders(req, sameHost(m.location, r.resolveURL()))
	if p.size > 0 {
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-", p.size))
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return transient{fmt.Errorf("hub: GET %s: %w", req.URL.Redacted(), stallCause(ctx, err))}
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusPartialContent:
		if start := rangeStart(resp.Header.Get("Content-Range")); start != p.size {
			return transient{fmt.Errorf("hub: GET %s: asked for bytes from %d, got from %d", req.URL.Redacted(), p.size, start)}
		}
	case resp.StatusCode == http.StatusOK:
		if p.size > 0 {
			if err := p.reset(); err != nil {
				return err
			}
		}
	default:
		se := newStatusError(resp, r, req.Header.Get("Authorization") != "")
		if se.retryable() {
			return transient{se}
		}
		return se
	}
	buf := make([]byte, 1<<20)
	for {
		n, rerr := resp.Body.Read(buf)
		watchdog.Reset(r.readTimeout)
		if n > 0 {
			if _, err := p.Write(buf[:n]); err != nil {
				return err
			}
		}
		switch {
		case p.size > p.total:
			return nil // more bytes than announced: verify reports it
		case rerr == io.EOF && p.size == p.total:
			return nil
		case rerr != nil:
			return transient{fmt.Errorf("hub: GET %s: connection ended at %d of %d bytes: %w",
				req.URL.Redacted(), p.size, p.total, stallCause(ctx, rerr))}
		}
	}
}

// stallCause replaces the generic "context canceled" of a watchdog stop by
// the reason.
func stallCause(ctx context.Context, err error) error {
	if errors.Is(context.Cause(ctx), errStalled) {
		return errStalled
	}
	return err
}

// rangeStart parses the first byte of "bytes START-END/TOTAL"; -1 if malformed.
func rangeStart(contentRange string) int64 {
	spec, ok := strings.CutPrefix(contentRange, "bytes ")
	if !ok {
		return -1
	}
	start, _, ok := strings.Cut(spec, "-")
	if !ok {
		return -1
	}
	n, err := strconv.ParseInt(start, 10, 64)
	if err != nil {
		return -1
	}
	return n
}

func sameHost(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	return err1 == nil && err2 == nil && ua.Host == ub.Host
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-t.C:
		return nil
	}
}
