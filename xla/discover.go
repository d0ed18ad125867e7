package xla

import (
	"context"
	"os"
	"path/filepath"
	"strings"
)

// jaxPluginDirs are the jax_plugins sub-folders holding a CUDA PJRT plugin,
// in order of preference: CUDA 13 before CUDA 12 (go-xla's own installer
// also defaults to CUDA 13).
var jaxPluginDirs = []string{"xla_cuda13", "xla_cuda12"}

// jaxPluginFile is the plugin's file name inside the jax-cudaXX-pjrt wheel.
const jaxPluginFile = "xla_cuda_plugin.so"

// goXLACUDAPluginFile is the name go-xla's installer gives the CUDA plugin.
const goXLACUDAPluginFile = "pjrt_c_api_cuda_plugin.so"

// sitePackages lists candidate Python package folders, most specific first:
// the python3 on PATH, the active and common virtual environments, the user's
// and the system's. Folders that don't exist are dropped, duplicates (by real
// path) removed.
func (e Env) sitePackages(ctx context.Context) []string {
	var candidates []string
	if e.SitePackages != nil {
		if paths, err := e.SitePackages(ctx); err == nil {
			candidates = append(candidates, paths...)
		}
	}
	pyGlobs := func(prefix string) []string {
		return []string{
			filepath.Join(prefix, "lib", "python3*", "site-packages"),
			filepath.Join(prefix, "lib64", "python3*", "site-packages"),
		}
	}
	var globs []string
	for _, name := range []string{"VIRTUAL_ENV", "CONDA_PREFIX"} {
		if v, ok := e.lookup(name); ok {
			globs = append(globs, pyGlobs(v)...)
		}
	}
	if home, ok := e.lookup("HOME"); ok {
		globs = append(globs, pyGlobs(filepath.Join(home, ".venv"))...)
		globs = append(globs, pyGlobs(filepath.Join(home, "venv"))...)
		globs = append(globs, filepath.Join(home, ".local", "lib", "python3*", "site-packages"))
	}
	globs = append(globs, pyGlobs(e.rooted("/opt/*/.venv"))...)
	globs = append(globs, pyGlobs(e.rooted("/opt/*/venv"))...)
	globs = append(globs, pyGlobs(e.rooted("/opt/conda"))...)
	globs = append(globs,
		e.rooted("/usr/local/lib/python3*/dist-packages"),
		e.rooted("/usr/local/lib/python3*/site-packages"),
		e.rooted("/usr/lib/python3/dist-packages"),
	)
	for _, g := range globs {
		if matches, err := filepath.Glob(g); err == nil {
			candidates = append(candidates, matches...)
		}
	}
	return existingDirs(candidates)
}

// goXLADirs lists the folders where go-xla itself looks for (or installs)
// plugins: PJRT_PLUGIN_LIBRARY_PATH when set, else ~/.local/lib/go-xla and
// /usr/local/lib/go-xla; each with its nvidia/ sub-folder, which is where
// go-xla's installer puts the CUDA plugin.
func (e Env) goXLADirs() []string {
	var bases []string
	if v, ok := e.lookup(pluginPathsEnv); ok {
		for _, p := range strings.Split(v, ":") {
			if p != "" {
				bases = append(bases, p)
			}
		}
	} else {
		if home, ok := e.lookup("HOME"); ok {
			bases = append(bases, filepath.Join(home, ".local", "lib", "go-xla"))
		}
		bases = append(bases, e.rooted("/usr/local/lib/go-xla"))
	}
	var dirs []string
	for _, b := range bases {
		dirs = append(dirs, filepath.Join(b, "nvidia"), b)
	}
	return dirs
}

// findJAXPlugin returns the first jax CUDA plugin found, preferring CUDA 13
// in any site-packages over CUDA 12, and the folders it looked at.
func findJAXPlugin(sitePackages []string) (path string, searched []string) {
	for _, sub := range jaxPluginDirs {
		for _, sp := range sitePackages {
			candidate := filepath.Join(sp, "jax_plugins", sub, jaxPluginFile)
			searched = append(searched, candidate)
			if isFile(candidate) {
				return candidate, searched
			}
		}
	}
	return "", searched
}

// findGoXLAPlugin returns the first go-xla-installed CUDA plugin found.
func findGoXLAPlugin(dirs []string) (path string, searched []string) {
	for _, d := range dirs {
		candidate := filepath.Join(d, goXLACUDAPluginFile)
		searched = append(searched, candidate)
		if isFile(candidate) {
			return candidate, searched
		}
	}
	return "", searched
}

// existingDirs keeps the folders that exist, once each (compared by real path).
func existingDirs(paths []string) []string {
	seen := make(map[string]bool)
	var out []string
	for _, p := range paths {
		if p == "" {
			continue
		}
		real, err := filepath.EvalSymlinks(p)
		if err != nil {
			continue
		}
		if fi, err := os.Stat(real); err != nil || !fi.IsDir() || seen[real] {
			continue
		}
		seen[real] = true
		out = append(out, p)
	}
	return out
}

// isFile reports whether path exists (following symlinks) and is a regular file.
func isFile(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}
