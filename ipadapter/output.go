package ipadapter

import (
	"fmt"
	"image"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/vae"
)

// Result is what Generate returns: the images in the form the request's
// OutputType asked for, and everything needed to make them again.
type Result struct {
	// Images are the generated images (OutputImages), prompt-major: all
	// images of the first prompt, then the second's, …
	Images []image.Image
	// NP is the decoded array [B, H, W, 3] in [0, 1] (OutputNP).
	NP *Array
	// Latents are the final latents [B, 4, H/8, W/8] in the UNet's space
	// (OutputLatents).
	Latents *Array
	// Metadata describes the run: models and their hashes, seed, every
	// setting. SavePNG writes it into the files.
	Metadata Metadata
	// Attention are the attention maps Request.AttentionMaps asked for, one
	// entry per captured step, in step order (nil when none was asked for).
	Attention []*StepAttention
	// Warnings are what diffusers would log: truncated prompts, masks whose
	// aspect ratio does not fit the image, files that could not be hashed.
	Warnings []string
}

// output decodes the final latents as the request's output type asks:
// latents as they are, or latents / scaling_factor through the VAE
// (float32 when force_upcast) and VaeImageProcessor.postprocess.
func (g *generation) output(latents []float32) (*Result, error) {
	res := &Result{}
	if g.pl.output == OutputLatents {
		res.Latents = newArray(latents, g.shape...)
		return res, nil
	}
	decoded, err := g.p.vae.DecodeLatents(tensorOf(latents, g.shape...))
	if err != nil {
		return nil, fmt.Errorf("decoding: %w", err)
	}
	arr, err := vae.Postprocess(decoded)
	if err != nil {
		return nil, fmt.Errorf("decoding: %w", err)
	}
	if g.pl.output == OutputNP {
		res.NP = newArray(arr.Data, arr.Shape[:]...)
		return res, nil
	}
	if res.Images, err = arr.Images(); err != nil {
		return nil, fmt.Errorf("decoding: %w", err)
	}
	return res, nil
}
