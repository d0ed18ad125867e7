package nn

import (
	"strings"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/internal/testutil"
)

// TestExecCompile checks that Compile builds the graph once, that a Call
// with the same shapes reuses it, and that build failures are errors.
func TestExecCompile(t *testing.T) {
	b := testutil.Backend(t)
	e, err := NewExec("double", b, model.NewStore(), Options{}, func(c Ctx, in []*graph.Node) []*graph.Node {
		if in[0].Rank() != 1 {
			panic("rank-1 inputs only") // stands for a graph-building failure
		}
		return []*graph.Node{graph.MulScalar(in[0], 2)}
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Compile(shapes.Make(dtypes.Float32, 3)); err != nil {
		t.Fatal(err)
	}
	if e.Compilations() != 1 {
		t.Fatalf("%d compilations after Compile, want 1", e.Compilations())
	}
	out, err := e.Call(tensors.FromValue([]float32{1, 2, 3}))
	if err != nil {
		t.Fatal(err)
	}
	if got := tensors.MustCopyFlatData[float32](out[0]); got[2] != 6 || e.Compilations() != 1 {
		t.Fatalf("got %v after %d compilations", got, e.Compilations())
	}
	if err := e.Compile(shapes.Make(dtypes.Float32, 2, 2)); err == nil || !strings.Contains(err.Error(), "double") {
		t.Fatalf("failing build: %v", err)
	}
}
