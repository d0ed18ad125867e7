package nn

import (
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/graph"
)

// GroupNorm is torch.nn.GroupNorm over [B, C, ...] inputs, with an affine
// weight and bias of shape [C].
type GroupNorm struct {
	Name     string
	Groups   int
	Channels int
	Eps      float64
}

// GroupNorm registers a group normalisation layer.
func (r *Registry) GroupNorm(name string, groups, channels int, eps float64) GroupNorm {
	r.Add(name+".weight", channels)
	r.Add(name+".bias", channels)
	return GroupNorm{Name: r.Name(name), Groups: groups, Channels: channels, Eps: eps}
}

// Apply normalises x [B, C, ...] per sample and group; statistics are
// computed in float32 whatever the compute dtype.
func (n GroupNorm) Apply(c Ctx, x *graph.Node) *graph.Node {
	dims := x.Shape().Dimensions
	b := dims[0]
	grouped := graph.Reshape(graph.ConvertDType(x, dtypes.Float32), b, n.Groups, -1)
	normed := normalizeLastAxis(grouped, n.Eps)
	y := graph.ConvertDType(graph.Reshape(normed, dims...), x.DType())
	affine := make([]int, len(dims))
	for i := range affine {
		affine[i] = 1
	}
	affine[1] = n.Channels
	w := graph.Reshape(c.W(n.Name+".weight"), affine...)
	bias := graph.Reshape(c.W(n.Name+".bias"), affine...)
	return graph.Add(graph.Mul(y, w), bias)
}

// LayerNorm is torch.nn.LayerNorm over the last axis.
type LayerNorm struct {
	Name string
	Dim  int
	Eps  float64
}

// LayerNorm registers a layer normalisation with weight and bias [dim].
func (r *Registry) LayerNorm(name string, dim int, eps float64) LayerNorm {
	r.Add(name+".weight", dim)
	r.Add(name+".bias", dim)
	return LayerNorm{Name: r.Name(name), Dim: dim, Eps: eps}
}

// Apply normalises over the last axis (statistics in float32).
func (n LayerNorm) Apply(c Ctx, x *graph.Node) *graph.Node {
	y := graph.ConvertDType(normalizeLastAxis(graph.ConvertDType(x, dtypes.Float32), n.Eps), x.DType())
	// GoMLX does not broadcast ranks implicitly: lift [D] to [1, …, 1, D].
	w := graph.ExpandLeftToRank(c.W(n.Name+".weight"), y.Rank())
	b := graph.ExpandLeftToRank(c.W(n.Name+".bias"), y.Rank())
	return graph.Add(graph.Mul(y, w), b)
}

// normalizeLastAxis computes (x − mean) / sqrt(var + eps) over the last
// axis with the biased variance, as PyTorch's norms do.
func normalizeLastAxis(x *graph.Node, eps float64) *graph.Node {
	mean := graph.ReduceAndKeep(x, graph.ReduceMean, -1)
	centered := graph.Sub(x, mean)
	variance := graph.ReduceAndKeep(graph.Square(centered), graph.ReduceMean, -1)
	return graph.Mul(centered, graph.Rsqrt(graph.AddScalar(variance, eps)))
}
