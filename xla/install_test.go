package xla

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestProbeURL(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/pypi/jax-cuda13-pjrt/json" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write([]byte(`{"info":{}}`))
	}))
	defer srv.Close()
	if err := probeURL(context.Background(), srv.URL+"/pypi/jax-cuda13-pjrt/json"); err != nil {
		t.Errorf("want success, got %v", err)
	}
	if err := probeURL(context.Background(), srv.URL+"/pypi/nope/json"); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("want a 404 error, got %v", err)
	}
}

// TestInstallCUDAPluginOffline uses an already-cancelled context, which is
// what an unreachable pypi.org looks like to the probe: the call must fail
// with an explanation before go-xla's installer touches anything.
func TestInstallCUDAPluginOffline(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := InstallCUDAPlugin(ctx, InstallOptions{LibDir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "unreachable") || !strings.Contains(err.Error(), PluginEnv) {
		t.Fatalf("want an 'unreachable … %s' error, got %v", PluginEnv, err)
	}
}

func TestInstallCUDAPluginBadOption(t *testing.T) {
	_, err := InstallCUDAPlugin(context.Background(), InstallOptions{CUDA: "cuda11", LibDir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "cuda11") {
		t.Fatalf("want an error naming cuda11, got %v", err)
	}
}
