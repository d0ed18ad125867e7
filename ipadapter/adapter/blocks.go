package adapter

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Blocks is a per-block scale (InstantStyle; set_ip_adapter_scale with a
// dict {"down": …, "mid": …, "up": …}). Everything not named gets 0, the
// mid block included.
type Blocks struct {
	// Down and Up give the down and up blocks' scales.
	Down, Up Side
	// Mid is the mid block's scale: nil (0) or one value; diffusers refuses
	// more ("Expected 1 scales for mid").
	Mid []float64
}

// Side is the "down" or "up" entry of Blocks: block index → one scale per
// Transformer2DModel (attentions.k) of that block, shared by all of its
// transformer layers. A single value applies to every Transformer2DModel
// of the block. Blocks without attentions are ignored, as in diffusers.
// AllBlocks(v) gives v to every block of the side.
type Side map[int][]float64

// EveryBlock is the Side key AllBlocks uses: diffusers' {"down": v}.
const EveryBlock = -1

// AllBlocks is a Side with scale v on every block of that side.
func AllBlocks(v float64) Side { return Side{EveryBlock: {v}} }

// StyleOnly is InstantStyle's style-only preset for SDXL: scale 1 on
// up_blocks.0.attentions.1 (the layers that carry style), 0 elsewhere:
// {"up": {"block_0": [0.0, 1.0, 0.0]}}.
func StyleOnly() Blocks { return Blocks{Up: Side{0: {0, 1, 0}}} }

// StyleAndLayout is InstantStyle's style + layout preset for SDXL: also
// down_blocks.2.attentions.1 (layout): {"down": {"block_2": [0.0, 1.0]},
// "up": {"block_0": [0.0, 1.0, 0.0]}}.
func StyleAndLayout() Blocks { return Blocks{Down: Side{2: {0, 1}}, Up: Side{0: {0, 1, 0}}} }

// LayoutOnly is InstantStyle's layout-only setting for SDXL: scale 1 on
// down_blocks.2.attentions.1 (the layers that carry composition), 0
// elsewhere: {"down": {"block_2": [0.0, 1.0]}}.
func LayoutOnly() Blocks { return Blocks{Down: Side{2: {0, 1}}} }

func (b Blocks) String() string {
	var parts []string
	for _, s := range []struct {
		name string
		side Side
	}{{sideDown, b.Down}, {sideUp, b.Up}} {
		if s.side == nil {
			continue
		}
		var blocks []string
		for _, i := range slices.Sorted(maps.Keys(s.side)) {
			key := fmt.Sprintf("block_%d", i)
			if i == EveryBlock {
				key = "all"
			}
			blocks = append(blocks, fmt.Sprintf("%s: %v", key, s.side[i]))
		}
		parts = append(parts, fmt.Sprintf("%s: {%s}", s.name, strings.Join(blocks, ", ")))
	}
	if b.Mid != nil {
		parts = append(parts, fmt.Sprintf("mid: %v", b.Mid))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// layerScales gives each attn2 layer the value of its block's entry
// (diffusers' _maybe_expand_lora_scales with default 0, then
// set_ip_adapter_scale's prefix match of the module names). With masks the
// value applies to every image.
func (b Blocks) layerScales(l *unetLayout, n int, masked bool) ([][]float32, error) {
	perLayer := make([]float64, len(l.Layers))
	mid := 0.0
	switch {
	case len(b.Mid) > 1:
		return nil, fmt.Errorf("expected 1 scales for mid, got %d", len(b.Mid))
	case len(b.Mid) == 1 && !l.HasMid:
		return nil, fmt.Errorf("can't set the scale for mid: this UNet's mid block has no attentions")
	case len(b.Mid) == 1:
		mid = b.Mid[0]
	}
	sides := map[string]Side{sideDown: b.Down, sideUp: b.Up}
	expanded := map[string]map[int][]float64{}
	for name, side := range sides {
		e, err := expandSide(name, side, l.Blocks[name], l.PerBlock[name])
		if err != nil {
			return nil, err
		}
		expanded[name] = e
	}
	for i, cl := range l.Layers {
		if cl.Side == sideMid {
			perLayer[i] = mid
		} else {
			perLayer[i] = expanded[cl.Side][cl.Block][cl.Attn]
		}
	}
	cols := 1
	if masked {
		cols = n
	}
	rows := fill(len(perLayer), cols, func(int) float32 { return 0 })
	for i, v := range perLayer {
		for j := range rows[i] {
			rows[i][j] = float32(v)
		}
	}
	return rows, nil
}

// expandSide gives every block with attentions one value per
// Transformer2DModel: a block's single value is broadcast, a list must have
// perBlock entries, blocks not named get 0.
func expandSide(name string, side Side, blocks []int, perBlock int) (map[int][]float64, error) {
	out := map[int][]float64{}
	if all, ok := side[EveryBlock]; ok {
		if len(side) > 1 {
			return nil, fmt.Errorf("%s: give either AllBlocks(v) or per-block scales, not both", name)
		}
		if len(all) != 1 {
			return nil, fmt.Errorf("%s: AllBlocks takes one value, got %d", name, len(all))
		}
		side = Side{}
		for _, i := range blocks {
			side[i] = all
		}
	}
	for _, i := range blocks {
		v, ok := side[i]
		switch {
		case !ok:
			v = make([]float64, perBlock)
		case len(v) == 1:
			v = slices.Repeat(v, perBlock)
		case len(v) != perBlock:
			return nil, fmt.Errorf("expected %d scales for %s.block_%d, got %d (one per Transformer2DModel of the block)", perBlock, name, i, len(v))
		}
		out[i] = v
	}
	return out, nil
}
