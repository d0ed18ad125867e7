package xla

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/pkg/errors"
)

// GoConfig is the compute config of the pure-Go backend.
const GoConfig = "go"

// Choice is the outcome of [Choose]: which backend to create, and why.
type Choice struct {
	// Config is what to pass to compute.NewWithConfig: "go" or
	// "xla:<plugin>[,options]".
	Config string
	// PluginPath is the real path of the PJRT plugin file, when known
	// (empty for "go" and for plugin names such as "xla:cuda").
	PluginPath string
	// Reason says in one sentence why this backend was chosen.
	Reason string
	// Setenv lists environment variables to set before creating the backend.
	Setenv []EnvVar
	// Preload lists NVIDIA libraries to dlopen before the plugin (see
	// jaxCUDASetup).
	Preload []string
	// Searched lists the plugin files looked for, for error messages.
	Searched []string
}

// IsXLA reports whether the choice is an xla (PJRT) backend.
func (c Choice) IsXLA() bool {
	name, _, _ := strings.Cut(c.Config, ":")
	return name == "xla" || name == "stablehlo" || name == "hlo" || name == "shlo"
}

// Choose decides which backend to use; it has no side effects besides
// reading files and running env.SitePackages. See the package doc for the
// order of the rules.
func Choose(env Env) (Choice, error) {
	if cfg, ok := env.lookup(BackendEnv); ok {
		return chooseFromBackendEnv(env, cfg)
	}
	if path, ok := env.lookup(PluginEnv); ok {
		return chooseExplicitPlugin(env, path)
	}
	if !env.XLACompiled {
		return Choice{Config: GoConfig, Reason: "xla backend not compiled in (needs cgo, no \"noxla\" tag): using the pure-Go backend"}, nil
	}
	if !env.hasGPU() {
		return Choice{Config: GoConfig, Reason: "no NVIDIA GPU found: using the pure-Go backend"}, nil
	}
	jaxPath, searched := findJAXPlugin(env.sitePackages(context.Background()))
	if jaxPath != "" {
		return pluginChoice(env, jaxPath, "NVIDIA GPU found; using jax's CUDA PJRT plugin", searched)
	}
	goxlaPath, searched2 := findGoXLAPlugin(env.goXLADirs())
	searched = append(searched, searched2...)
	if goxlaPath != "" {
		return pluginChoice(env, goxlaPath, "NVIDIA GPU found; using go-xla's installed CUDA PJRT plugin", searched)
	}
	return Choice{
		Config: GoConfig,
		Reason: fmt.Sprintf("NVIDIA GPU found but no CUDA PJRT plugin (looked for %d paths; "+
			"pip install jax[cuda13], set %s, or call xla.InstallCUDAPlugin): using the pure-Go backend",
			len(searched), PluginEnv),
		Searched: searched,
	}, nil
}

// chooseFromBackendEnv honours GOMLX_BACKEND. An absolute plugin path in it
// is checked and resolved like IPADAPTER_PJRT_PLUGIN, keeping any options.
func chooseFromBackendEnv(env Env, cfg string) (Choice, error) {
	reason := fmt.Sprintf("%s=%q", BackendEnv, cfg)
	c := Choice{Config: cfg, Reason: reason}
	if !c.IsXLA() {
		return c, nil
	}
	if !env.XLACompiled {
		return Choice{}, errors.Errorf("%s asks for the xla backend, but this binary was built without it (needs cgo and no \"noxla\" tag)", reason)
	}
	name, rest, _ := strings.Cut(cfg, ":")
	plugin, options, _ := strings.Cut(rest, ",")
	if !filepath.IsAbs(plugin) {
		c.Setenv = []EnvVar{{noAutoInstallEnv, "1"}}
		return c, nil
	}
	c, err := pluginChoice(env, plugin, reason, nil)
	if err != nil {
		return Choice{}, errors.WithMessagef(err, "%s", reason)
	}
	c.Config, c.Reason = name+":"+c.PluginPath, reason
	if options != "" {
		c.Config += "," + options
	}
	return c, nil
}

// chooseExplicitPlugin honours IPADAPTER_PJRT_PLUGIN: the file must exist,
// and a CUDA plugin needs a GPU.
func chooseExplicitPlugin(env Env, path string) (Choice, error) {
	if !filepath.IsAbs(path) {
		return Choice{}, errors.Errorf("%s=%q: must be an absolute path to a PJRT plugin .so file", PluginEnv, path)
	}
	if !env.XLACompiled {
		return Choice{}, errors.Errorf("%s is set, but this binary was built without the xla backend (needs cgo and no \"noxla\" tag)", PluginEnv)
	}
	c, err := pluginChoice(env, path, fmt.Sprintf("%s=%q", PluginEnv, path), nil)
	if err != nil {
		return Choice{}, errors.WithMessagef(err, "%s", PluginEnv)
	}
	if isCUDAName(c.PluginPath) && !env.hasGPU() {
		return Choice{}, errors.Errorf("%s=%q is a CUDA plugin but no NVIDIA GPU was found (no /dev/nvidia0 or /proc/driver/nvidia/gpus/*)", PluginEnv, path)
	}
	return c, nil
}

// pluginChoice builds an xla choice for a plugin file: real path, setup for
// jax's layout, and auto-install switched off. Every rule that picks a
// plugin file goes through it.
func pluginChoice(env Env, path, reason string, searched []string) (Choice, error) {
	real, err := resolvePlugin(path)
	if err != nil {
		return Choice{}, err
	}
	setenv, preload := jaxCUDASetup(real, env)
	setenv = append(setenv, EnvVar{noAutoInstallEnv, "1"})
	return Choice{
		Config:     "xla:" + real,
		PluginPath: real,
		Reason:     reason + ": " + real,
		Setenv:     setenv,
		Preload:    preload,
		Searched:   searched,
	}, nil
}

// resolvePlugin returns the absolute, symlink-free path of a plugin file:
// the plugin finds its NVIDIA libraries relative to its own folder ($ORIGIN),
// and a symlink elsewhere would break that.
func resolvePlugin(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", errors.Wrapf(err, "plugin path %q", path)
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", errors.Wrapf(err, "PJRT plugin %q not found", path)
	}
	if !isFile(real) {
		return "", errors.Errorf("PJRT plugin %q (%q) is not a regular file", path, real)
	}
	return real, nil
}

// isCUDAName is go-xla's rule (pjrt.IsCUDAName): a plugin whose path
// mentions CUDA or NVIDIA is treated as a CUDA plugin, which is what
// enables cuDNN flash attention.
func isCUDAName(name string) bool {
	u := strings.ToUpper(name)
	return strings.Contains(u, "CUDA") || strings.Contains(u, "NVIDIA")
}
