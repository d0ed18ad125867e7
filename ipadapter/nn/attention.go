package nn

import (
	"math"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/layers/attention"
)

// SplitHeads turns [B, S, H·D] into [B, H, S, D].
func SplitHeads(x *graph.Node, heads int) *graph.Node {
	d := x.Shape().Dimensions
	return graph.TransposeAllDims(graph.Reshape(x, d[0], d[1], heads, d[2]/heads), 0, 2, 1, 3)
}

// MergeHeads turns [B, H, S, D] into [B, S, H·D].
func MergeHeads(x *graph.Node) *graph.Node {
	d := x.Shape().Dimensions
	return graph.Reshape(graph.TransposeAllDims(x, 0, 2, 1, 3), d[0], d[2], d[1]*d[3])
}

// AttentionProbs returns softmax(q·kᵀ·scale + bias) for q [B, H, Sq, D] and
// k [B, H, Skv, D], as [B, H, Sq, Skv] in float32. bias (optional, additive,
// broadcastable to the scores) carries causal or padding masks. The softmax
// is computed in float32 whatever the compute dtype, as diffusers upcasts it.
func AttentionProbs(q, k, bias *graph.Node) *graph.Node {
	scale := 1 / math.Sqrt(float64(q.Shape().Dimensions[3]))
	scores := graph.Dot(q, k).General([]int{3}, []int{0, 1}, []int{3}, []int{0, 1}) // [B, H, Sq, Skv]
	scores = graph.MulScalar(graph.ConvertDType(scores, dtypes.Float32), scale)
	if bias != nil {
		scores = graph.Add(scores, graph.ConvertDType(bias, dtypes.Float32))
	}
	return graph.Softmax(scores, -1)
}

// ApplyProbs computes probs·v for probs [B, H, Sq, Skv] and v [B, H, Skv, D],
// returning [B, H, Sq, D] in v's dtype.
func ApplyProbs(probs, v *graph.Node) *graph.Node {
	return graph.Dot(graph.ConvertDType(probs, v.DType()), v).General([]int{3}, []int{0, 1}, []int{2}, []int{0, 1})
}

// Attention is scaled dot-product attention on head-split tensors
// (q [B, H, Sq, D], k and v [B, H, Skv, D]) returning [B, H, Sq, D].
//
// With Options.FusedAttention, a half-precision compute dtype and no bias,
// the backend's fused kernel is used (cuDNN flash attention on CUDA);
// otherwise the decomposed softmax(q·kᵀ/√D)·v with a float32 softmax.
func Attention(c Ctx, q, k, v, bias *graph.Node) *graph.Node {
	if c.Options().FusedAttention && bias == nil && q.DType().IsHalfPrecision() {
		out, _ := attention.Core(q, k, v, attention.LayoutBHSD, attention.CoreOptions{
			Scale: 1 / math.Sqrt(float64(q.Shape().Dimensions[3])),
		})
		return out
	}
	return ApplyProbs(AttentionProbs(q, k, bias), v)
}
