package ipadapter

import (
	"fmt"
	"image"
	"image/color"
	"time"
)

// Progress reports a generation's advance to Request.Progress: once before
// the first step (Step 0, the initial noise) and after every step. The
// arrays are the pipeline's own values, never modified afterwards: read
// them, keep them, but do not write to them.
type Progress struct {
	// Step is the number of steps done, of Total.
	Step, Total int
	// Timestep is the scheduler timestep of the step just done (0 at Step 0).
	Timestep float64
	// Elapsed is the time since Generate was called; ETA estimates the time
	// left to the end of the last step from the mean step time so far (0
	// at Step 0), not counting the decoding that follows.
	Elapsed, ETA time.Duration
	// Latents are the current latents [B, 4, h, w] in the UNet's space.
	Latents *Array
	// UNetInput is the step's scaled UNet input ([2B, 4, h, w] with
	// classifier-free guidance, negative half first) and NoisePred its raw
	// output, before guidance. Both are nil at Step 0.
	UNetInput, NoisePred *Array
	// Attention holds the step's attention maps when Request.AttentionMaps
	// asked for this step, else nil.
	Attention *StepAttention

	// denoised is the scheduler's prediction of the final latents (x₀),
	// nil when the scheduler gives none.
	denoised []float32
}

// SDXL's latent → RGB linear approximation (the coefficients ComfyUI and
// others use for live previews of SDXL latents): rgb = latentᵀ·M + bias,
// then mapped from [−1, 1] to [0, 1]. It costs a few operations per latent
// pixel instead of a VAE decode, at 1/8 of the image resolution; the
// colours and layout are right, the detail is not.
var (
	sdxlLatentRGB = [4][3]float32{
		{0.3651, 0.4232, 0.4341},
		{-0.2533, -0.0042, 0.1068},
		{0.1076, 0.1111, -0.0362},
		{-0.3165, -0.2492, -0.2188},
	}
	sdxlLatentRGBBias = [3]float32{0.1084, -0.0175, -0.0011}
)

// Preview returns a cheap picture of image i of the batch at this point:
// the SDXL latent → RGB linear approximation of the scheduler's predicted
// final latents (x₀, which looks like the final image early on) or, for
// schedulers that do not predict it, of the current latents. The picture
// has the latent resolution (1/8 of the image's).
func (p Progress) Preview(i int) (image.Image, error) {
	if p.Latents == nil || len(p.Latents.Shape) != 4 || p.Latents.Shape[1] != 4 {
		return nil, fmt.Errorf("preview: no 4-channel latents to show")
	}
	b, h, w := p.Latents.Shape[0], p.Latents.Shape[2], p.Latents.Shape[3]
	if i < 0 || i >= b {
		return nil, fmt.Errorf("preview: image %d of a batch of %d", i, b)
	}
	data := p.Latents.Data
	if p.denoised != nil {
		data = p.denoised
	}
	return latentPreview(data[i*4*h*w:(i+1)*4*h*w], h, w), nil
}

// latentPreview maps one latent [4, h, w] to an RGB image h×w.
func latentPreview(lat []float32, h, w int) image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	plane := h * w
	for y := range h {
		for x := range w {
			var rgb [3]float32
			for c := range 3 {
				v := sdxlLatentRGBBias[c]
				for k := range 4 {
					v += lat[k*plane+y*w+x] * sdxlLatentRGB[k][c]
				}
				rgb[c] = v
			}
			img.SetNRGBA(x, y, color.NRGBA{R: unitToByte(rgb[0]), G: unitToByte(rgb[1]), B: unitToByte(rgb[2]), A: 255})
		}
	}
	return img
}

// unitToByte maps [−1, 1] to [0, 255], clamping.
func unitToByte(v float32) uint8 {
	v = (v + 1) / 2
	switch {
	case !(v > 0): // NaN too
		return 0
	case v >= 1:
		return 255
	}
	return uint8(v*255 + 0.5)
}

// progressClock computes Elapsed and ETA.
type progressClock struct {
	start, loopStart time.Time
}

func (c progressClock) times(done, total int) (elapsed, eta time.Duration) {
	now := time.Now()
	elapsed = now.Sub(c.start)
	if done > 0 {
		perStep := now.Sub(c.loopStart) / time.Duration(done)
		eta = perStep * time.Duration(total-done)
	}
	return elapsed, eta
}
