package unet

import (
	"github.com/gomlx/gomlx/core/graph"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
)

// attention is diffusers' Attention module as the UNet's transformer
// blocks use it: bias-free to_q/to_k/to_v, to_out.0 with bias, no norms.
type attention struct {
	Name       string // module name ("…transformer_blocks.0.attn1"); attention maps are recorded under it
	Heads      int
	Q, K, V    nn.Linear
	Out        nn.Linear
	CrossDim   int // width of the key/value input (query width for self-attention)
	CrossIndex int // position among the attn2 layers in diffusers' attn_processors order; -1 for attn1
}

func newAttention(r *nn.Registry, name string, dim, kvDim, heads int) attention {
	a := r.In(name)
	return attention{
		Name:       a.Prefix()[:len(a.Prefix())-1],
		Heads:      heads,
		Q:          a.Linear("to_q", dim, dim, false),
		K:          a.Linear("to_k", kvDim, dim, false),
		V:          a.Linear("to_v", kvDim, dim, false),
		Out:        a.In("to_out").Linear("0", dim, dim, true),
		CrossDim:   kvDim,
		CrossIndex: -1,
	}
}

// attend computes softmax(q·kᵀ/√d)·v for head-split q [B, H, Sq, d] and
// key/value tokens [B, Skv, H·d], returning merged heads [B, Sq, H·d]. When
// the recorder wants mapName, the probabilities are computed explicitly and
// their mean over heads, [B, Sq, Skv] float32, is recorded; otherwise
// nn.Attention may use a fused kernel.
func attend(c nn.Ctx, q, k, v *graph.Node, heads int, mapName string) *graph.Node {
	k, v = nn.SplitHeads(k, heads), nn.SplitHeads(v, heads)
	if rec := c.Recorder(); rec.Want(mapName) {
		probs := nn.AttentionProbs(q, k, nil)
		rec.Record(mapName, graph.ReduceMean(probs, 1))
		return nn.MergeHeads(nn.ApplyProbs(probs, v))
	}
	return nn.MergeHeads(nn.Attention(c, q, k, v, nil))
}

// applySelf is self-attention over x [B, S, C].
func (a attention) applySelf(c nn.Ctx, x *graph.Node) *graph.Node {
	q := nn.SplitHeads(a.Q.Apply(c, x), a.Heads)
	h := attend(c, q, a.K.Apply(c, x), a.V.Apply(c, x), a.Heads, a.Name)
	return a.Out.Apply(c, h)
}

// applyCross is the decoupled cross-attention of IP-Adapter
// (IPAdapterAttnProcessor2_0): the query attends to the text tokens and,
// separately, to each stream's image tokens; the image results are scaled
// (and masked) and added before the shared output projection. Without
// streams it is plain cross-attention (AttnProcessor2_0).
func (a attention) applyCross(c nn.Ctx, x, text *graph.Node, streams []layerStream) *graph.Node {
	q := nn.SplitHeads(a.Q.Apply(c, x), a.Heads)
	h := attend(c, q, a.K.Apply(c, text), a.V.Apply(c, text), a.Heads, a.Name)
	for _, s := range streams {
		h = a.addStream(c, h, q, s)
	}
	return a.Out.Apply(c, h)
}

// addStream adds one IP-Adapter's contribution to h [B, Sq, C]:
//
//	no mask: h + scale · Attn(q, K_ip, V_ip), all images' tokens in one softmax;
//	masks:   h + Σ_i scale_i · (Attn(q, K_ip_i, V_ip_i) ⊙ mask_i), image by image,
//
// in diffusers' operation order, so a zero scale adds exact zeros.
func (a attention) addStream(c nn.Ctx, h, q *graph.Node, s layerStream) *graph.Node {
	toK, toV := a.ipLinears(s.Adapter)
	if s.Mask == nil {
		ip := attend(c, q, toK.Apply(c, s.Tokens), toV.Apply(c, s.Tokens), a.Heads, IPMapName(a.Name, s.Adapter, -1))
		return graph.Add(h, graph.Mul(ip, graph.Reshape(s.Scale))) // a scalar
	}
	dims := s.Tokens.Shape().Dimensions // [B, N, T, D]
	mdims := s.Mask.Shape().Dimensions  // [B or 1, N, Sq]
	for i := range dims[1] {
		tokens := graph.Reshape(graph.Slice(s.Tokens, graph.AxisRange(), graph.AxisElem(i)), dims[0], dims[2], dims[3])
		ip := attend(c, q, toK.Apply(c, tokens), toV.Apply(c, tokens), a.Heads, IPMapName(a.Name, s.Adapter, i))
		mask := graph.Reshape(graph.Slice(s.Mask, graph.AxisRange(), graph.AxisElem(i)), mdims[0], mdims[2], 1)
		scale := graph.Reshape(graph.Slice(s.Scale, graph.AxisElem(i))) // a scalar
		h = graph.Add(h, graph.Mul(graph.Mul(ip, mask), scale))
	}
	return h
}

// ipLinears are the adapter's key and value projections of this layer,
// named as diffusers' load_ip_adapter names them.
func (a attention) ipLinears(adapter int) (toK, toV nn.Linear) {
	k, v := IPWeightNames(a.Name, adapter)
	dim := a.Q.Out
	return nn.Linear{Name: trimWeight(k), In: a.CrossDim, Out: dim}, nn.Linear{Name: trimWeight(v), In: a.CrossDim, Out: dim}
}

func trimWeight(name string) string { return name[:len(name)-len(".weight")] }
