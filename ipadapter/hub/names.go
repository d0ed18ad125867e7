package hub

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
)

// repoIDPattern is huggingface_hub's rule: an optional namespace and a name of
// letters, digits, '-', '_' and '.', neither starting nor ending with '-' or '.'.
var repoIDPattern = regexp.MustCompile(`^(\b[\w\-.]+\b/)?\b[\w\-.]{1,96}\b$`)

// commitPattern matches a full commit hash, the only revision that can never
// move and so may be answered from the cache without asking the Hub.
var commitPattern = regexp.MustCompile(`^[0-9a-f]{40}$`)

// sha256Pattern matches the etag of an LFS file, which is its sha256.
var sha256Pattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

// validRepoID reports whether id can name a Hub repository; the checks are
// huggingface_hub's validate_repo_id.
func validRepoID(id string) bool {
	return repoIDPattern.MatchString(id) &&
		!strings.Contains(id, "--") && !strings.Contains(id, "..") &&
		!strings.HasSuffix(id, ".git")
}

// isCommitHash reports whether rev is a full commit hash.
func isCommitHash(rev string) bool { return commitPattern.MatchString(rev) }

// checkRelative rejects a repository path or revision that would escape the
// cache folder once joined to it (absolute, "..", a Windows drive), since both
// become file paths under refs/, snapshots/ and .no_exist/.
func checkRelative(what, p string) error {
	if p == "" {
		return fmt.Errorf("hub: empty %s", what)
	}
	for _, seg := range strings.Split(strings.ReplaceAll(p, `\`, "/"), "/") {
		if seg == ".." {
			return fmt.Errorf("hub: invalid %s %q: it must not contain \"..\"", what, p)
		}
	}
	if strings.HasPrefix(p, "/") || !filepath.IsLocal(filepath.FromSlash(p)) {
		return fmt.Errorf("hub: invalid %s %q: it must be a relative path inside the repository", what, p)
	}
	return nil
}

// checkEtag rejects an etag that cannot be a blob file name. Etags come from
// the server, so they are checked before being joined to the cache path.
func checkEtag(etag string) error {
	if etag == "" || etag == "." || etag == ".." || strings.ContainsAny(etag, `/\:`) {
		return fmt.Errorf("hub: the server sent an unusable ETag %q", etag)
	}
	return nil
}
