package unet

import (
	"fmt"
	"slices"

	"github.com/gomlx/compute/shapes"
)

// size is a spatial size (height, width).
type size struct{ H, W int }

// spatialPlan is how a latent of a given size flows through the UNet.
type spatialPlan struct {
	levels []size // spatial size at each level (down block i runs at levels[i])
	// upTargets[i] is the size up block i's upsampler produces (unused for
	// the last block): the size of the skip tensor the next block
	// concatenates, which is what diffusers forwards as upsample_size when
	// the latent is not a multiple of 2^num_upsamplers; otherwise ×2.
	upTargets []size
}

// plan computes the spatial sizes for an h×w latent. Every positive size
// runs in diffusers (odd sizes through upsample_size); a latent so small
// that a downsampler would produce nothing is an error, as in PyTorch.
func (u *UNet) plan(h, w int) (spatialPlan, error) {
	if h <= 0 || w <= 0 {
		return spatialPlan{}, fmt.Errorf("sample is %d×%d: height and width must be positive", h, w)
	}
	p := spatialPlan{levels: []size{{h, w}}}
	cur := size{h, w}
	for i, blk := range u.down {
		if blk.Down == nil {
			continue
		}
		next := size{blk.Down.outputSize(cur.H), blk.Down.outputSize(cur.W)}
		if next.H <= 0 || next.W <= 0 {
			return spatialPlan{}, fmt.Errorf("sample is %d×%d: too small for down_blocks.%d's downsampler (%d×%d in)", h, w, i, cur.H, cur.W)
		}
		cur = next
		p.levels = append(p.levels, cur)
	}
	numUp := 0
	for _, blk := range u.up {
		if blk.Up != nil {
			numUp++
		}
	}
	factor := 1 << numUp
	forward := h%factor != 0 || w%factor != 0
	n := len(p.levels)
	for i, blk := range u.up {
		if blk.Up == nil {
			p.upTargets = append(p.upTargets, size{})
			continue
		}
		at := p.levels[max(n-1-i, 0)]
		target := size{2 * at.H, 2 * at.W}
		next := p.levels[max(n-2-i, 0)] // the skip size the next up block concatenates
		if forward {
			target = next
		} else if target != next {
			return spatialPlan{}, fmt.Errorf("sample is %d×%d: up_blocks.%d doubles %d×%d to %d×%d but its skip tensors are %d×%d (diffusers fails on this size too)",
				h, w, i, at.H, at.W, target.H, target.W, next.H, next.W)
		}
		p.upTargets = append(p.upTargets, target)
	}
	return p, nil
}

// QueryCounts returns, for an h×w latent, the number of query tokens
// (the level's h·w) of every attn2 layer, in CrossAttnLayers order: the nq
// masks must be downsampled to.
func (u *UNet) QueryCounts(h, w int) ([]int, error) {
	p, err := u.plan(h, w)
	if err != nil {
		return nil, err
	}
	nq := make([]int, len(u.crossLayers))
	for i, l := range u.crossLayers {
		s := p.levels[min(l.Level, len(p.levels)-1)]
		nq[i] = s.H * s.W
	}
	return nq, nil
}

// MaskQueryCounts returns the distinct query counts of the attn2 layers for
// an h×w latent, ascending: the keys IPStream.Masks needs.
func (u *UNet) MaskQueryCounts(h, w int) ([]int, error) {
	nq, err := u.QueryCounts(h, w)
	if err != nil {
		return nil, err
	}
	return slices.Compact(slices.Sorted(slices.Values(nq))), nil
}

// inputShapes are the shapes of a forward pass's inputs (nil: absent).
type inputShapes struct {
	Sample, Timestep, EncoderHiddenStates, TextEmbeds, TimeIDs []int
	IP                                                         []ipShapes
}

// shaped is what inputs are given as: host tensors (Inputs) or graph nodes
// (GraphInputs).
type shaped interface {
	comparable
	Shape() shapes.Shape
}

// dimsOf is x's dimensions ([] for a scalar), nil when x is absent.
func dimsOf[T shaped](x T) []int {
	var absent T
	if x == absent {
		return nil
	}
	d := x.Shape().Dimensions
	if d == nil {
		d = []int{}
	}
	return d
}

