package clip

import (
	"github.com/gomlx/gomlx/core/graph"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
)

// patchEmbed applies CLIP's patch_embedding — a bias-free Conv2d whose
// stride equals its kernel — to x [B, C, H, W] and returns the patches as a
// sequence [B, (H/p)·(W/p), D] in row-major grid order, i.e. conv(x)
// .flatten(2).transpose(1, 2).
//
// Because the patches do not overlap, the convolution is one matrix
// product: cut x into [B, gh, gw, C·p·p] tiles (each in (channel, ky, kx)
// order, the OIHW weight's own order) and multiply by the weight seen as
// [D, C·p·p]. That needs no im2col gathering nor direct convolution, which
// is slow on the pure-Go backend.
func patchEmbed(c nn.Ctx, conv nn.Conv2d, x *graph.Node) *graph.Node {
	dims := x.Shape().Dimensions
	b, ch, h, w := dims[0], dims[1], dims[2], dims[3]
	p := conv.Kernel
	gh, gw := h/p, w/p
	tiles := graph.Reshape(x, b, ch, gh, p, gw, p)
	tiles = graph.TransposeAllDims(tiles, 0, 2, 4, 1, 3, 5) // [B, gh, gw, C, p, p]
	tiles = graph.Reshape(tiles, b, gh*gw, ch*p*p)
	weight := graph.Reshape(c.W(conv.Name+".weight"), conv.Out, ch*p*p)
	return graph.Dot(tiles, weight).General([]int{2}, nil, []int{1}, nil) // [B, gh·gw, D]
}
