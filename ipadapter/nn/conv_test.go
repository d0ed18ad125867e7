package nn

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/internal/testutil"
)

// naiveConv is a direct loop over PyTorch's Conv2d definition.
func naiveConv(x []float32, b, ci, h, wd int, w, bias []float32, co, k, s, p int) []float32 {
	ho, wo := (h+2*p-k)/s+1, (wd+2*p-k)/s+1
	out := make([]float32, b*co*ho*wo)
	for n := range b {
		for o := range co {
			for y := range ho {
				for xx := range wo {
					acc := float64(bias[o])
					for c := range ci {
						for ky := range k {
							for kx := range k {
								iy, ix := y*s+ky-p, xx*s+kx-p
								if iy < 0 || ix < 0 || iy >= h || ix >= wd {
									continue
								}
								acc += float64(x[((n*ci+c)*h+iy)*wd+ix]) * float64(w[((o*ci+c)*k+ky)*k+kx])
							}
						}
					}
					out[((n*co+o)*ho+y)*wo+xx] = float32(acc)
				}
			}
		}
	}
	return out
}

// convVariants are the ways Conv2d computes: the backend's convolution and
// both im2col strategies (Apply picks one by size; both are checked on
// small shapes here).
var convVariants = []struct {
	name  string
	apply func(cv Conv2d) func(c Ctx, x *graph.Node) *graph.Node
}{
	{"direct", func(cv Conv2d) func(Ctx, *graph.Node) *graph.Node { return cv.Apply }},
	{"im2col patches", func(cv Conv2d) func(Ctx, *graph.Node) *graph.Node {
		return func(c Ctx, x *graph.Node) *graph.Node { return cv.im2col(c, x, false) }
	}},
	{"im2col per tap", func(cv Conv2d) func(Ctx, *graph.Node) *graph.Node {
		return func(c Ctx, x *graph.Node) *graph.Node { return cv.im2col(c, x, true) }
	}},
}

func TestConv2dIm2ColAndDirectMatchTorchDefinition(t *testing.T) {
	for _, tc := range []struct{ k, s, p, h, w int }{{3, 1, 1, 6, 5}, {3, 2, 1, 7, 6}, {1, 1, 0, 4, 4}, {2, 2, 0, 6, 4}} {
		for _, v := range convVariants {
			r := NewRegistry()
			cv := r.Conv2d("conv", 3, 4, tc.k, tc.s, tc.p, true)
			x := randomInput(2*3*tc.h*tc.w, 3)
			got, shape, w := run(t, r, Options{}, v.apply(cv), x, 2, 3, tc.h, tc.w)
			want := naiveConv(x, 2, 3, tc.h, tc.w, w["conv.weight"], w["conv.bias"], 4, tc.k, tc.s, tc.p)
			if shape[2] != cv.OutputSize(tc.h) || shape[3] != cv.OutputSize(tc.w) {
				t.Fatalf("%+v %s: shape %v", tc, v.name, shape)
			}
			assertClose(t, got, want, 1e-4)
		}
	}
}

// TestIm2ColMatchesBackendConv compares both im2col strategies with the
// backend's own convolution for every kind of convolution the UNet and
// the VAE have (3×3 same, 1×1 shortcuts, 5×5, strided downsamplers with
// and without padding, valid 3×3), at batch 1 and 2, and checks that
// Options.Im2Col makes Apply take the im2col path.
func TestIm2ColMatchesBackendConv(t *testing.T) {
	b := testutil.Backend(t)
	for _, tc := range []struct{ in, out, k, s, p, h, w int }{
		{3, 4, 3, 1, 1, 6, 5}, {3, 4, 3, 1, 1, 4, 7}, {3, 4, 3, 2, 1, 7, 6}, {3, 4, 3, 2, 0, 6, 6},
		{3, 4, 1, 1, 0, 4, 4}, {3, 4, 1, 1, 0, 3, 5}, {3, 4, 5, 1, 2, 6, 6},
		{3, 5, 3, 1, 1, 7, 9}, {4, 6, 1, 1, 0, 5, 3}, {5, 5, 3, 2, 0, 9, 8}, {2, 3, 3, 1, 0, 6, 6}, {2, 2, 3, 2, 1, 7, 10},
	} {
		for _, batch := range []int{1, 2} {
			t.Run(fmt.Sprintf("%d→%d_k%d_s%d_p%d_%dx%d_b%d", tc.in, tc.out, tc.k, tc.s, tc.p, tc.h, tc.w, batch), func(t *testing.T) {
				r := NewRegistry()
				cv := r.Conv2d("c", tc.in, tc.out, tc.k, tc.s, tc.p, true)
				src, _ := randomSource(t, r.Specs(), uint64(tc.h*batch))
				store, _, err := Load(r.Specs(), src, b, dtypes.Float32)
				if err != nil {
					t.Fatal(err)
				}
				x := tensors.FromFlatDataAndDimensions(randomInput(batch*tc.in*tc.h*tc.w, uint64(tc.w)), batch, tc.in, tc.h, tc.w)
				want := []int{batch, tc.out, cv.OutputSize(tc.h), cv.OutputSize(tc.w)}
				call := func(opts Options, fn func(Ctx, *graph.Node) *graph.Node) []float32 {
					e, err := NewExec("conv", b, store, opts, func(c Ctx, in []*graph.Node) []*graph.Node { return []*graph.Node{fn(c, in[0])} })
					if err != nil {
						t.Fatal(err)
					}
					y, err := e.Call(x)
					if err != nil {
						t.Fatal(err)
					}
					if !slices.Equal(y[0].Shape().Dimensions, want) {
						t.Fatalf("shape %v, want %v", y[0].Shape().Dimensions, want)
					}
					return tensors.MustCopyFlatData[float32](y[0])
				}
				backend := call(Options{}, cv.Apply)
				for _, got := range [][]float32{
					call(Options{Im2Col: true}, cv.Apply),
					call(Options{}, func(c Ctx, x *graph.Node) *graph.Node { return cv.im2col(c, x, false) }),
					call(Options{}, func(c Ctx, x *graph.Node) *graph.Node { return cv.im2col(c, x, true) }),
				} {
					for i := range got {
						if d := math.Abs(float64(got[i] - backend[i])); d > 1e-5 {
							t.Fatalf("value %d: %v, backend convolution %v", i, got[i], backend[i])
						}
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

// TestPerTapChoice checks which strategy Apply picks: one patch product on
// small maps, per-tap products once the patch matrix passes perTapAbove.
func TestPerTapChoice(t *testing.T) {
	r := NewRegistry()
	cv := r.Conv2d("c", 32, 32, 3, 1, 1, true)
	small, large := []int{2, 32, 32, 32}, []int{1, 32, 128, 128} // 9·32·128² = 4.7 M patch elements
	if cv.perTap(small) || !cv.perTap(large) {
		t.Errorf("perTap(small) = %v, perTap(large) = %v; want false, true", cv.perTap(small), cv.perTap(large))
	}
}
