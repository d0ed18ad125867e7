//go:build cgo && !noxla

package xla

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOpenMissingXLAPlugin: a plugin that cannot be loaded is an error with
// context, never a panic, and auto-install stays off.
func TestOpenMissingXLAPlugin(t *testing.T) {
	t.Setenv(noAutoInstallEnv, "")
	missing := filepath.Join(t.TempDir(), "pjrt_c_api_cpu_plugin.so")
	_, err := Open(Choice{Config: "xla:" + missing, Setenv: []EnvVar{{noAutoInstallEnv, "1"}}, Reason: "test"})
	if err == nil || !strings.Contains(err.Error(), missing) || !strings.Contains(err.Error(), "creating backend") {
		t.Fatalf("want an error naming %s, got %v", missing, err)
	}
	if v := os.Getenv(noAutoInstallEnv); v != "1" {
		t.Errorf("%s = %q, want 1", noAutoInstallEnv, v)
	}
}

// TestPreloadLibraries records a failure for a missing library and success
// for one that is surely loadable (the C library itself).
func TestPreloadLibraries(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "libnothing.so.1")
	preloadLibraries([]string{missing, "libc.so.6"})
	report := strings.Join(preloadReport(), "\n")
	if !strings.Contains(report, missing+": ") {
		t.Errorf("missing library should be reported with its error:\n%s", report)
	}
	if !strings.Contains(report, "libc.so.6") || strings.Contains(report, "libc.so.6: ") {
		t.Errorf("libc.so.6 should be preloaded without error:\n%s", report)
	}
}
