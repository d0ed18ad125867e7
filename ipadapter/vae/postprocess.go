package vae

import (
	"fmt"
	"image"
	"math"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/dtypes/bfloat16"
	"github.com/gomlx/compute/dtypes/float16"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/internal/hostfloat"
)

// ImageArray is VaeImageProcessor.postprocess(output_type="np"): float32
// values in [0, 1], laid out NHWC as Shape [B, H, W, C].
type ImageArray struct {
	Data  []float32
	Shape [4]int
}

// Postprocess turns the decoder's output [B, C, H, W] into an ImageArray:
// (x/2 + 0.5).clamp(0, 1), then NHWC float32. The arithmetic is done in the
// tensor's dtype as PyTorch does (a float16 output is rounded to float16
// after each operation) and converted to float32 at the end.
func Postprocess(decoded *tensors.Tensor) (*ImageArray, error) {
	if decoded == nil {
		return nil, fmt.Errorf("vae: postprocess: no tensor")
	}
	s := decoded.Shape()
	if s.Rank() != 4 || s.Size() == 0 {
		return nil, fmt.Errorf("vae: postprocess needs a non-empty [B, C, H, W] tensor, got %s", s)
	}
	var round func(float32) float32
	switch s.DType {
	case dtypes.Float32:
		round = func(v float32) float32 { return v }
	case dtypes.Float16:
		round = func(v float32) float32 { return float16.FromFloat32(v).Float32() }
	case dtypes.BFloat16:
		round = func(v float32) float32 { return bfloat16.FromFloat32(v).Float32() }
	default:
		return nil, fmt.Errorf("vae: postprocess: unsupported dtype %s", s.DType)
	}
	vals, err := hostfloat.Floats(decoded)
	if err != nil {
		return nil, fmt.Errorf("vae: postprocess: %w", err)
	}
	b, c, h, w := s.Dimensions[0], s.Dimensions[1], s.Dimensions[2], s.Dimensions[3]
	out := &ImageArray{Data: make([]float32, len(vals)), Shape: [4]int{b, h, w, c}}
	for n := range b {
		for ch := range c {
			src := vals[(n*c+ch)*h*w:]
			for y := range h {
				for x := range w {
					out.Data[((n*h+y)*w+x)*c+ch] = denormalize(src[y*w+x], round)
				}
			}
		}
	}
	return out, nil
}

// denormalize is (v/2 + 0.5).clamp(0, 1) with round applied after each
// operation (the tensor dtype's rounding). NaN stays NaN, as in torch.
func denormalize(v float32, round func(float32) float32) float32 {
	y := round(round(v*0.5) + 0.5)
	switch {
	case y < 0:
		return 0
	case y > 1:
		return 1
	}
	return y
}

// ToUint8 is numpy_to_pil's (v·255).round().astype("uint8") for v in
// [0, 1]: a float32 product rounded half to even (NumPy's round). Values
// outside [0, 1] saturate and NaN gives 0, where NumPy's cast is undefined.
func ToUint8(v float32) uint8 {
	r := math.RoundToEven(float64(float32(v * 255)))
	switch {
	case r >= 255:
		return 255
	case r > 0:
		return uint8(r)
	}
	return 0 // also NaN
}

// Images converts the array to Go images as output_type="pil" does: one
// per batch element, *image.NRGBA (opaque) for 3 channels, *image.Gray
// for 1.
func (a *ImageArray) Images() ([]image.Image, error) {
	b, h, w, c := a.Shape[0], a.Shape[1], a.Shape[2], a.Shape[3]
	if len(a.Data) != b*h*w*c {
		return nil, fmt.Errorf("vae: image array has %d values for shape %v", len(a.Data), a.Shape)
	}
	if c != 3 && c != 1 {
		return nil, fmt.Errorf("vae: %d-channel images cannot be converted (RGB or grayscale only)", c)
	}
	out := make([]image.Image, b)
	for n := range b {
		px := a.Data[n*h*w*c : (n+1)*h*w*c]
		if c == 1 {
			img := image.NewGray(image.Rect(0, 0, w, h))
			for i, v := range px {
				img.Pix[i] = ToUint8(v)
			}
			out[n] = img
			continue
		}
		img := image.NewNRGBA(image.Rect(0, 0, w, h))
		for i := range h * w {
			img.Pix[4*i] = ToUint8(px[3*i])
			img.Pix[4*i+1] = ToUint8(px[3*i+1])
			img.Pix[4*i+2] = ToUint8(px[3*i+2])
			img.Pix[4*i+3] = 255
		}
		out[n] = img
	}
	return out, nil
}
