package unet

import (
	"github.com/gomlx/gomlx/core/graph"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
)

// downBlock is DownBlock2D (no Attns) or CrossAttnDownBlock2D: resnets,
// each followed by its Transformer2DModel, then an optional downsampler.
type downBlock struct {
	Resnets []resnetBlock
	Attns   []transformer2D // one per resnet, or none
	Down    *downsample
}

// apply returns the block's output and the skip tensors it adds to the
// UNet's residual list (one per resnet, plus the downsampled output).
func (b downBlock) apply(c nn.Ctx, h, actTemb, text *graph.Node, ip *ipContext) (*graph.Node, []*graph.Node) {
	var skips []*graph.Node
	for i, res := range b.Resnets {
		h = res.apply(c, h, actTemb)
		if len(b.Attns) > 0 {
			h = b.Attns[i].apply(c, h, text, ip)
		}
		skips = append(skips, h)
	}
	if b.Down != nil {
		h = b.Down.apply(c, h)
		skips = append(skips, h)
	}
	return h, skips
}

// midBlock is UNetMidBlock2DCrossAttn (resnet, then transformer/resnet
// pairs) or UNetMidBlock2D as the UNet builds it (one resnet, no Attns).
type midBlock struct {
	Resnets []resnetBlock
	Attns   []transformer2D
}

func (b midBlock) apply(c nn.Ctx, h, actTemb, text *graph.Node, ip *ipContext) *graph.Node {
	h = b.Resnets[0].apply(c, h, actTemb)
	for i, attn := range b.Attns {
		h = attn.apply(c, h, text, ip)
		h = b.Resnets[i+1].apply(c, h, actTemb)
	}
	return h
}

// upBlock is UpBlock2D (no Attns) or CrossAttnUpBlock2D: each resnet takes
// the current features concatenated with the last remaining skip tensor
// (current first), then its transformer; then an optional upsampler.
type upBlock struct {
	Resnets []resnetBlock
	Attns   []transformer2D
	Up      *upsample
}

// apply consumes skips (this block's tensors, in the order the down path
// produced them) from the end; outH×outW is the upsampler's target size.
func (b upBlock) apply(c nn.Ctx, h *graph.Node, skips []*graph.Node, actTemb, text *graph.Node, ip *ipContext, outH, outW int) *graph.Node {
	for i, res := range b.Resnets {
		skip := skips[len(skips)-1-i]
		h = res.apply(c, graph.Concatenate([]*graph.Node{h, skip}, 1), actTemb)
		if len(b.Attns) > 0 {
			h = b.Attns[i].apply(c, h, text, ip)
		}
	}
	if b.Up != nil {
		h = b.Up.apply(c, h, outH, outW)
	}
	return h
}
