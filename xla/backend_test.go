package xla

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// TestBackendOnThisMachine checks the real discovery on a machine without a
// GPU: the pure-Go backend, memoised, running a graph.
func TestBackendOnThisMachine(t *testing.T) {
	if hasNVIDIAGPU() {
		t.Skip("an NVIDIA GPU is present: the xla path is exercised by bench/gpu")
	}
	t.Setenv(BackendEnv, "")
	t.Setenv(PluginEnv, "")
	t.Setenv(DTypeEnv, "")
	b, err := Backend()
	if err != nil {
		t.Fatalf("Backend: %+v", err)
	}
	if b.String() != "go" {
		t.Fatalf("backend %q, want go", b.String())
	}
	if b2, err := Backend(); err != nil || b2 != b {
		t.Errorf("second Backend() call = %v, %v; want the same backend", b2, err)
	}
	exec, err := graph.NewExec(b, func(x *graph.Node) *graph.Node {
		return graph.AddScalar(graph.MulScalar(x, 2), 1)
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Call1([]float32{1, 2, 3})
	if err != nil {
		t.Fatalf("running the graph: %+v", err)
	}
	got, err := tensors.CopyFlatData[float32](out)
	if err != nil {
		t.Fatal(err)
	}
	if want := []float32{3, 5, 7}; !slices.Equal(got, want) {
		t.Errorf("2x+1 = %v, want %v", got, want)
	}

	if dt := ComputeDType(b); dt != dtypes.Float32 {
		t.Errorf("ComputeDType(go) = %s, want float32", dt)
	}
	if HasFlashAttention(b) {
		t.Error("the go backend has no cuDNN flash attention")
	}

	r, err := Describe()
	if err != nil {
		t.Fatalf("Describe: %+v", err)
	}
	if r.Backend != "go" || r.Config != GoConfig || len(r.Devices) != 1 || r.ComputeDType != dtypes.Float32 || r.PluginAPI != nil {
		t.Errorf("unexpected report %+v", r)
	}
	s := r.String()
	for _, want := range []string{"backend:", "go (go)", "reason:", "compute dtype:", "Float32"} {
		if !strings.Contains(s, want) {
			t.Errorf("report text lacks %q:\n%s", want, s)
		}
	}
}

func TestComputeDTypeOverride(t *testing.T) {
	b, err := Open(Choice{Config: GoConfig})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Finalize()
	env := func(v string) func(string) (string, bool) {
		return func(k string) (string, bool) {
			if k == DTypeEnv && v != "" {
				return v, true
			}
			return "", false
		}
	}
	for v, want := range map[string]dtypes.DType{"": dtypes.Float32, "f16": dtypes.Float16, "bf16": dtypes.BFloat16, "f32": dtypes.Float32} {
		if got, err := ComputeDTypeFrom(b, env(v)); err != nil || got != want {
			t.Errorf("%s=%q: got %s, %v; want %s", DTypeEnv, v, got, err, want)
		}
	}
	if _, err := ComputeDTypeFrom(b, env("int8")); err == nil || !strings.Contains(err.Error(), DTypeEnv) {
		t.Errorf("want an error naming %s, got %v", DTypeEnv, err)
	}
	t.Setenv(DTypeEnv, "nonsense")
	if got := ComputeDType(b); got != dtypes.Float32 {
		t.Errorf("an invalid %s must fall back to the default, got %s", DTypeEnv, got)
	}
}

func TestOpenErrors(t *testing.T) {
	if _, err := Open(Choice{Config: "nosuchbackend"}); err == nil || !strings.Contains(err.Error(), "not registered") {
		t.Errorf("want a 'not registered' error, got %v", err)
	}
	t.Setenv("IPADAPTER_TEST_OPEN_VAR", "")
	if _, err := Open(Choice{Config: GoConfig, Setenv: []EnvVar{{"IPADAPTER_TEST_OPEN_VAR", "set"}}}); err != nil {
		t.Fatal(err)
	}
	if v := os.Getenv("IPADAPTER_TEST_OPEN_VAR"); v != "set" {
		t.Errorf("Open must apply Setenv, got %q", v)
	}
}
