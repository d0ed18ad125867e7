package unet

import (
	"strconv"

	"github.com/gomlx/gomlx/core/graph"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
)

// UNet is the structure of a UNet2DConditionModel built from its Config:
// every layer with its checkpoint name and shape, no weights. Apply builds
// its graph over the weights of an nn.Ctx; Model pairs it with loaded
// weights and compiled executables.
type UNet struct {
	cfg Config

	convIn      nn.Conv2d
	timeProj    sinusoid
	timeEmbed   timestepEmbedding
	addTimeProj *sinusoid                     // text_time only
	addEmbed    *timestepEmbedding            // text_time only
	timeAct     func(*graph.Node) *graph.Node // time_embedding_act_fn, or nil
	down        []downBlock
	up          []upBlock
	mid         *midBlock
	normOut     nn.GroupNorm
	convOut     nn.Conv2d
	act         func(*graph.Node) *graph.Node

	specs       []nn.Spec
	crossLayers []CrossAttnLayer // attn2 layers in diffusers' attn_processors order
}

// CrossAttnLayer describes one cross-attention (attn2) module: where
// IP-Adapter streams enter.
type CrossAttnLayer struct {
	Name     string // module name, e.g. "down_blocks.1.attentions.0.transformer_blocks.0.attn2"
	Index    int    // position in attn_processors order = row of IPStream.Scales
	Hidden   int    // query and output width (the block's channels): to_k_ip's output size
	Heads    int
	CrossDim int // width of encoder_hidden_states and of IP tokens: to_k_ip's input size
	Level    int // resolution level: 0 = latent size, each downsampler halves (rounding up)
}

// Config returns the configuration the UNet was built from.
func (u *UNet) Config() Config { return u.cfg }

// Specs lists every parameter (diffusers' state-dict names and shapes), in
// state-dict order.
func (u *UNet) Specs() []nn.Spec { return append([]nn.Spec(nil), u.specs...) }

// NumParameters is the total parameter count.
func (u *UNet) NumParameters() int64 { return nn.NumParameters(u.specs) }

// CrossAttnLayers lists the attn2 module names in diffusers' attn_processors
// order (down blocks, then up blocks, then the mid block): the order
// IP-Adapter weights are numbered in (layer i has key id 2i+1) and the row
// order of IPStream.Scales.
func (u *UNet) CrossAttnLayers() []string {
	names := make([]string, len(u.crossLayers))
	for i, l := range u.crossLayers {
		names[i] = l.Name
	}
	return names
}

// CrossAttnLayerInfo describes the attn2 layers, in CrossAttnLayers order.
func (u *UNet) CrossAttnLayerInfo() []CrossAttnLayer {
	return append([]CrossAttnLayer(nil), u.crossLayers...)
}

// NumLevels is the number of resolution levels (down blocks).
func (u *UNet) NumLevels() int { return len(u.down) }

// IPWeightNames returns the names diffusers gives an adapter's key and
// value projections of one attn2 layer after load_ip_adapter.
func IPWeightNames(layer string, adapter int) (toK, toV string) {
	return layer + ".processor.to_k_ip." + strconv.Itoa(adapter) + ".weight", layer + ".processor.to_v_ip." + strconv.Itoa(adapter) + ".weight"
}

// IPSpecs lists the to_k_ip / to_v_ip weights an IP-Adapter with index
// adapter (its position in the load_ip_adapter list) adds to every attn2
// layer: Linear(cross_attention_dim → hidden, bias=False), i.e. weight
// [hidden, cross_dim]. They are the same for every adapter type (plain,
// plus, face): only the image projection differs.
func (u *UNet) IPSpecs(adapter int) []nn.Spec {
	var specs []nn.Spec
	for _, l := range u.crossLayers {
		k, v := IPWeightNames(l.Name, adapter)
		specs = append(specs, nn.Spec{Name: k, Shape: []int{l.Hidden, l.CrossDim}}, nn.Spec{Name: v, Shape: []int{l.Hidden, l.CrossDim}})
	}
	return specs
}
