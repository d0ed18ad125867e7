package adapter

import (
	"errors"
	"fmt"

	"github.com/gomlx/gomlx/core/tensors"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/internal/hostfloat"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/unet"
)

// Request is what one generation asks of the adapters.
type Request struct {
	// Embeds holds one entry per adapter: from Encode/EncodeImages,
	// EmbedsFromTensor (diffusers' ip_adapter_image_embeds) or LoadEmbeds.
	Embeds []*ImageEmbeds
	// Batch is the number of images generated at once: batch_size ·
	// num_images_per_prompt. Every one is conditioned on the same images.
	Batch int
	// CFG is classifier-free guidance: the UNet batch is [unconditional;
	// conditional], 2·Batch rows.
	CFG bool
	// Masks (optional) holds one entry per adapter, nil for an unmasked
	// one. They need the latent size.
	Masks                     []*Mask
	LatentHeight, LatentWidth int
}

// Conditioning is a request made ready for the denoising loop: image tokens
// projected once, masks downsampled once, scales expanded once. Inputs
// hands the UNet its IP inputs for each step; only the scales can change
// between steps (windows), and they are graph inputs, so nothing
// recompiles.
type Conditioning struct {
	tokens  []*tensors.Tensor
	masks   []DownsampledMasks
	tables  []ScaleTable
	windows []Window
	// Warnings are diffusers' warnings for this request (masks whose aspect
	// ratio does not fit the latents), for the caller to show.
	Warnings []string
}

// Prepare checks a request against the loaded adapters and computes what
// does not change across steps. It takes the scales and windows set at
// this point; set them again and call Prepare again to change them.
func (ad *Adapters) Prepare(r Request) (*Conditioning, error) {
	n := len(ad.files)
	if len(r.Embeds) != n {
		return nil, fmt.Errorf("image_embeds must have the same length as image_projection_layers, got %d and %d: give one ImageEmbeds per loaded IP-Adapter (they must be passed at every step while adapters are loaded)", len(r.Embeds), n)
	}
	if r.Batch <= 0 {
		return nil, fmt.Errorf("IP-Adapter request: batch %d must be positive", r.Batch)
	}
	images := make([]int, n)
	halves := make([]*tensors.Tensor, n)
	for a, e := range r.Embeds {
		f := ad.files[a]
		if e == nil {
			return nil, fmt.Errorf("image embeddings of IP-Adapter %d (%s) are missing", a, f.Name)
		}
		if e.Kind != 0 && e.Kind != f.Kind() {
			return nil, fmt.Errorf("IP-Adapter %d (%s) is a %s adapter but its embeddings were made for a %s one (%s)", a, f.Name, f.Kind(), e.Kind, e.Kind.EncoderOutput())
		}
		if err := e.validate(); err != nil {
			return nil, fmt.Errorf("IP-Adapter %d (%s): %w", a, f.Name, err)
		}
		if err := checkEmbedShape(f.Projection, e.Shape, 1, fmt.Sprintf("the image embeddings of IP-Adapter %d (%s)", a, f.Name)); err != nil {
			return nil, err
		}
		h, err := e.Batch(1, r.CFG) // project the distinct rows only; repeated below
		if err != nil {
			return nil, fmt.Errorf("IP-Adapter %d (%s): %w", a, f.Name, err)
		}
		images[a], halves[a] = e.NumImages(), h
	}
	c := &Conditioning{windows: ad.windows}
	masked := make([]bool, n)
	if r.Masks != nil {
		if r.LatentHeight <= 0 || r.LatentWidth <= 0 {
			return nil, errors.New("IP-Adapter masks need the latent size (Request.LatentHeight, LatentWidth)")
		}
		nq, err := ad.model.UNet().MaskQueryCounts(r.LatentHeight, r.LatentWidth)
		if err != nil {
			return nil, err
		}
		if len(r.Masks) != n {
			return nil, fmt.Errorf("length of ip_adapter_masks array (%d) must match length of self.scale array (%d) and number of ip_hidden_states (%d)", len(r.Masks), len(ad.scales), n)
		}
		if c.masks, c.Warnings, err = DownsampleMasks(r.Masks, images, nq); err != nil {
			return nil, err
		}
		for a := range masked {
			masked[a] = c.masks[a] != nil
		}
	}
	var err error
	if c.tables, err = ExpandScales(ad.model.UNet().CrossAttnLayers(), ad.scales, images, masked); err != nil {
		return nil, err
	}
	projected, err := ad.proj.Project(halves...)
	if err != nil {
		return nil, err
	}
	for _, t := range projected {
		tok, err := repeatHalves(t, r.Batch)
		if err != nil {
			return nil, err
		}
		c.tokens = append(c.tokens, tok)
	}
	return c, nil
}

// repeatHalves turns projected tokens [k, N, T, D] (k = 1, or 2 with CFG:
// negative, positive) into the UNet batch [k·batch, N, T, D] float32, each
// half repeated batch times, as diffusers repeats the embeddings.
func repeatHalves(t *tensors.Tensor, batch int) (*tensors.Tensor, error) {
	vals, err := hostfloat.Floats(t)
	if err != nil {
		return nil, err
	}
	d := t.Shape().Dimensions
	row := len(vals) / d[0]
	out := make([]float32, 0, len(vals)*batch)
	for h := range d[0] {
		for range batch {
			out = append(out, vals[h*row:(h+1)*row]...)
		}
	}
	return tensors.FromFlatDataAndDimensions(out, append([]int{d[0] * batch}, d[1:]...)...), nil
}

// Inputs returns the UNet's IP inputs for step (0-based) of numSteps:
// every adapter's tokens, masks and scales, the scales multiplied by the
// adapter's window (0 outside it).
func (c *Conditioning) Inputs(step, numSteps int) ([]unet.IPInput, error) {
	if numSteps <= 0 || step < 0 || step >= numSteps {
		return nil, fmt.Errorf("IP-Adapter inputs: step %d of %d is out of range", step, numSteps)
	}
	in := make([]unet.IPInput, len(c.tokens))
	for a := range in {
		t := c.tables[a].scaled(c.windows[a].Multiplier(step, numSteps))
		in[a] = unet.IPInput{
			Adapter: a,
			Tokens:  c.tokens[a],
			Scales:  tensors.FromFlatDataAndDimensions(t.Values, t.Rows, t.Cols),
		}
		if c.masks != nil && c.masks[a] != nil {
			in[a].Masks = c.masks[a]
		}
	}
	return in, nil
}

// Tokens returns adapter a's image tokens, [UNet batch, N, T, CrossDim].
func (c *Conditioning) Tokens(a int) *tensors.Tensor { return c.tokens[a] }

// Scales returns adapter a's scale table before windows.
func (c *Conditioning) Scales(a int) ScaleTable { return c.tables[a] }
