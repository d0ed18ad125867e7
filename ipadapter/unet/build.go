package unet

import (
	"fmt"
	"slices"
	"strings"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
)

// levels holds the per-block values of a config after diffusers' expansion
// of scalars to lists (and reversal for the up blocks).
type levels struct {
	n         int
	channels  []int
	heads     []int
	crossDims []int
	layers    []int   // resnets per down block
	downTLPB  [][]int // transformer layers per down block, per attention
	upTLPB    [][]int // per up block (up order), per attention
	midTLPB   int
	down, up  []string // block types without the "UNetRes" prefix
}

func expandLevels(cfg Config) (*levels, error) {
	n := len(cfg.BlockOutChannels)
	if n == 0 {
		return nil, fmt.Errorf("unet config: \"block_out_channels\" is empty")
	}
	if len(cfg.DownBlockTypes) != len(cfg.UpBlockTypes) {
		return nil, fmt.Errorf("unet config: %d \"down_block_types\" but %d \"up_block_types\"; diffusers needs the same number", len(cfg.DownBlockTypes), len(cfg.UpBlockTypes))
	}
	if len(cfg.DownBlockTypes) != n {
		return nil, fmt.Errorf("unet config: %d \"block_out_channels\" but %d \"down_block_types\"; diffusers needs one per block", n, len(cfg.DownBlockTypes))
	}
	lv := &levels{n: n, channels: slices.Clone(cfg.BlockOutChannels)}
	var err error
	if lv.heads, err = cfg.AttentionHeadDim.perBlock("attention_head_dim", n); err != nil {
		return nil, err
	}
	if lv.crossDims, err = cfg.CrossAttentionDim.perBlock("cross_attention_dim", n); err != nil {
		return nil, err
	}
	if lv.layers, err = cfg.LayersPerBlock.perBlock("layers_per_block", n); err != nil {
		return nil, err
	}
	if cfg.OnlyCrossAttention.List && len(cfg.OnlyCrossAttention.Values) != n {
		return nil, fmt.Errorf("unet config: \"only_cross_attention\" has %d entries, must have one per down block (%d)", len(cfg.OnlyCrossAttention.Values), n)
	}
	for i, c := range lv.channels {
		if c <= 0 || lv.layers[i] <= 0 || lv.crossDims[i] <= 0 || lv.heads[i] <= 0 {
			return nil, fmt.Errorf("unet config: block %d has non-positive sizes (channels %d, layers %d, cross_attention_dim %d, heads %d)", i, c, lv.layers[i], lv.crossDims[i], lv.heads[i])
		}
		if c%lv.heads[i] != 0 {
			return nil, unsupported(fmt.Sprintf("attention_head_dim[%d]", i), lv.heads[i],
				fmt.Sprintf("a head count dividing block_out_channels[%d] = %d", i, c))
		}
	}
	tl := cfg.TransformerLayersPerBlock
	if !tl.Set {
		return nil, fmt.Errorf("unet config: \"transformer_layers_per_block\" is null")
	}
	if tl.nested() && !cfg.ReverseTransformerLayersPerBlock.Set {
		return nil, fmt.Errorf("unet config: \"transformer_layers_per_block\" has per-attention lists (asymmetric UNet), which needs \"reverse_transformer_layers_per_block\"")
	}
	for i := range n {
		counts, err := tl.forBlock("transformer_layers_per_block", i, n, lv.layers[i])
		if err != nil {
			return nil, err
		}
		lv.downTLPB = append(lv.downTLPB, counts)
	}
	lv.midTLPB = tl.last()
	rev := cfg.ReverseTransformerLayersPerBlock
	if !rev.Set {
		// diffusers reverses the (expanded) list for the up blocks.
		rev = LayerCounts{Set: true}
		for i := n - 1; i >= 0; i-- {
			rev.Blocks = append(rev.Blocks, tl.entry(i))
		}
	}
	for i := range n {
		counts, err := rev.forBlock("reverse_transformer_layers_per_block", i, n, lv.layers[n-1-i]+1)
		if err != nil {
			return nil, err
		}
		lv.upTLPB = append(lv.upTLPB, counts)
	}
	for _, counts := range append(append(slices.Clone(lv.downTLPB), lv.upTLPB...), []int{lv.midTLPB}) {
		for _, c := range counts {
			if c < 0 {
				return nil, fmt.Errorf("unet config: negative transformer layer count %d", c)
			}
		}
	}
	for _, t := range cfg.DownBlockTypes {
		lv.down = append(lv.down, strings.TrimPrefix(t, "UNetRes"))
	}
	for _, t := range cfg.UpBlockTypes {
		lv.up = append(lv.up, strings.TrimPrefix(t, "UNetRes"))
	}
	return lv, nil
}

