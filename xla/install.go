package xla

import (
	"context"
	"net/http"
	"path/filepath"
	"time"

	"github.com/pkg/errors"
)

// InstallOptions configures [InstallCUDAPlugin]. Zero values are defaults.
type InstallOptions struct {
	// LibDir is the "lib" folder under which go-xla/ is created, where
	// Choose looks for it: ~/.local/lib (default) or /usr/local/lib.
	LibDir string
	// CUDA is "cuda13" (default) or "cuda12".
	CUDA string
	// Version of the jax-cudaNN-pjrt wheel, default "latest".
	Version string
}

// pypiProbeTimeout bounds the reachability check made before installing.
const pypiProbeTimeout = 15 * time.Second

// InstallCUDAPlugin downloads jax's CUDA PJRT plugin and the NVIDIA
// libraries it needs from pypi.org into <LibDir>/go-xla/nvidia, using
// go-xla's installer, and returns the plugin's path. It is the only way this
// package downloads anything; call it before the first [Backend] call.
//
// Beware: go-xla's installer first deletes <LibDir>/go-xla/nvidia. Offline,
// it fails fast with an error saying so. Cancelling ctx stops the waiting,
// not a download already under way (go-xla's installer takes no context).
func InstallCUDAPlugin(ctx context.Context, opts InstallOptions) (string, error) {
	if opts.CUDA == "" {
		opts.CUDA = "cuda13"
	}
	if opts.CUDA != "cuda13" && opts.CUDA != "cuda12" {
		return "", errors.Errorf("InstallCUDAPlugin: CUDA must be \"cuda13\" or \"cuda12\", got %q", opts.CUDA)
	}
	if opts.Version == "" {
		opts.Version = "latest"
	}
	if opts.LibDir == "" {
		dir, err := defaultLibDir()
		if err != nil {
			return "", errors.WithMessage(err, "InstallCUDAPlugin")
		}
		opts.LibDir = dir
	}
	if err := probeURL(ctx, pypiJSONURL("jax-"+opts.CUDA+"-pjrt")); err != nil {
		return "", errors.WithMessagef(err, "InstallCUDAPlugin: pypi.org is unreachable (offline?); "+
			"install jax[%s] with pip on a connected machine and point %s at its jax_plugins/xla_%s/%s",
			opts.CUDA, PluginEnv, opts.CUDA, jaxPluginFile)
	}
	goxlaDir := filepath.Join(opts.LibDir, "go-xla")
	done := make(chan error, 1)
	go func() { done <- runCUDAInstaller(opts.CUDA, opts.Version, goxlaDir) }()
	select {
	case err := <-done:
		if err != nil {
			return "", errors.WithMessagef(err, "InstallCUDAPlugin(%s %s into %s)", opts.CUDA, opts.Version, goxlaDir)
		}
	case <-ctx.Done():
		return "", errors.Wrap(ctx.Err(), "InstallCUDAPlugin: stopped waiting (the download may still finish in the background)")
	}
	plugin := filepath.Join(goxlaDir, "nvidia", goXLACUDAPluginFile)
	if !isFile(plugin) {
		return "", errors.Errorf("InstallCUDAPlugin: installer finished but %s is missing", plugin)
	}
	return plugin, nil
}

// pypiJSONURL is the metadata URL go-xla's installer reads first.
func pypiJSONURL(pkg string) string { return "https://pypi.org/pypi/" + pkg + "/json" }

// probeURL checks that a URL answers 200, so that an offline machine gets a
// clear error instead of a failure deep inside the installer.
func probeURL(ctx context.Context, url string) error {
	ctx, cancel := context.WithTimeout(ctx, pypiProbeTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return errors.Wrapf(err, "building request for %s", url)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return errors.Wrapf(err, "GET %s", url)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return errors.Errorf("GET %s: %s", url, resp.Status)
	}
	return nil
}
