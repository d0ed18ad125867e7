package main

import (
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter"
)

// Flags name Hub files and folders as one path: "org/name" is the
// repository and what follows is inside it, as on the Hub's web pages
// (h94/IP-Adapter/sdxl_models/ip-adapter_sdxl.bin). A value that names
// something on disk, or looks like a local path, is local instead.

// isLocal reports whether a flag value is a local path rather than a Hub
// name: it exists, starts like a path (/, ./, ../, ~), or its first
// element exists here (a mistyped file in an existing folder should be
// "no such file", not a Hub lookup).
func isLocal(s string) bool {
	if _, err := os.Stat(s); err == nil {
		return true
	}
	if filepath.IsAbs(s) || strings.HasPrefix(s, ".") || strings.HasPrefix(s, "~") || strings.ContainsRune(s, '\\') {
		return true
	}
	first, _, _ := strings.Cut(s, "/")
	_, err := os.Stat(first)
	return err == nil
}

// splitHubPath splits "org/name/rest/of/path" into the repository and the
// path inside it; a value of one or two elements is a repository alone.
func splitHubPath(s string) (repo, inside string) {
	parts := strings.Split(strings.Trim(s, "/"), "/")
	if len(parts) <= 2 {
		return strings.Join(parts, "/"), ""
	}
	return strings.Join(parts[:2], "/"), strings.Join(parts[2:], "/")
}

// componentRef reads DIR|REPO[/SUBFOLDER] (--vae, --image-encoder).
func componentRef(s string) ipadapter.ComponentRef {
	if isLocal(s) {
		return ipadapter.ComponentRef{Repo: s}
	}
	repo, sub := splitHubPath(s)
	return ipadapter.ComponentRef{Repo: repo, Subfolder: sub}
}

// adapterRef is one --ip-adapter: a weight file inside a folder of a
// repository or of the disk.
type adapterRef struct {
	repo, subfolder, weight string
}

// parseAdapterRef reads FILE or REPO/[SUBFOLDER/]WEIGHT. A local file is
// taken as the weight file of its folder, so that the folder's
// image_encoder/ is found as in h94's layout.
func parseAdapterRef(s string) (adapterRef, error) {
	if s == "" {
		return adapterRef{}, usagef("--ip-adapter: empty value")
	}
	if isLocal(s) {
		st, err := os.Stat(s)
		switch {
		case err != nil:
			return adapterRef{}, usagef("--ip-adapter %s: no such file", s)
		case st.IsDir():
			return adapterRef{}, usagef("--ip-adapter %s is a folder: name the weight file in it (e.g. %s)", s, filepath.Join(s, "ip-adapter_sdxl.safetensors"))
		}
		return adapterRef{repo: filepath.Dir(s), weight: filepath.Base(s)}, nil
	}
	repo, inside := splitHubPath(s)
	if inside == "" || !strings.Contains(path.Base(inside), ".") {
		return adapterRef{}, usagef("--ip-adapter %s: give REPO/SUBFOLDER/WEIGHT, e.g. h94/IP-Adapter/sdxl_models/ip-adapter_sdxl.bin, or a local file", s)
	}
	sub := path.Dir(inside)
	if sub == "." {
		sub = ""
	}
	return adapterRef{repo: repo, subfolder: sub, weight: path.Base(inside)}, nil
}

// adapterSources turns the --ip-adapter values into the sources of the
// one load_ip_adapter call they make, with a list of repositories,
// subfolders and weight names, one of each per adapter: every adapter may
// come from its own repository or folder. The image encoder, when the
// pipeline has none, comes from the first adapter's folder, as in
// diffusers.
func adapterSources(values []string) ([]ipadapter.IPAdapterSource, error) {
	var repos, subfolders, names []string
	for _, v := range values {
		ref, err := parseAdapterRef(v)
		if err != nil {
			return nil, err
		}
		repos = append(repos, ref.repo)
		subfolders = append(subfolders, ref.subfolder)
		names = append(names, ref.weight)
	}
	return ipadapter.IPAdapterSources(repos, subfolders, names)
}
