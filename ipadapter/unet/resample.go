package unet

import (
	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/graph"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
)

// downsample is Downsample2D with use_conv: a 3×3 stride-2 convolution
// ("downsamplers.0.conv"). With padding 0 diffusers first pads one column on
// the right and one row at the bottom.
type downsample struct {
	Conv    nn.Conv2d
	Padding int
}

func newDownsample(r *nn.Registry, ch, padding int) downsample {
	return downsample{Conv: r.In("downsamplers", "0").Conv2d("conv", ch, ch, 3, 2, padding, true), Padding: padding}
}

// outputSize is the spatial size produced from n (≤ 0: too small).
func (d downsample) outputSize(n int) int {
	if d.Padding == 0 {
		n++
	}
	return d.Conv.OutputSize(n)
}

func (d downsample) apply(c nn.Ctx, x *graph.Node) *graph.Node {
	if d.Padding == 0 {
		zero := graph.ScalarZero(x.Graph(), x.DType())
		none := compute.PadAxis{}
		end := compute.PadAxis{End: 1}
		x = graph.Pad(x, zero, none, none, end, end)
	}
	return d.Conv.Apply(c, x)
}

// upsample is Upsample2D with use_conv: nearest-neighbour resize (×2, or to
// the skip tensor's size for odd latents), then a 3×3 convolution.
type upsample struct {
	Conv nn.Conv2d
}

func newUpsample(r *nn.Registry, ch int) upsample {
	return upsample{Conv: r.In("upsamplers", "0").Conv2d("conv", ch, ch, 3, 1, 1, true)}
}

// apply resizes x [B, C, H, W] to [B, C, h, w] and convolves it.
func (u upsample) apply(c nn.Ctx, x *graph.Node, h, w int) *graph.Node {
	return u.Conv.Apply(c, resizeNearest(x, h, w))
}

// resizeNearest is PyTorch's legacy "nearest" interpolation of an NCHW
// tensor to h×w: output index o reads input min(floor(o·scale), in−1) with
// scale = in/out in float32. Doubling is a broadcast (no gather).
func resizeNearest(x *graph.Node, h, w int) *graph.Node {
	d := x.Shape().Dimensions
	hin, win := d[2], d[3]
	if h == hin && w == win {
		return x
	}
	if h == 2*hin && w == 2*win {
		return nn.Nearest2x(x)
	}
	hs, ws := nearestIndices(hin, h), nearestIndices(win, w)
	idx := make([][][]int32, h)
	for i := range h {
		idx[i] = make([][]int32, w)
		for j := range w {
			idx[i][j] = []int32{int32(hs[i]), int32(ws[j])}
		}
	}
	spatialFirst := graph.TransposeAllDims(x, 2, 3, 0, 1) // [H, W, B, C]
	out := graph.Gather(spatialFirst, graph.Const(x.Graph(), idx), true)
	return graph.TransposeAllDims(out, 2, 3, 0, 1)
}

// nearestIndices are the source indices of PyTorch's nearest resize from n
// to m (upsample_nearest2d's nearest_idx, legacy mode).
func nearestIndices(n, m int) []int {
	idx := make([]int, m)
	scale := float32(n) / float32(m)
	for o := range idx {
		idx[o] = min(int(float32(o)*scale), n-1) // floor: the product is non-negative
	}
	return idx
}
