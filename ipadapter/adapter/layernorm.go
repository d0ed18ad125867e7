package adapter

import (
	"github.com/gomlx/gomlx/core/graph"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
)

// layerNorm applies ln over the last axis of x [..., D]. nn.LayerNorm.Apply
// multiplies by its [D] weight directly, which GoMLX refuses for inputs of
// rank > 1 (binary ops broadcast only equal ranks or scalars), so this uses
// nn's normalisation (float32 statistics) without the affine part and
// broadcasts weight and bias explicitly, as the clip and unet packages do.
func layerNorm(c nn.Ctx, ln nn.LayerNorm, x *graph.Node) *graph.Node {
	plain := ln
	plain.Affine = false
	y := plain.Apply(c, x)
	dims := make([]int, x.Rank())
	for i := range dims {
		dims[i] = 1
	}
	dims[len(dims)-1] = ln.Dim
	w := graph.Reshape(c.W(ln.Name+".weight"), dims...)
	b := graph.Reshape(c.W(ln.Name+".bias"), dims...)
	return graph.Add(graph.Mul(y, w), b)
}
