package vae

import (
	"github.com/gomlx/gomlx/core/graph"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
)

// encoder is diffusers' vae.Encoder with double_z: image [B, in, H, W] →
// [B, 2·latent, H/f, W/f] (mean and log-variance stacked on channels).
type encoder struct {
	convIn  nn.Conv2d
	down    []downBlock
	mid     midBlock
	normOut nn.GroupNorm
	convOut nn.Conv2d
}

// downBlock is DownEncoderBlock2D: layers_per_block resnets, then a
// downsample except on the last level.
type downBlock struct {
	resnets []resnetBlock
	down    *downsample
}

func newEncoder(r *nn.Registry, cfg Config) encoder {
	chs, groups := cfg.BlockOutChannels, cfg.NormNumGroups
	e := encoder{convIn: r.Conv2d("conv_in", cfg.InChannels, chs[0], 3, 1, 1, true)}
	in := chs[0]
	for i, out := range chs {
		br := r.Inf("down_blocks.%d", i)
		var blk downBlock
		for j := range cfg.LayersPerBlock {
			blk.resnets = append(blk.resnets, newResnetBlock(br.Inf("resnets.%d", j), in, out, groups))
			in = out
		}
		if i < len(chs)-1 {
			d := newDownsample(br.In("downsamplers", "0"), out)
			blk.down = &d
		}
		e.down = append(e.down, blk)
	}
	last := chs[len(chs)-1]
	e.mid = newMidBlock(r.In("mid_block"), last, groups, cfg.MidBlockAddAttention)
	e.normOut = r.GroupNorm("conv_norm_out", groups, last, normEps)
	e.convOut = r.Conv2d("conv_out", last, 2*cfg.LatentChannels, 3, 1, 1, true)
	return e
}

func (e encoder) Apply(c nn.Ctx, x *graph.Node) *graph.Node {
	x = e.convIn.Apply(c, x)
	for _, blk := range e.down {
		for _, rb := range blk.resnets {
			x = rb.Apply(c, x)
		}
		if blk.down != nil {
			x = blk.down.Apply(c, x)
		}
	}
	x = e.mid.Apply(c, x)
	return e.convOut.Apply(c, nn.SiLU(e.normOut.Apply(c, x)))
}
