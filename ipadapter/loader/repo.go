package loader

import (
	"context"
	"errors"
	"os"
	"path"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/hub"
)

// folder is a component's folder in a repository: a Hub repository or a
// local folder (ipadapter/hub reads both), with the options to reach it.
type folder struct {
	repo string // Hub repository id or local folder
	sub  string // slash-separated folder inside it; "" for its root
	opts hub.Options
}

// folder is where loc points, reached with hubOpts (cache, token, offline
// mode) but at loc's own revision.
func (loc Location) folder(hubOpts hub.Options) folder {
	hubOpts.Revision = loc.Revision
	return folder{repo: loc.Repo, sub: loc.Subfolder, opts: hubOpts}
}

// rel is a file's path inside the repository.
func (f folder) rel(name string) string {
	if f.sub == "" {
		return name
	}
	return path.Join(f.sub, name)
}

// String names the folder in messages.
func (f folder) String() string {
	s := f.repo
	if f.sub != "" {
		s += "/" + f.sub
	}
	if rev := f.opts.Revision; rev != "" && rev != "main" && !isLocal(f.repo) {
		s += " (revision " + rev + ")"
	}
	return s
}

// fetch returns the local path of a file, downloading it if needed.
func (f folder) fetch(ctx context.Context, name string) (string, error) {
	return hub.Download(ctx, f.repo, f.rel(name), f.opts)
}

// has reports whether a file exists. A file whose presence cannot be known
// (offline, or the Hub unreachable, and the cache has no answer) counts as
// absent, as the snapshot folder diffusers lists then lacks it; unsure
// tells the caller so, for its messages. Other failures (no such
// repository, no access) are errors.
func (f folder) has(ctx context.Context, name string) (ok, unsure bool, err error) {
	ok, err = hub.FileExists(ctx, f.repo, f.rel(name), f.opts)
	if errors.Is(err, hub.ErrNotCached) {
		return false, true, nil
	}
	return ok, false, err
}

// isLocal reports whether a repository id names an existing local path,
// which hub (like diffusers) then reads instead of the Hub.
func isLocal(repo string) bool {
	_, err := os.Stat(repo)
	return err == nil
}
