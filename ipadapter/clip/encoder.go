package clip

import (
	"github.com/gomlx/gomlx/core/graph"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
)

// encoderDims are the sizes shared by the text and vision encoders.
type encoderDims struct {
	hidden, intermediate, heads, layers int
	act                                 string
	eps                                 float64
}

// Encoder is transformers' CLIPEncoder: a stack of pre-LayerNorm
// transformer layers ("<prefix>encoder.layers.{i}").
type Encoder struct {
	Layers []EncoderLayer
}

// EncoderLayer is CLIPEncoderLayer:
// h += out_proj(attn(layer_norm1(h))); h += fc2(act(fc1(layer_norm2(h)))).
type EncoderLayer struct {
	SelfAttn   SelfAttention
	LayerNorm1 nn.LayerNorm
	MLP        MLP
	LayerNorm2 nn.LayerNorm
}

// SelfAttention is CLIPAttention: four biased D×D projections and
// multi-head scaled dot-product attention with scale 1/√head_dim.
type SelfAttention struct {
	Q, K, V, Out nn.Linear
	Heads        int
}

// MLP is CLIPMLP: fc1, the config's activation, fc2.
type MLP struct {
	FC1, FC2 nn.Linear
	Act      func(*graph.Node) *graph.Node
}

// newEncoder registers the encoder's parameters under r ("…encoder.").
// The activation name must have been validated with the config.
func newEncoder(r *nn.Registry, d encoderDims) (Encoder, error) {
	act, err := nn.Activation(d.act)
	if err != nil {
		return Encoder{}, err
	}
	e := Encoder{Layers: make([]EncoderLayer, d.layers)}
	for i := range e.Layers {
		lr := r.Inf("layers.%d", i)
		ar := lr.In("self_attn")
		mr := lr.In("mlp")
		e.Layers[i] = EncoderLayer{
			SelfAttn: SelfAttention{
				K:     ar.Linear("k_proj", d.hidden, d.hidden, true),
				V:     ar.Linear("v_proj", d.hidden, d.hidden, true),
				Q:     ar.Linear("q_proj", d.hidden, d.hidden, true),
				Out:   ar.Linear("out_proj", d.hidden, d.hidden, true),
				Heads: d.heads,
			},
			LayerNorm1: lr.LayerNorm("layer_norm1", d.hidden, d.eps),
			MLP: MLP{
				FC1: mr.Linear("fc1", d.hidden, d.intermediate, true),
				FC2: mr.Linear("fc2", d.intermediate, d.hidden, true),
				Act: act,
			},
			LayerNorm2: lr.LayerNorm("layer_norm2", d.hidden, d.eps),
		}
	}
	return e, nil
}

// Apply runs x [B, S, D] through the first `depth` layers and returns the
// hidden states transformers reports: states[0] = x, states[i] = output of
// layer i. bias (optional) is added to the attention scores (causal mask).
// Layers past depth are not built: callers ask only for what they need.
func (e Encoder) Apply(c nn.Ctx, x, bias *graph.Node, depth int) []*graph.Node {
	states := make([]*graph.Node, 0, depth+1)
	states = append(states, x)
	for _, l := range e.Layers[:depth] {
		x = l.Apply(c, x, bias)
		states = append(states, x)
	}
	return states
}

// Apply runs one pre-LayerNorm layer.
func (l EncoderLayer) Apply(c nn.Ctx, h, bias *graph.Node) *graph.Node {
	h = graph.Add(h, l.SelfAttn.Apply(c, l.LayerNorm1.Apply(c, h), bias))
	return graph.Add(h, l.MLP.Apply(c, l.LayerNorm2.Apply(c, h)))
}

// Apply attends x [B, S, D] to itself.
func (a SelfAttention) Apply(c nn.Ctx, x, bias *graph.Node) *graph.Node {
	q := nn.SplitHeads(a.Q.Apply(c, x), a.Heads)
	k := nn.SplitHeads(a.K.Apply(c, x), a.Heads)
	v := nn.SplitHeads(a.V.Apply(c, x), a.Heads)
	return a.Out.Apply(c, nn.MergeHeads(nn.Attention(c, q, k, v, bias)))
}

// Apply is fc2(act(fc1(x))).
func (m MLP) Apply(c nn.Ctx, x *graph.Node) *graph.Node {
	return m.FC2.Apply(c, m.Act(m.FC1.Apply(c, x)))
}
