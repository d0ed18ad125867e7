package ipadapter

import (
	"errors"
	"fmt"
	"math"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/adapter"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/guidance"
)

// plan is a validated Request with every default resolved: what one
// generation will do, decided before any model runs.
type plan struct {
	req              Request
	height, width    int
	latentH, latentW int
	steps            int
	guidance         float64
	cfg              bool
	prompts          int // B: number of prompts
	perPrompt        int // n: images per prompt
	output           OutputType
	addTimeIDs       [6]float32
	negTimeIDs       [6]float32
	windows          []adapter.Window
	numAdapters      int
	attn             *attentionPlan // nil: no attention maps
}

// images is B·n, the number of images generated (diffusers' effective batch).
func (pl *plan) images() int { return pl.prompts * pl.perPrompt }

// plan validates req against the pipeline's state with the checks of
// diffusers' check_inputs, prepare_latents and prepare_ip_adapter_image_
// embeds (same conditions, messages quoting diffusers' where it has one),
// plus the ones diffusers leaves to an AttributeError.
func (p *Pipeline) plan(req Request) (*plan, error) {
	pl := &plan{req: req, steps: req.NumInferenceSteps, guidance: req.GuidanceScale, perPrompt: req.NumImagesPerPrompt, output: req.OutputType}
	if err := pl.resolveSize(p); err != nil {
		return nil, err
	}
	if err := pl.resolveNumbers(); err != nil {
		return nil, err
	}
	if err := pl.resolveAttention(p); err != nil {
		return nil, err
	}
	// diffusers' do_classifier_free_guidance: guidance_scale > 1 and a UNet
	// not distilled for guidance (no time_cond_proj_dim).
	pl.cfg = guidance.Enabled(pl.guidance, p.unet.UNet().Config().TimeCondProjDim != nil)
	switch {
	case req.Prompt.IsNone():
		return nil, errors.New("Provide either `prompt` or `prompt_embeds`. Cannot leave both `prompt` and `prompt_embeds` undefined")
	case req.Prompt.IsList():
		pl.prompts = len(req.Prompt.Strings())
		if pl.prompts == 0 {
			return nil, errors.New("the prompt list is empty")
		}
	default:
		pl.prompts = 1
	}
	switch pl.output {
	case "":
		pl.output = OutputImages
	case OutputImages, OutputNP, OutputLatents:
	default:
		return nil, fmt.Errorf("output type %q: want %q (images), %q or %q", pl.output, OutputImages, OutputNP, OutputLatents)
	}
	if err := pl.checkGenerators(); err != nil {
		return nil, err
	}
	if p.adapters != nil {
		pl.numAdapters = p.adapters.Len()
	}
	if err := pl.checkIPAdapter(); err != nil {
		return nil, err
	}
	pl.timeIDs()
	return pl, nil
}

// resolveSize applies the default size and diffusers' divisibility check.
func (pl *plan) resolveSize(p *Pipeline) error {
	r := pl.req
	if r.Height < 0 || r.Width < 0 {
		return fmt.Errorf("height %d and width %d must be positive (0 means the model's default size)", r.Height, r.Width)
	}
	pl.height, pl.width = r.Height, r.Width
	if pl.height == 0 || pl.width == 0 {
		h, w, err := p.defaultSize()
		if err != nil {
			return err
		}
		if pl.height == 0 {
			pl.height = h
		}
		if pl.width == 0 {
			pl.width = w
		}
	}
	if pl.height%8 != 0 || pl.width%8 != 0 {
		return fmt.Errorf("`height` and `width` have to be divisible by 8 but are %d and %d", pl.height, pl.width)
	}
	f := p.vae.Config.ScaleFactor()
	if pl.height%f != 0 || pl.width%f != 0 {
		return fmt.Errorf("`height` and `width` have to be divisible by the VAE's scale factor %d but are %d and %d", f, pl.height, pl.width)
	}
	pl.latentH, pl.latentW = pl.height/f, pl.width/f
	return nil
}

// resolveNumbers applies the numeric defaults and rejects values no
// generation can use.
func (pl *plan) resolveNumbers() error {
	r := pl.req
	switch {
	case pl.steps < 0:
		return fmt.Errorf("num_inference_steps must be positive, got %d", pl.steps)
	case pl.steps == 0:
		pl.steps = DefaultNumInferenceSteps
	}
	switch {
	case pl.perPrompt < 0:
		return fmt.Errorf("num_images_per_prompt must be positive, got %d", pl.perPrompt)
	case pl.perPrompt == 0:
		pl.perPrompt = 1
	}
	if math.IsNaN(pl.guidance) || math.IsInf(pl.guidance, 0) {
		return fmt.Errorf("guidance_scale %g is not a number", pl.guidance)
	}
	if pl.guidance == 0 {
		pl.guidance = DefaultGuidanceScale
	}
	if math.IsNaN(r.GuidanceRescale) || r.GuidanceRescale < 0 {
		return fmt.Errorf("guidance_rescale %g must be ≥ 0 (0 = off)", r.GuidanceRescale)
	}
	if r.ClipSkip < 0 {
		return fmt.Errorf("clip_skip must be positive, got %d", r.ClipSkip)
	}
	if math.IsNaN(r.Eta) || r.Eta < 0 {
		return fmt.Errorf("eta %g must be ≥ 0", r.Eta)
	}
	return nil
}

