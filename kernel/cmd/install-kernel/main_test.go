package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

func TestKernelPath(t *testing.T) {
	got := kernelPath("/home/u/go/bin", "/usr/bin:/home/u/go/pkg/mod/golang.org/toolchain@v0.0.1-go1.27.3.linux-amd64/bin:/usr/bin:/bin")
	if want := "/home/u/go/bin:/usr/bin:/bin"; got != want {
		t.Errorf("kernelPath = %q, want %q", got, want)
	}
}

func TestKernelEnv(t *testing.T) {
	t.Setenv("GOTOOLCHAIN", "local")
	t.Setenv("GOEXPERIMENT", "")
	t.Setenv("GOMLX_BACKEND", "")
	env := kernelEnv()
	if env["GOTOOLCHAIN"] != defaultToolchain || env["GOEXPERIMENT"] != "simd" {
		t.Errorf("env %v", env)
	}
	if _, ok := env["GOMLX_BACKEND"]; ok {
		t.Error("GOMLX_BACKEND written although unset")
	}
	t.Setenv("GOMLX_BACKEND", "xla:cuda")
	if kernelEnv()["GOMLX_BACKEND"] != "xla:cuda" {
		t.Error("GOMLX_BACKEND not written")
	}
}

func TestSetEnvKeepsTheSpec(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kernel.json")
	spec := `{"argv": ["gonb", "--kernel", "{connection_file}"], "display_name": "Go (gonb)", "env": {"KEEP": "1", "GOTOOLCHAIN": "old"}}`
	if err := os.WriteFile(path, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := setEnv(path, map[string]string{"GOTOOLCHAIN": "go1.27.3", "GOEXPERIMENT": "simd"}); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	var got struct {
		Argv []string          `json:"argv"`
		Env  map[string]string `json:"env"`
	}
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Argv) != 3 || got.Env["KEEP"] != "1" || got.Env["GOTOOLCHAIN"] != "go1.27.3" || got.Env["GOEXPERIMENT"] != "simd" {
		t.Errorf("kernel.json after setEnv: %s", data)
	}
}
