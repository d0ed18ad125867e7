package convert

import (
	"fmt"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/vae"
)

// sgmVAEResnetModules renames the layers of an LDM VAE ResnetBlock.
var sgmVAEResnetModules = map[string]string{
	"norm1": "norm1", "conv1": "conv1", "norm2": "norm2", "conv2": "conv2",
	"nin_shortcut": "conv_shortcut",
}

// sgmVAEAttentionModules renames the mid block's AttnBlock: LDM keeps q, k,
// v and proj_out as 1×1 convolutions, diffusers as Linear layers.
var sgmVAEAttentionModules = map[string]string{
	"norm": "group_norm", "q": "to_q", "k": "to_k", "v": "to_v", "proj_out": "to_out.0",
}

var sgmVAEAttentionSqueeze = map[string]bool{"q": true, "k": true, "v": true, "proj_out": true}

// vaeTable builds the SGM → diffusers rules of an AutoencoderKL from its
// config. The encoder's levels keep their order; the decoder's are
// numbered from the bottom in LDM (up.0 is the last level to run), so
// decoder.up.k is diffusers' up_blocks.(n−1−k), as in
// convert_ldm_vae_checkpoint. Every level has layers_per_block resnets in
// the encoder and one more in the decoder; all but the encoder's last level
// downsample, all but the decoder's last upsample.
func vaeTable(cfg vae.Config) (prefixTable, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	n, lpb := len(cfg.BlockOutChannels), cfg.LayersPerBlock
	t := prefixTable{}
	for _, side := range []string{"encoder", "decoder"} {
		t.leaf(side+".conv_in", side+".conv_in")
		t.leaf(side+".conv_out", side+".conv_out")
		t.leaf(side+".norm_out", side+".conv_norm_out")
		t.renamed(side+".mid.block_1", side+".mid_block.resnets.0", sgmVAEResnetModules)
		t.renamed(side+".mid.block_2", side+".mid_block.resnets.1", sgmVAEResnetModules)
		if cfg.MidBlockAddAttention {
			t[side+".mid.attn_1"] = prefixRule{to: side + ".mid_block.attentions.0", modules: sgmVAEAttentionModules, squeeze: sgmVAEAttentionSqueeze}
		}
	}
	if cfg.UseQuantConv {
		t.leaf("quant_conv", "quant_conv")
	}
	if cfg.UsePostQuantConv {
		t.leaf("post_quant_conv", "post_quant_conv")
	}
	for i := range n {
		for j := range lpb {
			t.renamed(fmt.Sprintf("encoder.down.%d.block.%d", i, j), fmt.Sprintf("encoder.down_blocks.%d.resnets.%d", i, j), sgmVAEResnetModules)
		}
		if i < n-1 {
			t.leaf(fmt.Sprintf("encoder.down.%d.downsample.conv", i), fmt.Sprintf("encoder.down_blocks.%d.downsamplers.0.conv", i))
		}
	}
	for k := range n {
		up := n - 1 - k
		for j := range lpb + 1 {
			t.renamed(fmt.Sprintf("decoder.up.%d.block.%d", k, j), fmt.Sprintf("decoder.up_blocks.%d.resnets.%d", up, j), sgmVAEResnetModules)
		}
		if up < n-1 {
			t.leaf(fmt.Sprintf("decoder.up.%d.upsample.conv", k), fmt.Sprintf("decoder.up_blocks.%d.upsamplers.0.conv", up))
		}
	}
	return t, nil
}
