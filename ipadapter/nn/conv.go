package nn

import (
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors/images"
)

// Conv2d is torch.nn.Conv2d with square kernels, weight [O, I, k, k] and
// NCHW activations.
type Conv2d struct {
	Name           string
	In, Out        int
	Kernel, Stride int
	Padding        int
	Bias           bool
}

// Conv2d registers a convolution (with bias unless bias is false).
func (r *Registry) Conv2d(name string, in, out, kernel, stride, padding int, bias bool) Conv2d {
	r.Add(name+".weight", out, in, kernel, kernel)
	if bias {
		r.Add(name+".bias", out)
	}
	return Conv2d{Name: r.Name(name), In: in, Out: out, Kernel: kernel, Stride: stride, Padding: padding, Bias: bias}
}

// OutputSize is the spatial size the convolution produces from size n.
func (cv Conv2d) OutputSize(n int) int { return (n+2*cv.Padding-cv.Kernel)/cv.Stride + 1 }

// Apply convolves x [B, In, H, W] into [B, Out, H', W']: with
// Options.Im2Col as matrix products (see im2col), otherwise with the
// backend's convolution (cuDNN on CUDA).
func (cv Conv2d) Apply(c Ctx, x *graph.Node) *graph.Node {
	if c.Options().Im2Col {
		return cv.im2col(c, x, cv.perTap(x.Shape().Dimensions))
	}
	p := cv.Padding
	y := graph.Convolve(x, c.W(cv.Name+".weight")).ChannelsAxis(images.ChannelsFirst).
		StridePerAxis(cv.Stride, cv.Stride).
		PaddingPerDim([][2]int{{p, p}, {p, p}}).Done()
	if cv.Bias {
		y = graph.Add(y, graph.Reshape(c.W(cv.Name+".bias"), 1, cv.Out, 1, 1))
	}
	return y
}
