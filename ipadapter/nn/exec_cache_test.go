package nn

import (
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/internal/testutil"
)

// TestExecCache checks that an executable is made once per key, that
// Forget keeps the compilation count, and that Close refuses later calls.
func TestExecCache(t *testing.T) {
	c := NewExecCache("cache", testutil.Backend(t), model.NewStore(), Options{})
	made := 0
	get := func(key string, factor float64) *Exec {
		t.Helper()
		e, err := c.Get(key, func() BuildFn {
			made++
			return func(_ Ctx, in []*graph.Node) []*graph.Node { return []*graph.Node{graph.MulScalar(in[0], factor)} }
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Call(tensors.FromValue([]float32{1, 2})); err != nil {
			t.Fatal(err)
		}
		return e
	}
	first := get("double", 2)
	if again := get("double", 3); again != first || made != 1 {
		t.Fatalf("a second Get of a key made a new executable (%d made)", made)
	}
	get("triple", 3)
	if n := c.Compilations(); n != 2 || made != 2 {
		t.Fatalf("%d compilations, %d executables made; want 2 and 2", n, made)
	}
	c.Forget()
	get("double", 2)
	if n := c.Compilations(); n != 3 || made != 3 {
		t.Fatalf("after Forget: %d compilations, %d executables made; want 3 and 3", n, made)
	}
	c.Close()
	if n := c.Compilations(); n != 3 {
		t.Fatalf("after Close: %d compilations, want 3", n)
	}
	if _, err := c.Get("double", func() BuildFn { t.Fatal("build after Close"); return nil }); err == nil || !strings.Contains(err.Error(), "cache: the model was closed") {
		t.Fatalf("Get after Close: %v", err)
	}
}
