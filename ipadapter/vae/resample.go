package vae

import (
	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/graph"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
)

// downsample is the encoder's Downsample2D (padding=0): one zero column on
// the right and one zero row at the bottom, then a 3×3 stride-2 conv
// without padding, so n pixels become floor(n/2).
type downsample struct{ conv nn.Conv2d }

func newDownsample(r *nn.Registry, channels int) downsample {
	return downsample{conv: r.Conv2d("conv", channels, channels, 3, 2, 0, true)}
}

func (d downsample) Apply(c nn.Ctx, x *graph.Node) *graph.Node {
	x = graph.Pad(x, graph.ScalarZero(x.Graph(), x.DType()),
		compute.PadAxis{}, compute.PadAxis{}, compute.PadAxis{End: 1}, compute.PadAxis{End: 1})
	return d.conv.Apply(c, x)
}

// upsample is the decoder's Upsample2D: nearest-neighbour ×2 (output pixel
// o reads input floor(o/2)), then a 3×3 conv with padding 1.
type upsample struct{ conv nn.Conv2d }

func newUpsample(r *nn.Registry, channels int) upsample {
	return upsample{conv: r.Conv2d("conv", channels, channels, 3, 1, 1, true)}
}

func (u upsample) Apply(c nn.Ctx, x *graph.Node) *graph.Node {
	return u.conv.Apply(c, nn.Nearest2x(x))
}