// streamShapes are the shapes of one IP stream's inputs.
func streamShapes[T shaped](adapter int, tokens, scales T, masks map[int]T) ipShapes {
	s := ipShapes{Adapter: adapter, Tokens: dimsOf(tokens), Scales: dimsOf(scales)}
	if masks != nil {
		s.Masks = map[int][]int{}
		for q, m := range masks {
			s.Masks[q] = dimsOf(m)
		}
	}
	return s
}

// check validates the input shapes against the config, so bad inputs are
// errors that say what is wrong instead of failures deep in the graph.
func (u *UNet) check(s inputShapes) error {
	cfg := u.cfg
	if len(s.Sample) != 4 {
		return fmt.Errorf("sample has shape %v, want [batch, %d, height, width]", s.Sample, cfg.InChannels)
	}
	b := s.Sample[0]
	if b <= 0 {
		return fmt.Errorf("sample has shape %v: the batch is empty", s.Sample)
	}
	if s.Sample[1] != cfg.InChannels {
		return fmt.Errorf("sample has %d channels, the UNet takes %d (in_channels)", s.Sample[1], cfg.InChannels)
	}
	if _, err := u.plan(s.Sample[2], s.Sample[3]); err != nil {
		return err
	}
	switch t := s.Timestep; {
	case t == nil:
		return fmt.Errorf("timestep is missing")
	case len(t) == 0, len(t) == 1 && (t[0] == 1 || t[0] == b):
	default:
		return fmt.Errorf("timestep has shape %v, want a scalar, [1] or [%d] (the batch)", t, b)
	}
	e := s.EncoderHiddenStates
	if len(e) != 3 || e[0] != b || e[1] <= 0 {
		return fmt.Errorf("encoder_hidden_states has shape %v, want [%d (batch), tokens, cross_attention_dim]", e, b)
	}
	for _, l := range u.crossLayers {
		if e[2] != l.CrossDim {
			return fmt.Errorf("encoder_hidden_states are %d wide, %s takes %d (cross_attention_dim)", e[2], l.Name, l.CrossDim)
		}
	}
	if u.addEmbed != nil {
		if err := u.checkTextTime(b, s.TextEmbeds, s.TimeIDs); err != nil {
			return err
		}
	} else if s.TextEmbeds != nil || s.TimeIDs != nil {
		return fmt.Errorf("text_embeds/time_ids given, but the config has no \"text_time\" addition embedding")
	}
	if len(s.IP) > 0 {
		nq, err := u.QueryCounts(s.Sample[2], s.Sample[3])
		if err != nil {
			return err
		}
		if len(nq) == 0 {
			return fmt.Errorf("IP-Adapter streams given, but the UNet has no cross-attention layers")
		}
		return u.checkIP(b, nq, s.IP)
	}
	return nil
}

// checkTextTime validates SDXL's micro-conditioning inputs: the pooled text
// embedding and the time ids, whose widths must add up to
// projection_class_embeddings_input_dim (pooled + ids·addition_time_embed_dim).
func (u *UNet) checkTextTime(b int, text, ids []int) error {
	want := u.addEmbed.Linear1.In
	d := u.addTimeProj.Dim
	if text == nil || ids == nil {
		return fmt.Errorf("addition_embed_type \"text_time\" needs text_embeds [batch, pooled] and time_ids [batch, n] (%s missing)",
			map[bool]string{true: "text_embeds", false: "time_ids"}[text == nil])
	}
	if len(text) != 2 || text[0] != b {
		return fmt.Errorf("text_embeds has shape %v, want [%d (batch), pooled width]", text, b)
	}
	if len(ids) != 2 || ids[0] != b {
		return fmt.Errorf("time_ids has shape %v, want [%d (batch), number of ids]", ids, b)
	}
	if got := text[1] + ids[1]*d; got != want {
		return fmt.Errorf("text_embeds width %d + %d time_ids × %d (addition_time_embed_dim) = %d, but projection_class_embeddings_input_dim is %d (SDXL base: 1280 + 6×256)",
			text[1], ids[1], d, got, want)
	}
	return nil
}
