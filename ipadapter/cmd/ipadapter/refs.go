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

// adapterSource gathers the --ip-adapter values into the one
// load_ip_adapter call they make. The library loads several adapters from
// one repository folder (as one load_ip_adapter call with a list of weight
// names does), so they must share it.
func adapterSource(values []string) (ipadapter.IPAdapterSource, error) {
	var src ipadapter.IPAdapterSource
	for i, v := range values {
		ref, err := parseAdapterRef(v)
		if err != nil {
			return src, err
		}
		if i > 0 && (ref.repo != src.Repo || ref.subfolder != src.Subfolder) {
			return src, usagef("--ip-adapter: every adapter must come from one folder (%s and %s differ): the adapters are loaded together, as one load_ip_adapter call",
				path.Join(src.Repo, src.Subfolder), path.Join(ref.repo, ref.subfolder))
		}
		src.Repo, src.Subfolder = ref.repo, ref.subfolder
		src.WeightNames = append(src.WeightNames, ref.weight)
	}
	return src, nil
}
