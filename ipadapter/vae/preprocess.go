package vae

import (
	"fmt"
	"image"
	"image/color"

	"github.com/gomlx/gomlx/core/tensors"
)

// Preprocess converts images that already have the target size into the
// encoder's input [B, 3, H, W] float32 in [−1, 1], as diffusers'
// VaeImageProcessor.preprocess does after its resize: RGB values /255 in
// float32, then 2x−1. Alpha is dropped (PIL's convert("RGB")) and gray
// images give R = G = B. All images must have the same size, a multiple of
// scaleFactor (Config.ScaleFactor(); resizing is the caller's job).
func Preprocess(imgs []image.Image, scaleFactor int) (*tensors.Tensor, error) {
	if len(imgs) == 0 {
		return nil, fmt.Errorf("vae: preprocess: no images")
	}
	if scaleFactor <= 0 {
		return nil, fmt.Errorf("vae: preprocess: scale factor %d must be positive", scaleFactor)
	}
	bounds := imgs[0].Bounds()
	h, w := bounds.Dy(), bounds.Dx()
	if h == 0 || w == 0 || h%scaleFactor != 0 || w%scaleFactor != 0 {
		return nil, fmt.Errorf("vae: preprocess: image is %d×%d (H×W); both must be positive multiples of %d (resize it first)", h, w, scaleFactor)
	}
	data := make([]float32, len(imgs)*3*h*w)
	for n, img := range imgs {
		if img == nil {
			return nil, fmt.Errorf("vae: preprocess: image %d is nil", n)
		}
		bn := img.Bounds()
		if bn.Dx() != w || bn.Dy() != h {
			return nil, fmt.Errorf("vae: preprocess: image %d is %d×%d, image 0 is %d×%d (H×W)", n, bn.Dy(), bn.Dx(), h, w)
		}
		plane := data[n*3*h*w:]
		for y := range h {
			for x := range w {
				p := color.NRGBAModel.Convert(img.At(bn.Min.X+x, bn.Min.Y+y)).(color.NRGBA)
				for ch, v := range [3]uint8{p.R, p.G, p.B} {
					plane[(ch*h+y)*w+x] = normalize(float32(v) / 255)
				}
			}
		}
	}
	return tensors.FromFlatDataAndDimensions(data, len(imgs), 3, h, w), nil
}

// Normalize maps pixel values in [0, 1] to the VAE's [−1, 1] (2x−1,
// VaeImageProcessor.normalize), for image tensors made elsewhere.
func Normalize(x []float32) []float32 {
	out := make([]float32, len(x))
	for i, v := range x {
		out[i] = normalize(v)
	}
	return out
}

func normalize(v float32) float32 { return float32(2*v) - 1 }
