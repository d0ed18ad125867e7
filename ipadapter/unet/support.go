package unet

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/gomlx/gomlx/core/graph"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
)

// unsupported formats the error for a config value this package does not
// implement, naming the key.
func unsupported(key string, value any, supported string) error {
	return fmt.Errorf("unet config: %q = %v is not supported (supported: %s)", key, value, supported)
}

func show(p *string) string {
	if p == nil {
		return "null"
	}
	return fmt.Sprintf("%q", *p)
}

// checkSupported rejects the UNet2DConditionModel options this package does
// not implement (class embeddings, other time embeddings, encoder
// projections, dual/only cross-attention, GLIGEN, …), each naming the key.
// Options that have no effect on the blocks built here are accepted.
func checkSupported(cfg Config) error {
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	if cfg.ClassName != "" && cfg.ClassName != "UNet2DConditionModel" {
		add(unsupported("_class_name", fmt.Sprintf("%q", cfg.ClassName), `"UNet2DConditionModel"`))
	}
	if s := bytes.TrimSpace(cfg.NumAttentionHeads); len(s) > 0 && string(s) != "null" {
		// diffusers raises too: attention_head_dim is read as the head count.
		add(unsupported("num_attention_heads", string(s), "null (diffusers reads attention_head_dim as the number of heads)"))
	}
	if cfg.OnlyCrossAttention.anyTrue() {
		add(unsupported("only_cross_attention", cfg.OnlyCrossAttention.Values, "false"))
	}
	if cfg.DualCrossAttention {
		add(unsupported("dual_cross_attention", true, "false"))
	}
	if cfg.EncoderHidDim != nil {
		add(unsupported("encoder_hid_dim", *cfg.EncoderHidDim, "null"))
	}
	if cfg.EncoderHidDimType != nil {
		add(unsupported("encoder_hid_dim_type", show(cfg.EncoderHidDimType), "null (IP-Adapter image projections are separate modules here)"))
	}
	if cfg.ClassEmbedType != nil {
		add(unsupported("class_embed_type", show(cfg.ClassEmbedType), "null"))
	}
	if cfg.NumClassEmbeds != nil {
		add(unsupported("num_class_embeds", *cfg.NumClassEmbeds, "null"))
	}
	if cfg.ClassEmbeddingsConcat {
		add(unsupported("class_embeddings_concat", true, "false"))
	}
	if cfg.AdditionEmbedType != nil && *cfg.AdditionEmbedType != "text_time" {
		add(unsupported("addition_embed_type", show(cfg.AdditionEmbedType), `null, "text_time"`))
	}
	if cfg.ResnetTimeScaleShift != "default" {
		add(unsupported("resnet_time_scale_shift", fmt.Sprintf("%q", cfg.ResnetTimeScaleShift), `"default"`))
	}
	if cfg.TimeEmbeddingType != "positional" {
		add(unsupported("time_embedding_type", fmt.Sprintf("%q", cfg.TimeEmbeddingType), `"positional"`))
	}
	if cfg.TimestepPostAct != nil {
		add(unsupported("timestep_post_act", show(cfg.TimestepPostAct), "null"))
	}
	if cfg.TimeCondProjDim != nil {
		add(unsupported("time_cond_proj_dim", *cfg.TimeCondProjDim, "null"))
	}
	if cfg.AttentionType != "default" {
		add(unsupported("attention_type", fmt.Sprintf("%q", cfg.AttentionType), `"default"`))
	}
	if cfg.CrossAttentionNorm != nil {
		add(unsupported("cross_attention_norm", show(cfg.CrossAttentionNorm), "null"))
	}
	if cfg.NormNumGroups == nil {
		add(unsupported("norm_num_groups", "null", "a positive group count"))
	} else if *cfg.NormNumGroups <= 0 {
		add(fmt.Errorf("unet config: \"norm_num_groups\" = %d must be positive", *cfg.NormNumGroups))
	}
	if _, err := activation("act_fn", &cfg.ActFn); err != nil {
		add(err)
	}
	if cfg.TimeEmbeddingActFn != nil {
		if _, err := activation("time_embedding_act_fn", cfg.TimeEmbeddingActFn); err != nil {
			add(err)
		}
	}
	for key, k := range map[string]int{"conv_in_kernel": cfg.ConvInKernel, "conv_out_kernel": cfg.ConvOutKernel} {
		if k <= 0 || k%2 == 0 {
			add(unsupported(key, k, "a positive odd kernel size"))
		}
	}
	if cfg.DownsamplePadding < 0 {
		add(fmt.Errorf("unet config: \"downsample_padding\" = %d must not be negative", cfg.DownsamplePadding))
	}
	if cfg.MidBlockScaleFactor == 0 {
		add(fmt.Errorf("unet config: \"mid_block_scale_factor\" must not be 0 (the mid resnets divide by it)"))
	}
	if cfg.InChannels <= 0 || cfg.OutChannels <= 0 {
		add(fmt.Errorf("unet config: \"in_channels\" = %d and \"out_channels\" = %d must be positive", cfg.InChannels, cfg.OutChannels))
	}
	if cfg.MidBlockType != nil && *cfg.MidBlockType != UNetMidBlock2DCrossAttn && *cfg.MidBlockType != "UNetMidBlock2D" {
		add(unsupported("mid_block_type", show(cfg.MidBlockType), `"UNetMidBlock2DCrossAttn", "UNetMidBlock2D", null`))
	}
	for i, t := range cfg.DownBlockTypes {
		if n := strings.TrimPrefix(t, "UNetRes"); n != DownBlock2D && n != CrossAttnDownBlock2D {
			add(unsupported(fmt.Sprintf("down_block_types[%d]", i), fmt.Sprintf("%q", t), `"DownBlock2D", "CrossAttnDownBlock2D"`))
		}
	}
	for i, t := range cfg.UpBlockTypes {
		if n := strings.TrimPrefix(t, "UNetRes"); n != UpBlock2D && n != CrossAttnUpBlock2D {
			add(unsupported(fmt.Sprintf("up_block_types[%d]", i), fmt.Sprintf("%q", t), `"UpBlock2D", "CrossAttnUpBlock2D"`))
		}
	}
	return errors.Join(errs...)
}

// activation returns the activation diffusers' get_activation makes of a
// name this package supports.
func activation(key string, name *string) (func(*graph.Node) *graph.Node, error) {
	switch *name {
	case "silu", "swish":
		return nn.SiLU, nil
	}
	return nil, unsupported(key, fmt.Sprintf("%q", *name), `"silu", "swish"`)
}
