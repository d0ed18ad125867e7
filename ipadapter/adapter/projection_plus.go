package adapter

import (
	"fmt"

	"github.com/gomlx/gomlx/core/graph"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
)

// Resampler is diffusers' IPAdapterPlusImageProjection (the original
// perceiver Resampler of IP-Adapter Plus): Tokens learned latents attend,
// layer after layer, to the projected image hidden states concatenated with
// themselves; the result is projected to CrossDim and layer-normalised.
type Resampler struct {
	cfg     ProjectionConfig
	Latents nn.Param     // latents [1, Tokens, Hidden]
	ProjIn  nn.Linear    // proj_in: EmbedDim → Hidden
	ProjOut nn.Linear    // proj_out: Hidden → CrossDim
	NormOut nn.LayerNorm // norm_out: CrossDim
	Layers  []PerceiverLayer
}

// PerceiverLayer is IPAdapterPlusImageProjectionBlock: layer norms of the
// image features (ln0) and the latents (ln1), attention of the latents to
// both, and a LayerNorm + GELU feed-forward, each with a residual.
type PerceiverLayer struct {
	LN0, LN1     nn.LayerNorm
	Q, K, V, Out nn.Linear // attn.to_q/to_k/to_v (Hidden → Heads·HeadDim), attn.to_out.0 (back), no biases
	FFNorm       nn.LayerNorm
	FF1, FF2     nn.Linear // ff.1.net.0.proj (Hidden → FFMult·Hidden), ff.1.net.2 (back), no biases
	Heads        int
}

func newResampler(cfg ProjectionConfig, r *nn.Registry) (*Resampler, error) {
	for _, v := range []struct {
		name string
		n    int
	}{{"tokens (num_queries)", cfg.Tokens}, {"hidden width", cfg.Hidden}, {"heads", cfg.Heads}, {"head width", cfg.HeadDim}, {"depth", cfg.Depth}, {"feed-forward multiplier", cfg.FFMult}} {
		if v.n <= 0 {
			return nil, fmt.Errorf("resampler: %s is %d, must be positive", v.name, v.n)
		}
	}
	p := &Resampler{
		cfg:     cfg,
		Latents: r.Param("latents", 1, cfg.Tokens, cfg.Hidden),
		ProjIn:  r.Linear("proj_in", cfg.EmbedDim, cfg.Hidden, true),
		ProjOut: r.Linear("proj_out", cfg.Hidden, cfg.CrossDim, true),
		NormOut: r.LayerNorm("norm_out", cfg.CrossDim, 1e-5),
	}
	inner := cfg.Heads * cfg.HeadDim
	for i := range cfg.Depth {
		l := r.Inf("layers.%d", i)
		attn := l.In("attn")
		ff := l.In("ff")
		p.Layers = append(p.Layers, PerceiverLayer{
			LN0:    l.LayerNorm("ln0", cfg.Hidden, 1e-5),
			LN1:    l.LayerNorm("ln1", cfg.Hidden, 1e-5),
			Q:      attn.Linear("to_q", cfg.Hidden, inner, false),
			K:      attn.Linear("to_k", cfg.Hidden, inner, false),
			V:      attn.Linear("to_v", cfg.Hidden, inner, false),
			Out:    attn.In("to_out").Linear("0", inner, cfg.Hidden, false),
			FFNorm: ff.LayerNorm("0", cfg.Hidden, 1e-5),
			FF1:    ff.In("1", "net", "0").Linear("proj", cfg.Hidden, cfg.FFMult*cfg.Hidden, false),
			FF2:    ff.In("1", "net").Linear("2", cfg.FFMult*cfg.Hidden, cfg.Hidden, false),
			Heads:  cfg.Heads,
		})
	}
	return p, nil
}

// Config returns the sizes the network was built with.
func (p *Resampler) Config() ProjectionConfig { return p.cfg }

// Apply maps image hidden states x [M, S, EmbedDim] to [M, Tokens, CrossDim].
func (p *Resampler) Apply(c nn.Ctx, x *graph.Node) *graph.Node {
	m := x.Shape().Dimensions[0]
	lat := graph.BroadcastToDims(p.Latents.Value(c), m, p.cfg.Tokens, p.cfg.Hidden)
	x = p.ProjIn.Apply(c, x)
	for _, l := range p.Layers {
		lat = l.Apply(c, x, lat)
	}
	return p.NormOut.Apply(c, p.ProjOut.Apply(c, lat))
}

// Apply runs one layer: the latents attend to [ln0(x); ln1(latents)] (image
// tokens first, as diffusers concatenates them), with attention scale
// 1/√HeadDim (the original scales q and k by HeadDim^(-1/4) each: the same).
func (l PerceiverLayer) Apply(c nn.Ctx, x, lat *graph.Node) *graph.Node {
	ln := l.LN1.Apply(c, lat)
	kv := graph.Concatenate([]*graph.Node{l.LN0.Apply(c, x), ln}, 1)
	q := nn.SplitHeads(l.Q.Apply(c, ln), l.Heads)
	k := nn.SplitHeads(l.K.Apply(c, kv), l.Heads)
	v := nn.SplitHeads(l.V.Apply(c, kv), l.Heads)
	lat = graph.Add(l.Out.Apply(c, nn.MergeHeads(nn.Attention(c, q, k, v, nil))), lat)
	ff := l.FF2.Apply(c, nn.GELU(l.FF1.Apply(c, l.FFNorm.Apply(c, lat))))
	return graph.Add(ff, lat)
}
