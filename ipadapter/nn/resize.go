package nn

import "github.com/gomlx/gomlx/core/graph"

// Nearest2x is nearest-neighbour upsampling by 2 of x [B, C, H, W] (every
// pixel becomes a 2×2 square, torch's interpolate(scale_factor=2,
// mode="nearest")): a broadcast of [B, C, H, 1, W, 1] to
// [B, C, H, 2, W, 2], exact and cheaper than a gather.
func Nearest2x(x *graph.Node) *graph.Node {
	d := x.Shape().Dimensions
	b, ch, h, w := d[0], d[1], d[2], d[3]
	y := graph.BroadcastToDims(graph.Reshape(x, b, ch, h, 1, w, 1), b, ch, h, 2, w, 2)
	return graph.Reshape(y, b, ch, 2*h, 2*w)
}
