package ipadapter

import "errors"

// Attention maps of a real generation, for teaching displays: which latent
// pixels attend to which prompt tokens and reference-image tokens,
// computed by the pipeline's own UNet calls during Generate.

// AllAttentionLayers, alone in AttentionMaps.Layers, asks for every attn2
// layer (70 on SDXL: about 32 MB of maps per image and step at 1024×1024).
const AllAttentionLayers = "all"

// AttentionMaps asks Generate for the attention maps of some attn2
// (cross-attention) layers at some steps (Request.AttentionMaps).
//
// Every map is a softmax averaged over the layer's heads, float32, shaped
// [B, Height·Width, keys]: B the images of the batch (prompt-major, as
// Result.Images), one row per query (the layer's latent pixels, row-major
// over its Height×Width grid), one column per key token. The rows come
// from the conditional half of the classifier-free guidance batch (the
// prompt's, not the negative prompt's); without guidance, from the only
// half.
//
// IP-Adapter's attention is decoupled: each attn2 layer attends to the
// text tokens and, separately, to each adapter's image tokens, and the
// results are added. So a layer has one map per softmax, each with rows
// summing to 1, in key order: first the text tokens (77 for SDXL: the
// start token, the prompt's tokens, the end token, then padding, which
// draws attention too; PromptTokens labels them), then each adapter's
// image tokens, in load order. An unmasked adapter's images share one
// softmax, their tokens concatenated image by image (N images × T tokens:
// T = 4 for plain adapters, 16 for Plus and FullFace); a masked adapter
// attends to each image separately, one map per image, before its mask
// is applied. A map is there whatever the adapter's scale at that step:
// it shows where the queries would look, the scale how much of it is
// added.
//
// Cost, only when asked for: a second compiled UNet graph (as long to
// compile as the first; one per image size, adapter layout and list of
// layers, so keep Layers the same across requests), run at the captured
// steps only (the others run the plain graph, never recompiled), with
// the captured layers' softmax computed explicitly and the maps copied to
// the host. On the pure-Go backend the run's noise predictions and latents
// are bitwise those without capture; with a fused attention kernel (half
// precision on CUDA) the captured steps may differ at rounding level.
type AttentionMaps struct {
	// Layers are attn2 module names as Pipeline.AttentionLayers lists them
	// ("mid_block.attentions.0.transformer_blocks.0.attn2"), or
	// AllAttentionLayers alone.
	Layers []string
	// Steps are the steps whose UNet call is captured, 1-based as
	// Progress.Step; empty means every step.
	Steps []int
}

// StepAttention are the maps captured at one step, in Progress.Attention
// as the step ends and in Result.Attention.
type StepAttention struct {
	// Step of Total is the step (1-based), Timestep its scheduler timestep.
	Step, Total int
	Timestep    float64
	// Layers are the requested layers, in the UNet's attn_processors
	// order (down blocks, up blocks, mid block), whatever the request's.
	Layers []LayerAttention
}

// LayerAttention are one attn2 layer's maps at one step (AttentionMaps
// describes the layout).
type LayerAttention struct {
	// Layer is the attn2 module name; Index its position in
	// attn_processors order (the row of the layer in IP-Adapter scales).
	Layer string
	Index int
	// Level is the layer's resolution level (0: the latents' size; each
	// level halves it, rounding up); Height×Width is its query grid.
	Level, Height, Width int
	// Heads were averaged.
	Heads int
	// Text is the attention to the text tokens, [B, Height·Width, S]
	// (S = 77 for SDXL).
	Text *Array
	// IP are the attentions to the adapters' image tokens: for each
	// adapter in load order, one map, or one per image for a masked one.
	IP []IPAttention
}

// IPAttention is one softmax over an adapter's image tokens.
type IPAttention struct {
	// Adapter is the adapter's index (load order); Image is the reference
	// image of a masked adapter, −1 when the map covers all its images.
	Adapter, Image int
	// Map is [B, Height·Width, N·T] (all N images' T tokens) or, for one
	// image of a masked adapter, [B, Height·Width, T].
	Map *Array
}

// AttentionLayers lists the UNet's attn2 modules in attn_processors order:
// the names AttentionMaps.Layers takes.
func (p *Pipeline) AttentionLayers() ([]string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.unet == nil {
		return nil, errClosed
	}
	return p.unet.UNet().CrossAttnLayers(), nil
}

// PromptTokens returns the first tokenizer's tokens of a prompt, without
// the start and end tokens: text key k of a map is the start token for
// k = 0, PromptTokens[k−1] up to the 75th token (longer prompts are
// truncated), then the end token and padding.
func (p *Pipeline) PromptTokens(prompt string) ([]string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.text == nil {
		return nil, errClosed
	}
	if len(p.text.Tokenizers) == 0 {
		return nil, errors.New("the pipeline has no tokenizer")
	}
	return p.text.Tokenizers[0].Tokenize(prompt), nil
}
