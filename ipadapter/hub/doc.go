// Package hub resolves files of Hugging Face Hub model repositories to local
// paths: from a local folder, from the cache that Python's huggingface_hub
// writes, or by downloading them into that same cache.
//
// # Why our own resolver
//
// github.com/gomlx/go-huggingface has no offline mode: with a populated cache
// it still asks the Hub for the repository's file list, and when that request
// fails it deletes its cached info/<rev> file. A notebook on a machine without
// network, or a CLI run during a Hub outage, then cannot load weights it
// already has. This package never needs the network for a file that is
// cached, and never deletes anything from the cache when something fails
// (only a partial download found corrupt is discarded).
//
// # Cache layout
//
// The layout is exactly huggingface_hub's, so files downloaded by Python are
// reused here and the other way round:
//
//	<cache>/models--<org>--<name>/
//	    refs/<revision>                  commit hash the branch or tag pointed to
//	    blobs/<etag>                     file contents (sha256 for LFS files, git sha1 otherwise)
//	    snapshots/<commit>/<path>        relative symlink to ../../blobs/<etag>
//	    .no_exist/<commit>/<path>        empty marker: the file is absent at that commit
//	<cache>/.locks/models--<org>--<name>/<etag>.lock
//
// Where symlinks cannot be created (Windows without developer mode, or
// HF_HUB_DISABLE_SYMLINKS set) the snapshot holds a copy, as in huggingface_hub:
// a freshly downloaded blob is moved there, an existing one is copied.
//
// The cache folder is Options.CacheDir, else HF_HUB_CACHE, else the legacy
// HUGGINGFACE_HUB_CACHE, else $HF_HOME/hub, else
// $XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub. Only model
// repositories are handled; datasets and spaces are out of scope.
//
// # Paths inside a repository
//
// A file is named by its slash-separated path inside the repository, as in
// the Hub's URLs and in the snapshot folders: a diffusers subfolder is part of
// the name ("unet/diffusion_pytorch_model.safetensors"). There is no separate
// subfolder argument; use path.Join(subfolder, name).
//
// A repository id may also be a local folder (the file is then looked up in
// it) or a local file (with an empty file name), as diffusers accepts them.
//
// # Network behaviour
//
// Online, Download makes a HEAD request to {endpoint}/{repo}/resolve/{revision}/{path}
// unless the revision is a commit already in the cache (FileExists also
// trusts refs/<branch>, to choose a weights variant without a request each),
// and reads X-Repo-Commit, X-Linked-Etag/ETag and X-Linked-Size/Content-Length,
// following relative redirects (renamed repositories) but not absolute ones
// (LFS files, whose contents are then fetched from the CDN without the
// Authorization header). If that request fails for any reason other than a
// missing file or revision (no connection, timeout, 5xx, even 401/403) and the
// file is cached for the revision, the cached file is returned, as
// huggingface_hub does. HF_HUB_OFFLINE (1/true/yes/on) or Options.Offline
// skips the network altogether.
//
// Downloads go to blobs/<etag>.incomplete under a lock shared with Python
// (flock on the same .locks file), resume with a Range request, are checked
// for size and, for LFS files, sha256, and are renamed into blobs/ only when
// complete. huggingface_hub up to 1.17 resumes the same way; later versions
// download to a per-process temporary name and never resume, which costs a
// full re-download of multi-gigabyte weights after every interruption. The
// lock keeps one writer per partial file and the checks catch a damaged one,
// so resuming is kept; only where flock is unavailable does each download use
// its own temporary file.
//
// The token is Options.Token, else HF_TOKEN (or the legacy
// HUGGING_FACE_HUB_TOKEN), else the token file ($HF_TOKEN_PATH, else
// $HF_HOME/token); HF_HUB_DISABLE_IMPLICIT_TOKEN turns off the implicit ones.
// HF_ENDPOINT, HF_HUB_ETAG_TIMEOUT and HF_HUB_DOWNLOAD_TIMEOUT are honoured.
package hub
