package hub

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// Errors returned by this package wrap one of these, so callers can tell with
// errors.Is what went wrong; the messages themselves say what to do.
var (
	// ErrEntryNotFound: the file is not in the repository at that revision
	// (or not in the local folder given as repository).
	ErrEntryNotFound = errors.New("file not found")
	// ErrRepoNotFound: the repository or revision does not exist, or is
	// private or gated and no valid token was sent (the Hub answers alike).
	ErrRepoNotFound = errors.New("repository or revision not found")
	// ErrAccessDenied: the token is invalid, or lacks access to the repository.
	ErrAccessDenied = errors.New("access denied")
	// ErrNotCached: offline, or the Hub could not be reached, and the file is
	// not in the cache.
	ErrNotCached = errors.New("not in the local cache")
	// ErrIntegrity: a download's size or sha256 is not the one the Hub
	// announced; nothing was installed in the cache.
	ErrIntegrity = errors.New("download failed its integrity check")
)

// statusError is an HTTP error answer from the Hub or its CDN.
type statusError struct {
	method, url string
	status      int
	code        string // X-Error-Code, the Hub's reason
	commit      string // X-Repo-Commit, present when the revision exists
	kind        error  // one of the Err* values, or nil
	hint        string // what the user can do about it
}

func (e *statusError) Error() string {
	status := strconv.Itoa(e.status)
	if e.code != "" {
		status += ", " + e.code
	}
	msg := fmt.Sprintf("hub: %s %s: %s (%s)", e.method, e.url, http.StatusText(e.status), status)
	if e.hint != "" {
		msg += ": " + e.hint
	}
	return msg
}

func (e *statusError) Unwrap() error { return e.kind }

// retryable reports whether the Hub may answer differently soon (overload,
// outage, rate limit): those errors fall back to the cache like a lost
// connection.
func (e *statusError) retryable() bool {
	return e.status >= 500 || e.status == http.StatusTooManyRequests || e.status == http.StatusRequestTimeout
}

// newStatusError classifies an error answer as huggingface_hub's
// hf_raise_for_status does (X-Error-Code first, then the status) and attaches
// advice for r's repository and file.
func newStatusError(resp *http.Response, r *request, tokenSent bool) *statusError {
	e := &statusError{
		method: resp.Request.Method,
		url:    resp.Request.URL.Redacted(),
		status: resp.StatusCode,
		code:   resp.Header.Get("X-Error-Code"),
		commit: resp.Header.Get("X-Repo-Commit"),
	}
	errMsg := resp.Header.Get("X-Error-Message")
	repoPage := r.endpoint + "/" + r.repoID
	tokenAdvice := "set HF_TOKEN (or Options.Token) to a token from " + defaultEndpoint + "/settings/tokens"
	if !tokenSent {
		tokenAdvice = "no token was sent: " + tokenAdvice
	}
	switch {
	case e.code == "RevisionNotFound":
		e.kind = ErrRepoNotFound
		e.hint = fmt.Sprintf("revision %q does not exist in %s; check the branch, tag or commit", r.revision, r.repoID)
	case e.code == "EntryNotFound" || (e.status == http.StatusNotFound && e.code == "" && e.commit != ""):
		e.kind = ErrEntryNotFound
		e.hint = fmt.Sprintf("%s has no file %q at revision %q; check the file name (and subfolder) and the revision", r.repoID, r.filename, r.revision)
	case e.code == "GatedRepo":
		e.kind = ErrAccessDenied
		e.hint = fmt.Sprintf("%s is gated: accept its licence at %s while logged in, then %s", r.repoID, repoPage, tokenAdvice)
	case errMsg == "Access to this resource is disabled.":
		e.kind = ErrAccessDenied
		e.hint = fmt.Sprintf("access to %s has been disabled on the Hub", r.repoID)
	case e.status == http.StatusUnauthorized && errMsg == "Invalid credentials in Authorization header":
		e.kind = ErrAccessDenied
		e.hint = "the token is invalid or expired; " + tokenAdvice
	case e.code == "RepoNotFound" || e.status == http.StatusUnauthorized:
		e.kind = ErrRepoNotFound
		e.hint = fmt.Sprintf("check the repository id %q and the revision %q; if the repository is private or gated (accept its licence at %s), %s", r.repoID, r.revision, repoPage, tokenAdvice)
	case e.status == http.StatusForbidden:
		e.kind = ErrAccessDenied
		e.hint = fmt.Sprintf("the token has no access to %s; for a gated repository accept its licence at %s with the token's account", r.repoID, repoPage)
		if !tokenSent {
			e.hint = fmt.Sprintf("accept the licence of %s at %s, then %s", r.repoID, repoPage, tokenAdvice)
		}
	case e.status == http.StatusNotFound:
		e.kind = ErrEntryNotFound
		e.hint = fmt.Sprintf("check the repository id %q, the file name %q and the revision %q", r.repoID, r.filename, r.revision)
	}
	if errMsg != "" && !strings.Contains(e.hint, errMsg) {
		e.hint = strings.TrimPrefix(e.hint+"; the Hub says: "+errMsg, "; ")
	}
	return e
}
