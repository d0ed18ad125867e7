package unet

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/internal/testutil"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
)

// TestNearestIndices pins PyTorch's legacy nearest source indices for the
// sizes SDXL's odd latents produce (125 → 63 → 32 down, 32 → 63 → 125 up).
func TestNearestIndices(t *testing.T) {
	if got := nearestIndices(32, 63)[:8]; !slices.Equal(got, []int{0, 0, 1, 1, 2, 2, 3, 3}) {
		t.Errorf("32→63 starts %v", got)
	}
	if got := nearestIndices(32, 63)[62]; got != 31 {
		t.Errorf("32→63 ends at %d", got)
	}
	// 63→125: scale 0.504; o=124 → floor(62.496) = 62, o=123 → 61.99 → 61.
	if got := nearestIndices(63, 125)[122:]; !slices.Equal(got, []int{61, 61, 62}) {
		t.Errorf("63→125 ends %v", got)
	}
	if got := nearestIndices(3, 6); !slices.Equal(got, []int{0, 0, 1, 1, 2, 2}) {
		t.Errorf("doubling %v", got)
	}
}

// TestResizeNearest checks the gather path (odd target sizes) and the
// broadcast path (doubling) against the index definition.
func TestResizeNearest(t *testing.T) {
	b := testutil.Backend(t)
	rng := rand.New(rand.NewPCG(1, 3))
	const n, c, h, w = 2, 3, 4, 5
	x := randomValues(rng, n*c*h*w)
	for _, size := range [][2]int{{7, 9}, {8, 10}, {4, 11}} {
		e, err := nn.NewExec("resize", b, model.NewStore(), DefaultOptions(b), func(_ nn.Ctx, in []*graph.Node) []*graph.Node {
			return []*graph.Node{resizeNearest(in[0], size[0], size[1])}
		})
		if err != nil {
			t.Fatal(err)
		}
		out, err := e.Call(reshapeTensor(t, randomTensorFrom(x), n, c, h, w))
		if err != nil {
			t.Fatal(err)
		}
		got := flat(out[0])
		hs, ws := nearestIndices(h, size[0]), nearestIndices(w, size[1])
		for i := range n * c {
			for y := range size[0] {
				for xx := range size[1] {
					want := x[(i*h+hs[y])*w+ws[xx]]
					if g := got[(i*size[0]+y)*size[1]+xx]; g != want {
						t.Fatalf("%v: at (%d,%d,%d) got %g want %g", size, i, y, xx, g, want)
					}
				}
			}
		}
	}
}
