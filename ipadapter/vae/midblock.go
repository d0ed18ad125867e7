package vae

import (
	"github.com/gomlx/gomlx/core/graph"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
)

// midBlock is UNetMidBlock2D with one layer: resnets.0 → attentions.0 →
// resnets.1, all at the deepest width (the attention is left out when the
// config's mid_block_add_attention is false).
type midBlock struct {
	resnets [2]resnetBlock
	attn    *midAttention
}

func newMidBlock(r *nn.Registry, channels, groups int, withAttention bool) midBlock {
	m := midBlock{}
	m.resnets[0] = newResnetBlock(r.In("resnets", "0"), channels, channels, groups)
	if withAttention {
		a := newMidAttention(r.In("attentions", "0"), channels, groups)
		m.attn = &a
	}
	m.resnets[1] = newResnetBlock(r.In("resnets", "1"), channels, channels, groups)
	return m
}

func (m midBlock) Apply(c nn.Ctx, x *graph.Node) *graph.Node {
	x = m.resnets[0].Apply(c, x)
	if m.attn != nil {
		x = m.attn.Apply(c, x)
	}
	return m.resnets[1].Apply(c, x)
}
