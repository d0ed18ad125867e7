package kernel

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
)

// modulePath is the repository's module; the source folder must hold it.
const modulePath = "github.com/seed11f6bdef/gonb-ipadapter"

// serverPackage is the backend's main package, relative to the module.
const serverPackage = "./kernel/cmd/ipadapter-kernel"

// SourceDir returns the repository the backend is built from:
// IPADAPTER_KERNEL_SOURCE, else the folder this package was compiled from
// (GoNB compiles cells against the repository through go.work, so that is
// the user's checkout).
func SourceDir() (string, error) {
	dir := os.Getenv("IPADAPTER_KERNEL_SOURCE")
	if dir == "" {
		_, file, _, ok := runtime.Caller(0)
		if !ok || !filepath.IsAbs(file) {
			return "", errors.New("cannot tell where the kernel package's source is (built with -trimpath?): set IPADAPTER_KERNEL_SOURCE to the gonb-ipadapter repository")
		}
		dir = filepath.Dir(filepath.Dir(file))
	}
	data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return "", fmt.Errorf("the backend's source %s: %w (set IPADAPTER_KERNEL_SOURCE to the gonb-ipadapter repository)", dir, err)
	}
	if !bytes.Contains(data, []byte("module "+modulePath+"\n")) {
		return "", fmt.Errorf("%s/go.mod is not module %s (set IPADAPTER_KERNEL_SOURCE)", dir, modulePath)
	}
	return dir, nil
}

// buildEnv are the variables that change what go build makes.
var buildEnv = []string{"GOTOOLCHAIN", "GOEXPERIMENT", "CGO_ENABLED", "GOFLAGS", "GOOS", "GOARCH", "GOAMD64", "CC", "CGO_CFLAGS", "CGO_LDFLAGS"}

// SourceHash hashes what the backend binary is made of: every non-test Go
// file of the module outside testdata, notebooks, tools and bench, go.mod,
// go.sum, and the build environment. A changed library gives a new hash,
// hence a new build and a new backend.
func SourceHash(dir string) (string, error) {
	h := sha256.New()
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != dir && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") ||
				name == "testdata" || name == "notebooks" || name == "tools" || name == "bench") {
				return filepath.SkipDir
			}
			// Nested modules are not part of this one.
			if path != dir {
				if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
					return filepath.SkipDir
				}
			}
			return nil
		}
		if (strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go")) || name == "go.mod" || name == "go.sum" {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	sort.Strings(files)
	for _, f := range files {
		rel, _ := filepath.Rel(dir, f)
		fmt.Fprintf(h, "file %s\n", filepath.ToSlash(rel))
		fd, err := os.Open(f)
		if err != nil {
			return "", err
		}
		_, err = io.Copy(h, fd)
		fd.Close()
		if err != nil {
			return "", err
		}
	}
	for _, k := range buildEnv {
		fmt.Fprintf(h, "env %s=%s\n", k, os.Getenv(k))
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// buildServer returns the backend binary for the source, building it into
// the cache folder when this hash has none yet.
func buildServer(ctx context.Context, src, hash string, logf func(string, ...any)) (string, error) {
	if bin := os.Getenv("IPADAPTER_KERNEL_BIN"); bin != "" {
		return bin, nil
	}
	cache, err := cacheDir()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(cache, hash, "ipadapter-kernel")
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		return "", err
	}
	logf("Building the notebook backend (once per source version; a minute or two the first time)…")
	tmp := bin + ".tmp"
	cmd := exec.CommandContext(ctx, "go", "build", "-o", tmp, serverPackage)
	cmd.Dir = src
	// The cell's own go.work (GoNB's) must not leak into the build; the
	// repository's go.mod says everything.
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS="+strings.TrimSpace(os.Getenv("GOFLAGS")+" -buildvcs=false"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("building the notebook backend (go build %s in %s): %w\n%s", serverPackage, src, err, out)
	}
	if err := os.Rename(tmp, bin); err != nil {
		return "", err
	}
	return bin, nil
}
