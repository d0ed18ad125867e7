package ipadapter

import (
	"context"
	"fmt"
	"path"
	"path/filepath"
	"strings"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/hub"
)

// fetchRepoFile returns the local path of a file of a Hub repository
// (through the Hugging Face cache, downloading it unless offline) or of a
// local folder laid out the same way; name is the slash-separated path
// inside it. A repo that is a file is that file when name is "".
func fetchRepoFile(ctx context.Context, repo, name string, opts hub.Options) (string, error) {
	p, err := hub.Download(ctx, repo, name, opts)
	if err != nil {
		return "", fmt.Errorf("%s: %w", joinRepoPath(repo, name), err)
	}
	return p, nil
}

// commitOf returns the Hub commit a file of the cache belongs to (its
// snapshots/<commit>/ folder), "" for a file outside the cache.
func commitOf(localPath string) string {
	parts := strings.Split(filepath.ToSlash(localPath), "/")
	for i := 1; i+1 < len(parts); i++ {
		if parts[i] == "snapshots" && len(parts[i+1]) == 40 && strings.HasPrefix(parts[i-1], "models--") {
			return parts[i+1]
		}
	}
	return ""
}

// repoFileName names a local file as its repository does: the part after
// the cache's snapshots/<commit>/, the part inside root for a local
// folder, else its base name.
func repoFileName(localPath, root string) string {
	slash := filepath.ToSlash(localPath)
	if c := commitOf(localPath); c != "" {
		if _, after, ok := strings.Cut(slash, "/snapshots/"+c+"/"); ok {
			return after
		}
	}
	if root != "" {
		if rel, err := filepath.Rel(root, localPath); err == nil && filepath.IsLocal(rel) {
			return filepath.ToSlash(rel)
		}
	}
	return filepath.Base(localPath)
}

// joinRepoPath joins path parts inside a repository (slash-separated,
// empty parts skipped).
func joinRepoPath(parts ...string) string {
	var kept []string
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return path.Join(kept...)
}
