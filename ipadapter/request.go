package ipadapter

import (
	"image"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/adapter"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/clip"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/torchrand"
)

// Prompt is a prompt argument with Python's str | list[str] | None
// meaning: Text("a cat") is broadcast to the batch, Texts("a", "b") is two
// prompts, the zero value is None.
type Prompt = clip.Prompt

// Text is a single prompt (a Python str).
func Text(s string) Prompt { return clip.Text(s) }

// Texts is a list of prompts (a Python list).
func Texts(texts ...string) Prompt { return clip.Texts(texts...) }

// OutputType selects what Generate returns, like diffusers' output_type.
type OutputType string

const (
	// OutputImages returns 8-bit images (diffusers' "pil"), the default.
	OutputImages OutputType = "pil"
	// OutputNP returns the decoded float32 array [B, H, W, 3] in [0, 1].
	OutputNP OutputType = "np"
	// OutputLatents returns the final latents [B, 4, H/8, W/8] in the
	// UNet's space, without decoding.
	OutputLatents OutputType = "latent"
)

// Default values of the generation arguments, as in diffusers'
// StableDiffusionXLPipeline.__call__.
const (
	DefaultNumInferenceSteps = 50
	DefaultGuidanceScale     = 5.0
)

// Request is one call of the pipeline: the arguments of
// StableDiffusionXLPipeline.__call__ used with IP-Adapters. Zero values
// mean diffusers' defaults.
type Request struct {
	// Prompt is required; Prompt2 goes to the second text encoder and
	// defaults to Prompt. A list of prompts makes a batch.
	Prompt, Prompt2 Prompt
	// NegativePrompt and NegativePrompt2 condition classifier-free
	// guidance; without them the negative conditioning is zeros (SDXL
	// base's force_zeros_for_empty_prompt).
	NegativePrompt, NegativePrompt2 Prompt
	// ClipSkip > 0 uses an earlier text encoder layer (diffusers' clip_skip).
	ClipSkip int

	// IPAdapterImages are the reference images, one list per loaded
	// adapter: {{img}} for one adapter; {{a, b}} for one adapter with two
	// images; {{a}, {b}} for two adapters. Every image of the batch is
	// conditioned on the same references.
	IPAdapterImages [][]image.Image
	// IPAdapterImageEmbeds replaces IPAdapterImages with precomputed
	// embeddings, one per adapter (Pipeline.EncodeIPAdapterImages,
	// adapter.LoadEmbeds, or diffusers' ip_adapter_image_embeds through
	// adapter.EmbedsFromTensor).
	IPAdapterImageEmbeds []*adapter.ImageEmbeds
	// IPAdapterMasks restrict each reference image to a region, one entry
	// per adapter (nil for an unmasked one), each made by PreprocessMasks
	// (diffusers' IPAdapterMaskProcessor) with one mask per image. Use
	// adapter.PerImage scales with them.
	IPAdapterMasks []*adapter.Mask
	// IPAdapterWindows limit each adapter to part of the denoising (one
	// per adapter; nil means always, as in diffusers).
	IPAdapterWindows []adapter.Window

	// Height and Width of the images, multiples of 8; 0 means
	// Pipeline.DefaultSize (1024×1024 for SDXL).
	Height, Width int
	// NumInferenceSteps; 0 means 50.
	NumInferenceSteps int
	// GuidanceScale is the classifier-free guidance weight; 0 means 5.
	// Values ≤ 1 switch guidance off (one UNet pass per step).
	GuidanceScale float64
	// GuidanceRescale φ in [0, 1] (diffusers' guidance_rescale; 0 = off).
	GuidanceRescale float64
	// NumImagesPerPrompt; 0 means 1.
	NumImagesPerPrompt int
	// Eta is DDIM's η (ignored by the other schedulers).
	Eta float64

	// Seed makes the run reproducible: generator =
	// torch.Generator("cpu").manual_seed(*Seed). With neither Seed nor
	// Generators a random seed is drawn, and reported in the metadata.
	Seed *uint64
	// Generators are diffusers' generator argument: one, or one per image
	// of the batch (len(prompts)·NumImagesPerPrompt). They are advanced
	// by the run.
	Generators []*torchrand.Generator

	// Micro-conditioning (SDXL's added time ids); zero sizes mean
	// (Height, Width). The negative ones are used only when both
	// NegativeOriginalSize and NegativeTargetSize are given.
	OriginalSize, TargetSize, CropsCoordsTopLeft                         [2]int
	NegativeOriginalSize, NegativeTargetSize, NegativeCropsCoordsTopLeft [2]int

	// OutputType: OutputImages (default), OutputNP or OutputLatents.
	OutputType OutputType

	// AttentionMaps, if set, asks for the attention maps of some attn2
	// layers at some steps, computed by the generation's own UNet calls:
	// in Progress.Attention as each captured step ends, and all of them in
	// Result.Attention. AttentionMaps says what the maps hold and cost.
	AttentionMaps *AttentionMaps

	// Progress, if set, is called before the first step (Step 0) and after
	// every step, from the generating goroutine, which holds the pipeline:
	// it must not call the pipeline's methods (cancel the context to stop).
	Progress func(Progress)
}

// Seed returns a pointer to seed, for Request.Seed.
func Seed(seed uint64) *uint64 { return &seed }
