package vae

import (
	"github.com/gomlx/gomlx/core/graph"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
)

// normEps is the epsilon of every GroupNorm in the VAE (diffusers passes
// resnet_eps=1e-6 to all its blocks and norms).
const normEps = 1e-6

// resnetBlock is diffusers' ResnetBlock2D as the VAE uses it: no time
// embedding, dropout 0, output scale 1, and a 1×1 conv_shortcut only when
// the channel count changes.
type resnetBlock struct {
	norm1, norm2 nn.GroupNorm
	conv1, conv2 nn.Conv2d
	shortcut     *nn.Conv2d
}

func newResnetBlock(r *nn.Registry, in, out, groups int) resnetBlock {
	b := resnetBlock{
		norm1: r.GroupNorm("norm1", groups, in, normEps),
		conv1: r.Conv2d("conv1", in, out, 3, 1, 1, true),
		norm2: r.GroupNorm("norm2", groups, out, normEps),
		conv2: r.Conv2d("conv2", out, out, 3, 1, 1, true),
	}
	if in != out {
		sc := r.Conv2d("conv_shortcut", in, out, 1, 1, 0, true)
		b.shortcut = &sc
	}
	return b
}

// Apply computes x + conv2(SiLU(norm2(conv1(SiLU(norm1(x)))))), with x
// first projected by conv_shortcut when the widths differ.
func (b resnetBlock) Apply(c nn.Ctx, x *graph.Node) *graph.Node {
	h := b.conv1.Apply(c, nn.SiLU(b.norm1.Apply(c, x)))
	h = b.conv2.Apply(c, nn.SiLU(b.norm2.Apply(c, h)))
	if b.shortcut != nil {
		x = b.shortcut.Apply(c, x)
	}
	return graph.Add(x, h)
}
