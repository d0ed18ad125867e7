package unet

import (
	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/graph"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
)

// conv2d applies an nn.Conv2d to x [B, I, H, W]. With Options.Im2Col (the
// pure-Go backend) it uses the im2col layout below; otherwise the layer's
// own Apply (the backend's convolution, cuDNN on CUDA).
func conv2d(c nn.Ctx, cv nn.Conv2d, x *graph.Node) *graph.Node {
	if !c.Options().Im2Col {
		return cv.Apply(c, x)
	}
	return im2colBatchInner(c, cv, x)
}

// im2colBatchInner computes the convolution as one matrix product of the
// OIHW weight, contracted over (I, kh, kw), with patches [I, k, k, B, H', W']
// built from the input transposed to [I, B, H, W]. In that layout the k·k
// shifted views stack directly into the weight's (channel, ky, kx) order,
// and the patches' contracting axes lead, which the Go backend's matrix
// kernel takes as they are. (nn.Conv2d's im2col builds [B, I·k·k, H'·W'],
// which the backend transposes entirely, k·k times the activation, before
// the product; and reshaping the weight would copy it on every run.) Only
// the input and the output are transposed, once each.
func im2colBatchInner(c nn.Ctx, cv nn.Conv2d, x *graph.Node) *graph.Node {
	d := x.Shape().Dimensions
	b, ch, h, w := d[0], d[1], d[2], d[3]
	k, s, p := cv.Kernel, cv.Stride, cv.Padding
	ho, wo := cv.OutputSize(h), cv.OutputSize(w)
	var xt *graph.Node // [I, B, H, W]
	if b == 1 {
		xt = graph.Reshape(x, ch, 1, h, w)
	} else {
		xt = graph.TransposeAllDims(x, 1, 0, 2, 3)
	}
	// Patches [I, k, k, B, H', W']: contracted with the OIHW weight over
	// (I, k, k) as they are, without reshaping the weight (a reshape of a
	// constant is a copy on every run in the Go backend).
	var patches *graph.Node
	switch {
	case k == 1 && s == 1 && p == 0:
		patches = graph.Reshape(xt, ch, 1, 1, b, ho, wo)
	case s == 1:
		patches = graph.Reshape(graph.Stack(shiftedViews(xt, k, p), 1), ch, k, k, b, ho, wo)
	default:
		patches = graph.Reshape(graph.Stack(stridedViews(xt, k, s, p, ho, wo), 1), ch, k, k, b, ho, wo)
	}
	y := graph.Dot(c.W(cv.Name+".weight"), patches).General([]int{1, 2, 3}, nil, []int{0, 1, 2}, nil) // [O, B, H', W']
	if cv.Bias {
		y = graph.Add(y, graph.Reshape(c.W(cv.Name+".bias"), cv.Out, 1, 1, 1))
	}
	if b == 1 {
		return graph.Reshape(y, 1, cv.Out, ho, wo)
	}
	return graph.TransposeAllDims(y, 1, 0, 2, 3)
}

// shiftedViews are the k·k taps of a stride-1 convolution of x [I, B, H, W]
// with zero padding p: tap (ky, kx) is x shifted by (ky−p, kx−p), zeros
// where it leaves the image. Each is one Pad with negative (cropping) or
// positive edges, which the Go backend copies row by row (a strided Slice
// is copied element by element, several times slower).
func shiftedViews(x *graph.Node, k, p int) []*graph.Node {
	zero := graph.ScalarZero(x.Graph(), x.DType())
	none := compute.PadAxis{}
	views := make([]*graph.Node, 0, k*k)
	for ky := range k {
		for kx := range k {
			rows := compute.PadAxis{Start: p - ky, End: p - (k - 1 - ky)}
			cols := compute.PadAxis{Start: p - kx, End: p - (k - 1 - kx)}
			views = append(views, graph.Pad(x, zero, none, none, rows, cols))
		}
	}
	return views
}

// stridedViews are the k·k taps of a strided convolution of x [I, B, H, W]
// (the downsamplers): strided slices of the zero-padded input.
func stridedViews(x *graph.Node, k, s, p, ho, wo int) []*graph.Node {
	if p > 0 {
		zero := graph.ScalarZero(x.Graph(), x.DType())
		none, pad := compute.PadAxis{}, compute.PadAxis{Start: p, End: p}
		x = graph.Pad(x, zero, none, none, pad, pad)
	}
	views := make([]*graph.Node, 0, k*k)
	for ky := range k {
		for kx := range k {
			views = append(views, graph.Slice(x, graph.AxisRange(), graph.AxisRange(),
				graph.AxisRange(ky, ky+s*(ho-1)+1).Stride(s),
				graph.AxisRange(kx, kx+s*(wo-1)+1).Stride(s)))
		}
	}
	return views
}
