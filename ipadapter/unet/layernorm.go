package unet

import (
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/graph"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
)

// layerNorm applies an nn.LayerNorm to x [..., D] with statistics in
// float32 (biased variance, as PyTorch), broadcasting the affine weight and
// bias over the leading axes. (nn.LayerNorm.Apply multiplies [.., D] by a
// rank-1 [D] weight, which GoMLX refuses for inputs of rank > 1.)
func layerNorm(c nn.Ctx, ln nn.LayerNorm, x *graph.Node) *graph.Node {
	x32 := graph.ConvertDType(x, dtypes.Float32)
	mean := graph.ReduceAndKeep(x32, graph.ReduceMean, -1)
	centered := graph.Sub(x32, mean)
	variance := graph.ReduceAndKeep(graph.Square(centered), graph.ReduceMean, -1)
	y := graph.ConvertDType(graph.Mul(centered, graph.Rsqrt(graph.AddScalar(variance, ln.Eps))), x.DType())
	affine := make([]int, x.Rank())
	for i := range affine {
		affine[i] = 1
	}
	affine[len(affine)-1] = ln.Dim
	w := graph.Reshape(c.W(ln.Name+".weight"), affine...)
	b := graph.Reshape(c.W(ln.Name+".bias"), affine...)
	return graph.Add(graph.Mul(y, w), b)
}
