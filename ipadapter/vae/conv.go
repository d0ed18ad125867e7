package vae

import (
	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/graph"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
)

// conv applies an nn.Conv2d. On the pure-Go backend (Options.Im2Col) it is
// a sum over the k×k kernel taps of [O, I] × [I, H'·W'] products of the
// weights with shifted views of the input; elsewhere it is the backend's
// convolution.
//
// Why not nn.Conv2d's im2col: the profile of a decode showed that the
// pure-Go DotGeneral transposes a patch matrix contracted on its middle
// axis (over half the time), and that gathering the k·k views into one
// patch matrix costs another full copy. Here no patch matrix exists: each
// view feeds its own product in a layout the backend multiplies as is, and
// a stride-1 view is built by Pad with negative padding, which copies
// whole rows where Slice copies element by element.
func conv(c nn.Ctx, cv nn.Conv2d, x *graph.Node) *graph.Node {
	if !c.Options().Im2Col {
		return cv.Apply(c, x)
	}
	dims := x.Shape().Dimensions
	b, ch, h, w := dims[0], dims[1], dims[2], dims[3]
	k, s, p := cv.Kernel, cv.Stride, cv.Padding
	ho, wo := cv.OutputSize(h), cv.OutputSize(w)
	if s > 1 && p > 0 {
		pad := compute.PadAxis{Start: p, End: p}
		x = graph.Pad(x, graph.ScalarZero(x.Graph(), x.DType()), compute.PadAxis{}, compute.PadAxis{}, pad, pad)
	}
	weight := c.W(cv.Name + ".weight") // [O, I, k, k]
	var y *graph.Node                  // [B, O, H'·W']
	for ky := range k {
		for kx := range k {
			var view *graph.Node // [B, I, H', W']: view[r, c] = padded x[s·r + ky, s·c + kx]
			if s == 1 {
				view = shifted(x, ky-p, kx-p, ho, wo)
			} else {
				view = graph.Slice(x, graph.AxisRange(), graph.AxisRange(),
					graph.AxisRange(ky, ky+s*(ho-1)+1).Stride(s),
					graph.AxisRange(kx, kx+s*(wo-1)+1).Stride(s))
			}
			wk := graph.Reshape(graph.Slice(weight, graph.AxisRange(), graph.AxisRange(),
				graph.AxisElem(ky), graph.AxisElem(kx)), cv.Out, ch)
			term := matmulChannels(wk, graph.Reshape(view, b, ch, ho*wo))
			if y == nil {
				y = term
			} else {
				y = graph.Add(y, term)
			}
		}
	}
	y = graph.Reshape(y, b, cv.Out, ho, wo)
	if cv.Bias {
		y = graph.Add(y, graph.Reshape(c.W(cv.Name+".bias"), 1, cv.Out, 1, 1))
	}
	return y
}

// shifted returns out [B, C, ho, wo] with out[r, c] = x[r+dy, c+dx], zero
// where that falls outside x [B, C, H, W]: one Pad whose negative
// start/end crops the side the shift leaves and pads the other.
func shifted(x *graph.Node, dy, dx, ho, wo int) *graph.Node {
	d := x.Shape().Dimensions
	if dy == 0 && dx == 0 && ho == d[2] && wo == d[3] {
		return x
	}
	return graph.Pad(x, graph.ScalarZero(x.Graph(), x.DType()), compute.PadAxis{}, compute.PadAxis{},
		compute.PadAxis{Start: -dy, End: ho - d[2] + dy},
		compute.PadAxis{Start: -dx, End: wo - d[3] + dx})
}

// matmulChannels computes w [O, I] · x [B, I, N] → [B, O, N] in the
// layouts the pure-Go backend multiplies without transposing: rank 2
// with the rhs contracted on its leading axis when B = 1; otherwise both
// operands batch-first, the weights broadcast over the batch.
func matmulChannels(w, x *graph.Node) *graph.Node {
	d := x.Shape().Dimensions
	b, in, n := d[0], d[1], d[2]
	out := w.Shape().Dimensions[0]
	if b == 1 {
		y := graph.Dot(w, graph.Reshape(x, in, n)).General([]int{1}, nil, []int{0}, nil)
		return graph.Reshape(y, 1, out, n)
	}
	wb := graph.BroadcastToDims(graph.InsertAxes(w, 0), b, out, in)
	return graph.Dot(wb, x).General([]int{2}, []int{0}, []int{1}, []int{0})
}