func (pl *plan) checkGenerators() error {
	r := pl.req
	if r.Seed != nil && len(r.Generators) > 0 {
		return errors.New("give Seed or Generators, not both")
	}
	for i, g := range r.Generators {
		if g == nil {
			return fmt.Errorf("generator %d is nil", i)
		}
	}
	// diffusers accepts one generator, or one per image.
	if n := len(r.Generators); n > 1 && n != pl.images() {
		return fmt.Errorf("You have passed a list of generators of length %d, but requested an effective batch size of %d. Make sure the batch size matches the length of the generators", n, pl.images())
	}
	return nil
}

// checkIPAdapter checks the IP-Adapter inputs against the loaded adapters.
func (pl *plan) checkIPAdapter() error {
	r, n := pl.req, pl.numAdapters
	images, embeds := r.IPAdapterImages != nil, r.IPAdapterImageEmbeds != nil
	switch {
	case images && embeds:
		return errors.New("Provide either `ip_adapter_image` or `ip_adapter_image_embeds`. Cannot leave both `ip_adapter_image` and `ip_adapter_image_embeds` defined")
	case n == 0 && (images || embeds):
		return errors.New("IP-Adapter images or embeddings were given but no IP-Adapter is loaded (LoadIPAdapter first)")
	case n == 0 && (r.IPAdapterMasks != nil || r.IPAdapterWindows != nil):
		return errors.New("IP-Adapter masks or windows were given but no IP-Adapter is loaded (LoadIPAdapter first)")
	case n == 0:
		return nil
	case !images && !embeds:
		return fmt.Errorf("%d IP-Adapter(s) are loaded, so every generation needs reference images (IPAdapterImages) or their embeddings (IPAdapterImageEmbeds); call UnloadIPAdapter to generate without", n)
	case images && len(r.IPAdapterImages) != n:
		return fmt.Errorf("`ip_adapter_image` must have same length as the number of IP Adapters. Got %d images and %d IP Adapters", len(r.IPAdapterImages), n)
	case embeds && len(r.IPAdapterImageEmbeds) != n:
		return fmt.Errorf("`ip_adapter_image_embeds` must have same length as the number of IP Adapters. Got %d embeddings and %d IP Adapters", len(r.IPAdapterImageEmbeds), n)
	case r.IPAdapterMasks != nil && len(r.IPAdapterMasks) != n:
		return fmt.Errorf("Length of ip_adapter_masks array (%d) must match length of self.scale array (%d) and number of ip_hidden_states (%d)", len(r.IPAdapterMasks), n, n)
	case r.IPAdapterWindows != nil && len(r.IPAdapterWindows) != n:
		return fmt.Errorf("%d IP-Adapter windows for %d adapters: give one per adapter", len(r.IPAdapterWindows), n)
	}
	for a, list := range r.IPAdapterImages {
		if len(list) == 0 {
			return fmt.Errorf("IP-Adapter %d: no reference image given", a)
		}
		for i, img := range list {
			if img == nil {
				return fmt.Errorf("IP-Adapter %d: reference image %d is nil", a, i)
			}
		}
	}
	for a, e := range r.IPAdapterImageEmbeds {
		switch {
		case e == nil:
			return fmt.Errorf("IP-Adapter %d: the image embeddings are nil", a)
		case pl.cfg && e.Negative == nil:
			return fmt.Errorf("IP-Adapter %d: the image embeddings have no negative half, which classifier-free guidance needs (with diffusers' ip_adapter_image_embeds: [negative; positive] on axis 0)", a)
		}
	}
	pl.windows = make([]adapter.Window, n)
	for a := range pl.windows {
		pl.windows[a] = adapter.Always
		if r.IPAdapterWindows != nil && r.IPAdapterWindows[a] != (adapter.Window{}) {
			pl.windows[a] = r.IPAdapterWindows[a]
		}
		if err := pl.windows[a].Validate(); err != nil {
			return fmt.Errorf("IP-Adapter %d: %w", a, err)
		}
	}
	return nil
}

// timeIDs builds SDXL's micro-conditioning: [original_size,
// crops_coords_top_left, target_size], each (height, width) or (top,
// left). The negative ids differ only when both negative sizes are given.
func (pl *plan) timeIDs() {
	r := pl.req
	size := func(v [2]int) [2]int {
		if v == ([2]int{}) {
			return [2]int{pl.height, pl.width}
		}
		return v
	}
	ids := func(orig, crop, target [2]int) [6]float32 {
		return [6]float32{float32(orig[0]), float32(orig[1]), float32(crop[0]), float32(crop[1]), float32(target[0]), float32(target[1])}
	}
	pl.addTimeIDs = ids(size(r.OriginalSize), r.CropsCoordsTopLeft, size(r.TargetSize))
	pl.negTimeIDs = pl.addTimeIDs
	if r.NegativeOriginalSize != ([2]int{}) && r.NegativeTargetSize != ([2]int{}) {
		pl.negTimeIDs = ids(r.NegativeOriginalSize, r.NegativeCropsCoordsTopLeft, r.NegativeTargetSize)
	}
}
