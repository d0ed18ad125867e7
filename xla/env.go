package xla

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/pkg/errors"
)

// Environment variables read by this package (besides GoMLX's own GOMLX_BACKEND).
const (
	// BackendEnv is GoMLX's variable; when set it overrides every other rule.
	BackendEnv = "GOMLX_BACKEND"
	// PluginEnv names an explicit PJRT plugin file to use.
	PluginEnv = "IPADAPTER_PJRT_PLUGIN"
	// DTypeEnv overrides the compute dtype: "f32", "f16" or "bf16".
	DTypeEnv = "IPADAPTER_DTYPE"
	// noAutoInstallEnv is go-xla's switch that disables plugin downloads.
	noAutoInstallEnv = "GOMLX_NO_AUTO_INSTALL"
	// pluginPathsEnv is go-xla's list of folders searched for plugins.
	pluginPathsEnv = "PJRT_PLUGIN_LIBRARY_PATH"
)

// pythonTimeout bounds the `python3 -c` call that lists site-packages: a
// broken interpreter must not stall a notebook cell, but a pyenv shim on a
// busy machine was measured at 3.6 s, hence the margin.
const pythonTimeout = 10 * time.Second

// Env is everything [Choose] looks at, injected so the choice can be tested
// without touching the real machine.
type Env struct {
	// LookupEnv reads an environment variable (os.LookupEnv in production).
	LookupEnv func(name string) (string, bool)

	// Root is prefixed to the fixed system folders searched (/opt, /usr/lib,
	// /usr/local/lib). Paths coming from environment variables (HOME,
	// VIRTUAL_ENV, PJRT_PLUGIN_LIBRARY_PATH, …) or from Python are used as
	// given. Empty means "/".
	Root string

	// SitePackages asks a Python interpreter for its site-packages folders.
	// nil, or an error, simply means "no answer from Python".
	SitePackages func(ctx context.Context) ([]string, error)

	// HasGPU reports whether an NVIDIA GPU is present. nil means no GPU.
	HasGPU func() bool

	// XLACompiled tells whether the xla backend is compiled into this binary
	// (it needs cgo). When false a CUDA plugin is never chosen.
	XLACompiled bool
}

// OSEnv returns the Env of the running process.
func OSEnv() Env {
	return Env{
		LookupEnv:    os.LookupEnv,
		Root:         "/",
		SitePackages: python3SitePackages,
		HasGPU:       hasNVIDIAGPU,
		XLACompiled:  xlaCompiled,
	}
}

// lookup is a nil-safe LookupEnv that treats an empty value as unset.
func (e Env) lookup(name string) (string, bool) {
	if e.LookupEnv == nil {
		return "", false
	}
	v, ok := e.LookupEnv(name)
	if !ok || v == "" {
		return "", false
	}
	return v, true
}

// rooted joins a fixed absolute system path under Env.Root.
func (e Env) rooted(path string) string {
	if e.Root == "" || e.Root == "/" {
		return path
	}
	return filepath.Join(e.Root, path)
}

// hasGPU is a nil-safe HasGPU.
func (e Env) hasGPU() bool {
	return e.HasGPU != nil && e.HasGPU()
}

// pythonSiteScript prints, as JSON, every folder where the interpreter would
// find installed packages (global, user and sysconfig's purelib/platlib).
const pythonSiteScript = `import json, site, sysconfig
p = []
try:
    p += list(site.getsitepackages())
except Exception:
    pass
try:
    p.append(site.getusersitepackages())
except Exception:
    pass
for k in ("purelib", "platlib"):
    try:
        p.append(sysconfig.get_paths()[k])
    except Exception:
        pass
print(json.dumps(p))
`

// python3SitePackages runs the python3 found on PATH, with a short timeout.
func python3SitePackages(ctx context.Context) ([]string, error) {
	python, err := exec.LookPath("python3")
	if err != nil {
		return nil, errors.Wrap(err, "python3 not on PATH")
	}
	ctx, cancel := context.WithTimeout(ctx, pythonTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, python, "-I", "-c", pythonSiteScript).Output()
	if err != nil {
		return nil, errors.Wrapf(err, "%s -c <list site-packages>", python)
	}
	return parseSitePackages(out)
}

// parseSitePackages decodes the JSON list printed by pythonSiteScript.
func parseSitePackages(out []byte) ([]string, error) {
	var paths []string
	if err := json.Unmarshal(out, &paths); err != nil {
		return nil, errors.Wrapf(err, "parsing python3 site-packages list %q", string(out))
	}
	return paths, nil
}

// hasNVIDIAGPU looks for an actual GPU, not just an installed driver:
// /dev/nvidia0, /dev/nvidia1, … or a per-GPU folder under /proc/driver/nvidia.
func hasNVIDIAGPU() bool {
	for _, pattern := range []string{"/dev/nvidia[0-9]*", "/proc/driver/nvidia/gpus/*"} {
		if m, _ := filepath.Glob(pattern); len(m) > 0 {
			return true
		}
	}
	return false
}
