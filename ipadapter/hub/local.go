package hub

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// localKind tells what a repository id names on this machine.
type localKind int

const (
	notLocal  localKind = iota // a Hub repository id
	localDir                   // a folder laid out like the repository
	localFile                  // a single weights file
)

// classify decides whether repoID is a local folder, a local file or a Hub
// repository id. An existing path wins, as in diffusers, so "org/name" can
// also be a folder relative to the working directory. Something that is
// neither an existing path nor a valid repository id is an error here rather
// than a confusing 404 later.
func classify(repoID string) (localKind, error) {
	st, err := os.Stat(repoID)
	switch {
	case err == nil && st.IsDir():
		return localDir, nil
	case err == nil:
		return localFile, nil
	case !errors.Is(err, fs.ErrNotExist):
		return notLocal, fmt.Errorf("hub: %q: %w", repoID, err)
	case !validRepoID(repoID):
		return notLocal, fmt.Errorf("hub: %q is neither an existing local path nor a valid Hub repository id (org/name): %w",
			repoID, ErrRepoNotFound)
	}
	return notLocal, nil
}

// localPath resolves filename in a local folder, or a local file given with
// an empty filename.
func localPath(repoID, filename string, kind localKind) (string, error) {
	if kind == localFile {
		if filename != "" {
			return "", fmt.Errorf("hub: %q is a file, not a folder: pass an empty file name to use it, "+
				"or its folder to look up %q: %w", repoID, filename, ErrEntryNotFound)
		}
		return repoID, nil
	}
	if err := checkRelative("file name", filename); err != nil {
		return "", err
	}
	p := filepath.Join(repoID, filepath.FromSlash(filename))
	if !isFile(p) {
		return "", fmt.Errorf("hub: %s not found in the local folder %s (used instead of the Hub because it exists): %w",
			filename, repoID, ErrEntryNotFound)
	}
	return p, nil
}
