package unet

import (
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/core/graph"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/internal/testutil"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
)

// TestIm2ColMatchesBackendConv compares the im2col convolution (Pad taps
// for stride 1, strided slices otherwise, batch 1 and 2) with the backend's
// own convolution, which nn's tests check against PyTorch's definition.
func TestIm2ColMatchesBackendConv(t *testing.T) {
	b := testutil.Backend(t)
	rng := rand.New(rand.NewPCG(2, 5))
	for _, tc := range []struct{ batch, k, s, p, h, w int }{
		{2, 3, 1, 1, 6, 5}, {1, 3, 1, 1, 4, 7}, {2, 3, 2, 1, 7, 6}, {2, 3, 2, 0, 6, 6}, {2, 1, 1, 0, 4, 4}, {1, 1, 1, 0, 3, 5}, {2, 5, 1, 2, 6, 6},
	} {
		r := nn.NewRegistry()
		cv := r.Conv2d("conv", 3, 4, tc.k, tc.s, tc.p, true)
		store, err := RandomStore(r.Specs(), b, 1)
		if err != nil {
			t.Fatal(err)
		}
		x := randomTensor(rng, tc.batch, 3, tc.h, tc.w)
		run := func(im2col bool) []float32 {
			opts := DefaultOptions(b)
			opts.Im2Col = im2col
			e, err := nn.NewExec("conv", b, store, opts, func(c nn.Ctx, in []*graph.Node) []*graph.Node {
				return []*graph.Node{conv2d(c, cv, in[0])}
			})
			if err != nil {
				t.Fatal(err)
			}
			out, err := e.Call(x)
			if err != nil {
				t.Fatal(err)
			}
			return flat(out[0])
		}
		assertNear(t, run(true), run(false), 1e-5)
	}
}
