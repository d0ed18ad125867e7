package vae

import (
	"slices"

	"github.com/gomlx/gomlx/core/graph"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
)

// decoder is diffusers' vae.Decoder: latents [B, latent, h, w] → image
// [B, out, f·h, f·w]. The up blocks walk the widths in reverse and have no
// skip connections.
type decoder struct {
	convIn  nn.Conv2d
	mid     midBlock
	up      []upBlock
	normOut nn.GroupNorm
	convOut nn.Conv2d
}

// upBlock is UpDecoderBlock2D: layers_per_block+1 resnets, then a
// nearest-2× upsample except on the last level.
type upBlock struct {
	resnets []resnetBlock
	up      *upsample
}

func newDecoder(r *nn.Registry, cfg Config) decoder {
	groups := cfg.NormNumGroups
	rev := slices.Clone(cfg.BlockOutChannels)
	slices.Reverse(rev)
	d := decoder{convIn: r.Conv2d("conv_in", cfg.LatentChannels, rev[0], 3, 1, 1, true)}
	d.mid = newMidBlock(r.In("mid_block"), rev[0], groups, cfg.MidBlockAddAttention)
	in := rev[0]
	for i, out := range rev {
		br := r.Inf("up_blocks.%d", i)
		var blk upBlock
		for j := range cfg.LayersPerBlock + 1 {
			blk.resnets = append(blk.resnets, newResnetBlock(br.Inf("resnets.%d", j), in, out, groups))
			in = out
		}
		if i < len(rev)-1 {
			u := newUpsample(br.In("upsamplers", "0"), out)
			blk.up = &u
		}
		d.up = append(d.up, blk)
	}
	d.normOut = r.GroupNorm("conv_norm_out", groups, rev[len(rev)-1], normEps)
	d.convOut = r.Conv2d("conv_out", rev[len(rev)-1], cfg.OutChannels, 3, 1, 1, true)
	return d
}

func (d decoder) Apply(c nn.Ctx, z *graph.Node) *graph.Node {
	x := d.mid.Apply(c, d.convIn.Apply(c, z))
	for _, blk := range d.up {
		for _, rb := range blk.resnets {
			x = rb.Apply(c, x)
		}
		if blk.up != nil {
			x = blk.up.Apply(c, x)
		}
	}
	return d.convOut.Apply(c, nn.SiLU(d.normOut.Apply(c, x)))
}
