package unet

import (
	"fmt"

	"github.com/gomlx/gomlx/core/graph"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
)

// blockBuilder constructs the down, up and mid blocks with the channel
// arithmetic of UNet2DConditionModel.__init__.
type blockBuilder struct {
	cfg    Config
	lv     *levels
	groups int
	temb   int
	act    func(*graph.Node) *graph.Node
}

func (b blockBuilder) resnet(r *nn.Registry, name string, in, out int, outScale float64) (resnetBlock, error) {
	prefix := r.Prefix() + name
	if err := checkGroups(prefix+".norm1", b.groups, in); err != nil {
		return resnetBlock{}, err
	}
	if err := checkGroups(prefix+".norm2", b.groups, out); err != nil {
		return resnetBlock{}, err
	}
	return newResnet(r.In(name), in, out, b.temb, b.groups, b.cfg.NormEps, outScale, b.act), nil
}

func (b blockBuilder) transformer(r *nn.Registry, name string, layers, ch, heads, crossDim int) transformer2D {
	return newTransformer2D(r.In(name), ch, heads, crossDim, layers, b.groups, b.cfg.UseLinearProjection)
}

// down builds down block i and returns the channels of the skip tensors it
// appends to the residual list.
func (b blockBuilder) down(r *nn.Registry, i int) (downBlock, []int, error) {
	lv := b.lv
	in, out := lv.channels[max(i-1, 0)], lv.channels[i]
	cross := lv.down[i] == CrossAttnDownBlock2D
	var blk downBlock
	if cross { // registered before the resnets, as in diffusers' state dict
		for j := range lv.layers[i] {
			blk.Attns = append(blk.Attns, b.transformer(r, fmt.Sprintf("attentions.%d", j), lv.downTLPB[i][j], out, lv.heads[i], lv.crossDims[i]))
		}
	}
	var skips []int
	for j := range lv.layers[i] {
		resIn := out
		if j == 0 {
			resIn = in
		}
		res, err := b.resnet(r, fmt.Sprintf("resnets.%d", j), resIn, out, 1)
		if err != nil {
			return blk, nil, err
		}
		blk.Resnets = append(blk.Resnets, res)
		skips = append(skips, out)
	}
	if i < lv.n-1 {
		d := newDownsample(r, out, b.cfg.DownsamplePadding)
		blk.Down = &d
		skips = append(skips, out)
	}
	return blk, skips, nil
}

// up builds up block i, popping its skip tensors' channels from the end of
// skips and checking they are the ones its resnets are built for (diffusers
// derives both from the config; an inconsistent config fails at run time
// there, at construction here).
func (b blockBuilder) up(r *nn.Registry, i int, skips *[]int) (upBlock, error) {
	lv := b.lv
	rev := func(k int) int { return lv.channels[lv.n-1-k] }
	out := rev(i)
	prev := rev(max(i-1, 0))
	in := rev(min(i+1, lv.n-1))
	num := lv.layers[lv.n-1-i] + 1
	var blk upBlock
	if lv.up[i] == CrossAttnUpBlock2D {
		// Heads and cross_attention_dim come from the reversed per-block lists.
		k := lv.n - 1 - i
		for j := range num {
			blk.Attns = append(blk.Attns, b.transformer(r, fmt.Sprintf("attentions.%d", j), lv.upTLPB[i][j], out, lv.heads[k], lv.crossDims[k]))
		}
	}
	for j := range num {
		skipCh := out
		if j == num-1 {
			skipCh = in
		}
		resIn := out
		if j == 0 {
			resIn = prev
		}
		if len(*skips) == 0 {
			return blk, fmt.Errorf("unet config: up_blocks.%d.resnets.%d needs a skip tensor but the down path produced too few (check layers_per_block)", i, j)
		}
		have := (*skips)[len(*skips)-1]
		*skips = (*skips)[:len(*skips)-1]
		if have != skipCh {
			return blk, fmt.Errorf("unet config: up_blocks.%d.resnets.%d is built for a %d-channel skip tensor but the down path provides %d channels", i, j, skipCh, have)
		}
		res, err := b.resnet(r, fmt.Sprintf("resnets.%d", j), resIn+skipCh, out, 1)
		if err != nil {
			return blk, err
		}
		blk.Resnets = append(blk.Resnets, res)
	}
	if i < lv.n-1 {
		u := newUpsample(r, out)
		blk.Up = &u
	}
	if i == lv.n-1 && len(*skips) != 0 {
		return blk, fmt.Errorf("unet config: the up blocks leave %d skip tensors unused (check layers_per_block)", len(*skips))
	}
	return blk, nil
}

// mid builds the mid block: UNetMidBlock2DCrossAttn (one transformer
// between two resnets) or UNetMidBlock2D as the UNet configures it (a
// single resnet).
func (b blockBuilder) mid(r *nn.Registry, kind string) (midBlock, error) {
	lv := b.lv
	ch := lv.channels[lv.n-1]
	scale := b.cfg.MidBlockScaleFactor
	var blk midBlock
	if kind == UNetMidBlock2DCrossAttn {
		blk.Attns = append(blk.Attns, b.transformer(r, "attentions.0", lv.midTLPB, ch, lv.heads[lv.n-1], lv.crossDims[lv.n-1]))
	}
	for j := range len(blk.Attns) + 1 {
		res, err := b.resnet(r, fmt.Sprintf("resnets.%d", j), ch, ch, scale)
		if err != nil {
			return blk, err
		}
		blk.Resnets = append(blk.Resnets, res)
	}
	return blk, nil
}
