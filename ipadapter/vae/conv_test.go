package vae

import (
	"fmt"
	"math"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/internal/testutil"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
)

// TestConvMatchesBackendConvolution checks the pure-Go conv path (shifted
// views, per-tap products) against the backend's own convolution for every
// kind of conv the VAE has, at batch 1 and 2.
func TestConvMatchesBackendConvolution(t *testing.T) {
	b := testutil.Backend(t)
	for _, tc := range []struct {
		in, out, k, stride, pad int
		h, w                    int
	}{
		{3, 5, 3, 1, 1, 7, 9},  // 3×3 same
		{4, 6, 1, 1, 0, 5, 3},  // 1×1 shortcut / quant convs
		{5, 5, 3, 2, 0, 9, 8},  // downsample after its asymmetric pad
		{2, 3, 3, 1, 0, 6, 6},  // valid 3×3
		{2, 2, 3, 2, 1, 7, 10}, // strided with padding
	} {
		for _, batch := range []int{1, 2} {
			t.Run(fmt.Sprintf("%d→%d_k%d_s%d_p%d_b%d", tc.in, tc.out, tc.k, tc.stride, tc.pad, batch), func(t *testing.T) {
				r := nn.NewRegistry()
				cv := r.Conv2d("c", tc.in, tc.out, tc.k, tc.stride, tc.pad, true)
				store, _, err := nn.Load(r.Specs(), writeRandomWeights(t, r.Specs(), nil), b, dtypes.Float32)
				if err != nil {
					t.Fatal(err)
				}
				x, _ := randomTensor(uint64(tc.h*batch), batch, tc.in, tc.h, tc.w)
				var outs [][]float32
				for _, im2col := range []bool{true, false} {
					e, err := nn.NewExec("conv", b, store, nn.Options{DType: dtypes.Float32, Im2Col: im2col},
						func(c nn.Ctx, in []*graph.Node) []*graph.Node { return []*graph.Node{conv(c, cv, in[0])} })
					if err != nil {
						t.Fatal(err)
					}
					y, err := e.Call(x)
					if err != nil {
						t.Fatal(err)
					}
					want := []int{batch, tc.out, cv.OutputSize(tc.h), cv.OutputSize(tc.w)}
					if !equalInts(y[0].Shape().Dimensions, want) {
						t.Fatalf("im2col %v: shape %v, want %v", im2col, y[0].Shape().Dimensions, want)
					}
					outs = append(outs, tensors.MustCopyFlatData[float32](y[0]))
				}
				for i := range outs[0] {
					if d := math.Abs(float64(outs[0][i] - outs[1][i])); d > 1e-5 {
						t.Fatalf("value %d: %v, backend convolution %v", i, outs[0][i], outs[1][i])
					}
				}
			})
		}
	}
}

// TestShifted checks the shifted view against its definition.
func TestShifted(t *testing.T) {
	x := tensors.FromFlatDataAndDimensions([]float32{1, 2, 3, 4, 5, 6}, 1, 1, 2, 3)
	for _, tc := range []struct {
		dy, dx, ho, wo int
		want           []float32
	}{
		{-1, -1, 2, 3, []float32{0, 0, 0, 0, 1, 2}},
		{1, 1, 2, 3, []float32{5, 6, 0, 0, 0, 0}},
		{0, 1, 2, 2, []float32{2, 3, 5, 6}},
		{-1, 0, 3, 3, []float32{0, 0, 0, 1, 2, 3, 4, 5, 6}},
	} {
		y, err := graph.ExecOnce(testutil.Backend(t), func(x *graph.Node) *graph.Node { return shifted(x, tc.dy, tc.dx, tc.ho, tc.wo) }, x)
		if err != nil {
			t.Fatal(err)
		}
		got := tensors.MustCopyFlatData[float32](y)
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("shift (%d, %d) to %d×%d: %v, want %v", tc.dy, tc.dx, tc.ho, tc.wo, got, tc.want)
		}
	}
}
