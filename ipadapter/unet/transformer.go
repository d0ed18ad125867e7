package unet

import (
	"github.com/gomlx/gomlx/core/graph"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
)

// transformer2D is diffusers' Transformer2DModel for continuous input:
// GroupNorm (eps 1e-6), projection in, BasicTransformerBlocks over the
// row-major pixel tokens, projection out, residual.
type transformer2D struct {
	Norm                        nn.GroupNorm
	Linear                      bool // use_linear_projection: Linear after flattening; else 1×1 conv before
	ProjInLinear, ProjOutLinear nn.Linear
	ProjInConv, ProjOutConv     nn.Conv2d
	Blocks                      []basicBlock
}

func newTransformer2D(r *nn.Registry, ch, heads, crossDim, layers, groups int, linear bool) transformer2D {
	t := transformer2D{Norm: r.GroupNorm("norm", groups, ch, 1e-6), Linear: linear}
	if linear {
		t.ProjInLinear = r.Linear("proj_in", ch, ch, true)
	} else {
		t.ProjInConv = r.Conv2d("proj_in", ch, ch, 1, 1, 0, true)
	}
	for k := range layers {
		t.Blocks = append(t.Blocks, newBasicBlock(r.Inf("transformer_blocks.%d", k), ch, heads, crossDim))
	}
	if linear {
		t.ProjOutLinear = r.Linear("proj_out", ch, ch, true)
	} else {
		t.ProjOutConv = r.Conv2d("proj_out", ch, ch, 1, 1, 0, true)
	}
	return t
}

// apply maps x [B, C, H, W] to the same shape.
func (t transformer2D) apply(c nn.Ctx, x, text *graph.Node, ip *ipContext) *graph.Node {
	d := x.Shape().Dimensions
	b, ch, hh, ww := d[0], d[1], d[2], d[3]
	h := t.Norm.Apply(c, x)
	if !t.Linear {
		h = t.ProjInConv.Apply(c, h)
	}
	h = graph.TransposeAllDims(graph.Reshape(h, b, ch, hh*ww), 0, 2, 1) // [B, H·W, C], row-major pixels
	if t.Linear {
		h = t.ProjInLinear.Apply(c, h)
	}
	for _, blk := range t.Blocks {
		h = blk.apply(c, h, text, ip)
	}
	if t.Linear {
		h = t.ProjOutLinear.Apply(c, h)
	}
	h = graph.Reshape(graph.TransposeAllDims(h, 0, 2, 1), b, ch, hh, ww)
	if !t.Linear {
		h = t.ProjOutConv.Apply(c, h)
	}
	return graph.Add(h, x)
}

// basicBlock is diffusers' BasicTransformerBlock with layer norms:
// self-attention, cross-attention (text and IP-Adapter streams) and a
// GEGLU feed-forward, each pre-normed and residual.
type basicBlock struct {
	Norm1, Norm2, Norm3 nn.LayerNorm
	Attn1, Attn2        attention
	FF                  feedForward
}

func newBasicBlock(r *nn.Registry, dim, heads, crossDim int) basicBlock {
	return basicBlock{
		Norm1: r.LayerNorm("norm1", dim, 1e-5),
		Attn1: newAttention(r, "attn1", dim, dim, heads),
		Norm2: r.LayerNorm("norm2", dim, 1e-5),
		Attn2: newAttention(r, "attn2", dim, crossDim, heads),
		Norm3: r.LayerNorm("norm3", dim, 1e-5),
		FF:    newFeedForward(r.In("ff"), dim),
	}
}

func (b basicBlock) apply(c nn.Ctx, h, text *graph.Node, ip *ipContext) *graph.Node {
	h = graph.Add(b.Attn1.applySelf(c, b.Norm1.Apply(c, h)), h)
	streams := ip.forLayer(b.Attn2.CrossIndex, h.Shape().Dimensions[1])
	h = graph.Add(b.Attn2.applyCross(c, b.Norm2.Apply(c, h), text, streams), h)
	return graph.Add(b.FF.apply(c, b.Norm3.Apply(c, h)), h)
}

// feedForward is FeedForward(activation_fn="geglu", mult=4): net.0.proj
// produces [value, gate], value·GELU(gate) (exact erf GELU), net.2 back.
type feedForward struct {
	Proj, Out nn.Linear
	Inner     int
}

func newFeedForward(r *nn.Registry, dim int) feedForward {
	inner := 4 * dim
	return feedForward{
		Proj:  r.In("net", "0").Linear("proj", dim, 2*inner, true),
		Out:   r.In("net").Linear("2", inner, dim, true),
		Inner: inner,
	}
}

func (f feedForward) apply(c nn.Ctx, x *graph.Node) *graph.Node {
	p := f.Proj.Apply(c, x)
	last := p.Rank() - 1
	value := graph.SliceAxis(p, last, graph.AxisRange(0, f.Inner))
	gate := graph.SliceAxis(p, last, graph.AxisRange(f.Inner, 2*f.Inner))
	return f.Out.Apply(c, graph.Mul(value, nn.GELU(gate)))
}