// Build constructs the UNet described by cfg, checking every option and
// every size first: a config this package cannot run exactly as diffusers
// does is an error naming the key.
func Build(cfg Config) (*UNet, error) {
	if err := checkSupported(cfg); err != nil {
		return nil, err
	}
	lv, err := expandLevels(cfg)
	if err != nil {
		return nil, err
	}
	groups := *cfg.NormNumGroups
	act, _ := activation("act_fn", &cfg.ActFn)
	r := nn.NewRegistry()
	u := &UNet{cfg: cfg, act: act}
	if err := checkGroups("conv_in", groups, lv.channels[0]); err != nil {
		return nil, err
	}

	// Input convolution and time embeddings, in state-dict order.
	k := cfg.ConvInKernel
	u.convIn = r.Conv2d("conv_in", cfg.InChannels, lv.channels[0], k, 1, (k-1)/2, true)
	timeEmbedDim := 4 * lv.channels[0]
	if cfg.TimeEmbeddingDim != nil {
		timeEmbedDim = *cfg.TimeEmbeddingDim
	}
	if timeEmbedDim <= 0 {
		return nil, fmt.Errorf("unet config: time embedding width %d must be positive", timeEmbedDim)
	}
	u.timeProj = sinusoid{Dim: lv.channels[0], FlipSinToCos: cfg.FlipSinToCos, Shift: cfg.FreqShift}
	u.timeEmbed = newTimestepEmbedding(r.In("time_embedding"), lv.channels[0], timeEmbedDim, act)
	if cfg.AdditionEmbedType != nil { // "text_time", checked above
		if cfg.AdditionTimeEmbedDim == nil || *cfg.AdditionTimeEmbedDim <= 0 {
			return nil, fmt.Errorf("unet config: \"addition_embed_type\" \"text_time\" needs a positive \"addition_time_embed_dim\"")
		}
		if cfg.ProjectionClassEmbeddingsInputDim == nil || *cfg.ProjectionClassEmbeddingsInputDim <= 0 {
			return nil, fmt.Errorf("unet config: \"addition_embed_type\" \"text_time\" needs a positive \"projection_class_embeddings_input_dim\"")
		}
		u.addTimeProj = &sinusoid{Dim: *cfg.AdditionTimeEmbedDim, FlipSinToCos: cfg.FlipSinToCos, Shift: cfg.FreqShift}
		emb := newTimestepEmbedding(r.In("add_embedding"), *cfg.ProjectionClassEmbeddingsInputDim, timeEmbedDim, act)
		u.addEmbed = &emb
	}
	if cfg.TimeEmbeddingActFn != nil {
		u.timeAct, _ = activation("time_embedding_act_fn", cfg.TimeEmbeddingActFn)
	}

	b := blockBuilder{cfg: cfg, lv: lv, groups: groups, temb: timeEmbedDim, act: act}
	skips := []int{lv.channels[0]} // channels of the residual list, as the down path fills it
	for i := range lv.n {
		blk, out, err := b.down(r.Inf("down_blocks.%d", i), i)
		if err != nil {
			return nil, err
		}
		u.down = append(u.down, blk)
		skips = append(skips, out...)
	}
	for i := range lv.n {
		blk, err := b.up(r.Inf("up_blocks.%d", i), i, &skips)
		if err != nil {
			return nil, err
		}
		u.up = append(u.up, blk)
	}
	if cfg.MidBlockType != nil {
		mid, err := b.mid(r.In("mid_block"), *cfg.MidBlockType)
		if err != nil {
			return nil, err
		}
		u.mid = &mid
	}
	if err := checkGroups("conv_norm_out", groups, lv.channels[0]); err != nil {
		return nil, err
	}
	u.normOut = r.GroupNorm("conv_norm_out", groups, lv.channels[0], cfg.NormEps)
	k = cfg.ConvOutKernel
	u.convOut = r.Conv2d("conv_out", lv.channels[0], cfg.OutChannels, k, 1, (k-1)/2, true)

	if err := r.Validate(); err != nil {
		return nil, err
	}
	u.specs = r.Specs()
	u.numberCrossLayers(lv)
	return u, nil
}

func checkGroups(layer string, groups, channels int) error {
	if channels%groups != 0 {
		return unsupported("norm_num_groups", groups, fmt.Sprintf("a group count dividing the %d channels of %s", channels, layer))
	}
	return nil
}

// numberCrossLayers gives every attn2 its index in diffusers'
// attn_processors order (down blocks, up blocks, mid block: the order
// UNet2DConditionModel registers them in) and records its description.
func (u *UNet) numberCrossLayers(lv *levels) {
	visit := func(ts []transformer2D, level int) {
		for a := range ts {
			for k := range ts[a].Blocks {
				attn := &ts[a].Blocks[k].Attn2
				attn.CrossIndex = len(u.crossLayers)
				u.crossLayers = append(u.crossLayers, CrossAttnLayer{
					Name: attn.Name, Index: attn.CrossIndex, Hidden: attn.Q.Out, Heads: attn.Heads,
					CrossDim: attn.CrossDim, Level: level,
				})
			}
		}
	}
	for i := range u.down {
		visit(u.down[i].Attns, i)
	}
	for i := range u.up {
		visit(u.up[i].Attns, lv.n-1-i)
	}
	if u.mid != nil {
		visit(u.mid.Attns, lv.n-1)
	}
}
