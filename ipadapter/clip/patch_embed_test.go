package clip

import (
	"math/rand/v2"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/internal/testutil"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
)

// TestPatchEmbedMatchesConvolution compares the reshape-and-multiply patch
// embedding with nn.Conv2d's direct convolution followed by
// flatten(2).transpose(1, 2), on a non-square image and batch 2.
func TestPatchEmbedMatchesConvolution(t *testing.T) {
	const b, ch, h, w, p, d = 2, 3, 8, 12, 4, 5
	r := nn.NewRegistry()
	conv := r.Conv2d("patch_embedding", ch, d, p, p, 0, false)
	src := testutil.OpenSafetensors(t, randomNamed(r.Specs(), 5, nil))
	backend := testutil.Backend(t)
	store, _, err := nn.Load(r.Specs(), src, backend, dtypes.Float32)
	if err != nil {
		t.Fatal(err)
	}
	exec, err := nn.NewExec("patches", backend, store, nn.Options{DType: dtypes.Float32}, func(c nn.Ctx, in []*graph.Node) []*graph.Node {
		ref := conv.Apply(c, in[0]) // [B, D, gh, gw]
		ref = graph.TransposeAllDims(graph.Reshape(ref, b, d, (h/p)*(w/p)), 0, 2, 1)
		return []*graph.Node{patchEmbed(c, conv, in[0]), ref}
	})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float32, b*ch*h*w)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	out, err := exec.Call(tensors.FromFlatDataAndDimensions(x, b, ch, h, w))
	if err != nil {
		t.Fatal(err)
	}
	got := tensors.MustCopyFlatData[float32](out[0])
	want := tensors.MustCopyFlatData[float32](out[1])
	if dims := out[0].Shape().Dimensions; dims[0] != b || dims[1] != (h/p)*(w/p) || dims[2] != d {
		t.Fatalf("shape %v", dims)
	}
	assertNear(t, "patch embedding", got, want, 1e-5)
}
