package convert

import (
	"fmt"
	"strings"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/unet"
)

// sgmResnetModules renames the layers of an LDM/SGM UNet ResBlock to
// diffusers' ResnetBlock2D.
var sgmResnetModules = map[string]string{
	"in_layers.0":     "norm1",
	"in_layers.2":     "conv1",
	"emb_layers.1":    "time_emb_proj",
	"out_layers.0":    "norm2",
	"out_layers.3":    "conv2",
	"skip_connection": "conv_shortcut",
}

// unetTable builds the SGM → diffusers rules of a UNet from its config.
//
// LDM numbers its modules in flat lists where diffusers nests them:
// input_blocks.0 is conv_in; then each down level contributes one input
// block per resnet (the resnet at .0, its transformer at .1 when the level
// has attentions) and, except the last level, one for its downsampler
// (.0.op). output_blocks give each up level layers_per_block+1 blocks, the
// upsampler sitting in the level's last block after the resnet and the
// transformer (.2) or after the resnet alone (.1). middle_block is resnet,
// transformer, resnet. Counting the blocks from the config, level by level,
// is diffusers' (i−1)/(layers_per_block+1) arithmetic in
// convert_ldm_unet_checkpoint, and also right for per-level layer counts.
func unetTable(cfg unet.Config) (prefixTable, error) {
	n := len(cfg.BlockOutChannels)
	if n == 0 || len(cfg.DownBlockTypes) != n || len(cfg.UpBlockTypes) != n {
		return nil, fmt.Errorf("unet config: %d block_out_channels, %d down_block_types, %d up_block_types: want the same non-zero number",
			n, len(cfg.DownBlockTypes), len(cfg.UpBlockTypes))
	}
	layers, err := layersPerBlock(cfg.LayersPerBlock, n)
	if err != nil {
		return nil, err
	}
	t := prefixTable{}
	t.leaf("time_embed.0", "time_embedding.linear_1")
	t.leaf("time_embed.2", "time_embedding.linear_2")
	if cfg.AdditionEmbedType != nil {
		t.leaf("label_emb.0.0", "add_embedding.linear_1")
		t.leaf("label_emb.0.2", "add_embedding.linear_2")
	}
	t.leaf("input_blocks.0.0", "conv_in")
	t.leaf("out.0", "conv_norm_out")
	t.leaf("out.2", "conv_out")

	in := 1
	for i, typ := range cfg.DownBlockTypes {
		cross, err := hasAttentions(typ, unet.CrossAttnDownBlock2D, unet.DownBlock2D)
		if err != nil {
			return nil, fmt.Errorf("unet config: down_block_types[%d]: %w", i, err)
		}
		for j := range layers[i] {
			t.renamed(fmt.Sprintf("input_blocks.%d.0", in), fmt.Sprintf("down_blocks.%d.resnets.%d", i, j), sgmResnetModules)
			if cross {
				t.same(fmt.Sprintf("input_blocks.%d.1", in), fmt.Sprintf("down_blocks.%d.attentions.%d", i, j))
			}
			in++
		}
		if i < n-1 {
			t.leaf(fmt.Sprintf("input_blocks.%d.0.op", in), fmt.Sprintf("down_blocks.%d.downsamplers.0.conv", i))
			in++
		}
	}

	if cfg.MidBlockType != nil {
		switch *cfg.MidBlockType {
		case unet.UNetMidBlock2DCrossAttn:
			t.renamed("middle_block.0", "mid_block.resnets.0", sgmResnetModules)
			t.same("middle_block.1", "mid_block.attentions.0")
			t.renamed("middle_block.2", "mid_block.resnets.1", sgmResnetModules)
		case "UNetMidBlock2D": // as ipadapter/unet builds it: one resnet
			t.renamed("middle_block.0", "mid_block.resnets.0", sgmResnetModules)
		default:
			return nil, fmt.Errorf("unet config: mid_block_type %q has no known SGM layout", *cfg.MidBlockType)
		}
	}

	out := 0
	for i, typ := range cfg.UpBlockTypes {
		cross, err := hasAttentions(typ, unet.CrossAttnUpBlock2D, unet.UpBlock2D)
		if err != nil {
			return nil, fmt.Errorf("unet config: up_block_types[%d]: %w", i, err)
		}
		num := layers[n-1-i] + 1
		for j := range num {
			t.renamed(fmt.Sprintf("output_blocks.%d.0", out), fmt.Sprintf("up_blocks.%d.resnets.%d", i, j), sgmResnetModules)
			if cross {
				t.same(fmt.Sprintf("output_blocks.%d.1", out), fmt.Sprintf("up_blocks.%d.attentions.%d", i, j))
			}
			if j == num-1 && i < n-1 {
				at := 1
				if cross {
					at = 2
				}
				t.leaf(fmt.Sprintf("output_blocks.%d.%d.conv", out, at), fmt.Sprintf("up_blocks.%d.upsamplers.0.conv", i))
			}
			out++
		}
	}
	return t, nil
}

// layersPerBlock expands layers_per_block (an int or one per level).
func layersPerBlock(v unet.IntOrList, n int) ([]int, error) {
	switch {
	case v.List && len(v.Values) != n:
		return nil, fmt.Errorf("unet config: layers_per_block has %d entries for %d blocks", len(v.Values), n)
	case len(v.Values) == 0:
		return nil, fmt.Errorf("unet config: layers_per_block is missing")
	}
	out := make([]int, n)
	for i := range out {
		if v.List {
			out[i] = v.Values[i]
		} else {
			out[i] = v.Values[0]
		}
		if out[i] <= 0 {
			return nil, fmt.Errorf("unet config: layers_per_block %d must be positive", out[i])
		}
	}
	return out, nil
}

// hasAttentions tells a block type with transformers (cross) from one
// without (plain); diffusers accepts a "UNetRes" prefix on both.
func hasAttentions(typ, cross, plain string) (bool, error) {
	switch strings.TrimPrefix(typ, "UNetRes") {
	case cross:
		return true, nil
	case plain:
		return false, nil
	}
	return false, fmt.Errorf("block type %q has no known SGM layout (want %s or %s)", typ, cross, plain)
}
