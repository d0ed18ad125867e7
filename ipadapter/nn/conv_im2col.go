package nn

import (
	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/graph"
)

// perTapAbove is the patch-matrix size (elements) above which im2col sums
// per-tap products instead of building the matrix. Measured on the pure-Go
// backend: one product is faster on the UNet's small, wide feature maps
// (per-tap weight slices are copied on every run, and at 8×8 to 32×32 they
// cost more than the patches), per-tap products on the VAE's 128² and 256²
// maps, where the k²-times-larger patch matrix no longer stays in cache
// (equal at about 4 M elements).
const perTapAbove = 1 << 22

// perTap reports whether im2col should sum per-tap products for an input
// of dimensions d [B, I, H, W].
func (cv Conv2d) perTap(d []int) bool {
	patches := cv.Kernel * cv.Kernel * cv.In * d[0] * cv.OutputSize(d[2]) * cv.OutputSize(d[3])
	return patches > perTapAbove
}

// im2col computes the convolution of x [B, I, H, W] as matrix products of
// the OIHW weight with the k·k shifted views of the input, in a
// batch-inner layout: the input is transposed to [I, B, H, W] (a reshape
// when B = 1) and the result comes out as [O, B, H', W']. In that layout
// the contracted axes of the views lead, which the Go backend's matrix
// kernel takes as they are (a patch matrix [B, I·k·k, H'·W'] is transposed
// entirely first), and only the input and the output are transposed, once
// each.
//
// With perTap false the views are stacked into patches [I, k, k, B, H', W']
// and contracted with the weight over (I, k, k) in one product, without
// reshaping the weight (a reshape of a weight is a copy on every run in
// the Go backend). With perTap true each view meets its own [O, I] weight
// slice and the k·k products are summed, so no patch matrix exists.
func (cv Conv2d) im2col(c Ctx, x *graph.Node, perTap bool) *graph.Node {
	d := x.Shape().Dimensions
	b, ch, h, w := d[0], d[1], d[2], d[3]
	k := cv.Kernel
	ho, wo := cv.OutputSize(h), cv.OutputSize(w)
	var xt *graph.Node // [I, B, H, W]
	if b == 1 {
		xt = graph.Reshape(x, ch, 1, h, w)
	} else {
		xt = graph.TransposeAllDims(x, 1, 0, 2, 3)
	}
	views := cv.taps(xt, ho, wo)
	weight := c.W(cv.Name + ".weight")
	var y *graph.Node // [O, B, H', W']
	if !perTap || len(views) == 1 {
		patches := graph.Reshape(graph.Stack(views, 1), ch, k, k, b, ho, wo)
		y = graph.Dot(weight, patches).General([]int{1, 2, 3}, nil, []int{0, 1, 2}, nil)
	} else {
		for i, view := range views {
			wk := graph.Reshape(graph.Slice(weight, graph.AxisRange(), graph.AxisRange(),
				graph.AxisElem(i/k), graph.AxisElem(i%k)), cv.Out, ch)
			term := graph.Dot(wk, view).General([]int{1}, nil, []int{0}, nil)
			if y == nil {
				y = term
			} else {
				y = graph.Add(y, term)
			}
		}
	}
	if cv.Bias {
		y = graph.Add(y, graph.Reshape(c.W(cv.Name+".bias"), cv.Out, 1, 1, 1))
	}
	if b == 1 {
		return graph.Reshape(y, 1, cv.Out, ho, wo)
	}
	return graph.TransposeAllDims(y, 1, 0, 2, 3)
}

// taps returns the k·k views [I, B, H', W'] of x [I, B, H, W] in (ky, kx)
// order: view (ky, kx) at (r, c) is the zero-padded input at
// (s·r + ky, s·c + kx).
func (cv Conv2d) taps(x *graph.Node, ho, wo int) []*graph.Node {
	k, s, p := cv.Kernel, cv.Stride, cv.Padding
	views := make([]*graph.Node, 0, k*k)
	if s == 1 {
		for ky := range k {
			for kx := range k {
				views = append(views, shifted(x, ky-p, kx-p, ho, wo))
			}
		}
		return views
	}
	// Strided (the downsamplers): strided slices of the padded input.
	if p > 0 {
		pad := compute.PadAxis{Start: p, End: p}
		x = graph.Pad(x, graph.ScalarZero(x.Graph(), x.DType()), compute.PadAxis{}, compute.PadAxis{}, pad, pad)
	}
	for ky := range k {
		for kx := range k {
			views = append(views, graph.Slice(x, graph.AxisRange(), graph.AxisRange(),
				graph.AxisRange(ky, ky+s*(ho-1)+1).Stride(s),
				graph.AxisRange(kx, kx+s*(wo-1)+1).Stride(s)))
		}
	}
	return views
}

// shifted returns out [A, B, ho, wo] with out[r, c] = x[r+dy, c+dx], zero
// where that falls outside x [A, B, H, W]: one Pad whose negative
// start/end crops the side the shift leaves and pads the other. The Go
// backend copies a Pad row by row, a strided Slice element by element
// (several times slower).
func shifted(x *graph.Node, dy, dx, ho, wo int) *graph.Node {
	d := x.Shape().Dimensions
	if dy == 0 && dx == 0 && ho == d[2] && wo == d[3] {
		return x
	}
	return graph.Pad(x, graph.ScalarZero(x.Graph(), x.DType()), compute.PadAxis{}, compute.PadAxis{},
		compute.PadAxis{Start: -dy, End: ho - d[2] + dy},
		compute.PadAxis{Start: -dx, End: wo - d[3] + dx})
}
