package vae

import (
	"github.com/gomlx/gomlx/core/graph"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
)

// midAttention is the mid block's Attention: one head as wide as the
// channels, a GroupNorm before the projections, biases on all four linear
// layers and a residual connection. Every pixel attends to every pixel, so
// the scores are [B, H·W, H·W].
type midAttention struct {
	norm                 nn.GroupNorm
	toQ, toK, toV, toOut nn.Linear
}

func newMidAttention(r *nn.Registry, channels, groups int) midAttention {
	return midAttention{
		norm:  r.GroupNorm("group_norm", groups, channels, normEps),
		toQ:   r.Linear("to_q", channels, channels, true),
		toK:   r.Linear("to_k", channels, channels, true),
		toV:   r.Linear("to_v", channels, channels, true),
		toOut: r.In("to_out").Linear("0", channels, channels, true),
	}
}

// Apply maps x [B, C, H, W] to x + to_out(SDPA(q, k, v)). diffusers
// normalises the [B, C, H·W] view, which has the same groups and statistics
// as the 4-D tensor, so the norm runs before flattening. The softmax is in
// float32 (upcast_softmax), and the decomposed form is used on purpose:
// fused kernels do not take a head dimension as large as 512.
func (a midAttention) Apply(c nn.Ctx, x *graph.Node) *graph.Node {
	dims := x.Shape().Dimensions
	b, ch, h, w := dims[0], dims[1], dims[2], dims[3]
	t := graph.Reshape(a.norm.Apply(c, x), b, ch, h*w)
	t = graph.TransposeAllDims(t, 0, 2, 1) // [B, HW, C]
	q := nn.SplitHeads(a.toQ.Apply(c, t), 1)
	k := nn.SplitHeads(a.toK.Apply(c, t), 1)
	v := nn.SplitHeads(a.toV.Apply(c, t), 1)
	o := a.toOut.Apply(c, nn.MergeHeads(nn.ApplyProbs(nn.AttentionProbs(q, k, nil), v))) // [B, HW, C]
	o = graph.Reshape(graph.TransposeAllDims(o, 0, 2, 1), b, ch, h, w)
	return graph.Add(o, x)
}
