package adapter

import (
	"fmt"
	"slices"

	"github.com/gomlx/gomlx/core/tensors"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/imageops"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/internal/hostfloat"
)

// Mask is one adapter's masks, one plane per reference image: the tensor
// [1, N, H, W] diffusers' ip_adapter_masks holds per adapter
// (IPAdapterMaskProcessor().preprocess(masks, height, width) reshaped to
// [1, N, H, W]). Values are used as they are (binarised by preprocessing).
type Mask struct {
	Shape []int
	Data  []float32
}

// NewMask stacks preprocessed mask planes (imageops.MaskPreprocess: N
// planes of h×w) into a [1, N, h, w] Mask.
func NewMask(planes [][]float32, h, w int) (*Mask, error) {
	m := &Mask{Shape: []int{1, len(planes), h, w}}
	for i, p := range planes {
		if len(p) != h*w {
			return nil, fmt.Errorf("mask plane %d has %d values, want %d×%d", i, len(p), h, w)
		}
		m.Data = append(m.Data, p...)
	}
	return m, nil
}

// MaskFromTensor takes a float32 host tensor as a Mask (its shape is
// checked when the masks are used).
func MaskFromTensor(t *tensors.Tensor) (*Mask, error) {
	vals, err := hostfloat.Floats(t)
	if err != nil {
		return nil, fmt.Errorf("IP-Adapter mask: %w", err)
	}
	return &Mask{Shape: slices.Clone(t.Shape().Dimensions), Data: vals}, nil
}

// DownsampledMasks are one adapter's masks resized for every query count
// (latent tokens h·w) of the UNet's attn2 layers: nq → [1, N, nq] float32,
// the unet.IPInput.Masks of that adapter.
type DownsampledMasks map[int]*tensors.Tensor

// DownsampleMasks prepares the masks of a request (masks[a] nil: adapter a
// unmasked) for attn2 layers with the given query counts
// (unet.UNet.MaskQueryCounts of the latent size), with
// IPAdapterMaskProcessor.downsample's bicubic resize, padding and
// truncation. images[a] is adapter a's number of reference images. It
// checks what diffusers checks (one entry per adapter, 4-D [1, N, H, W],
// one mask per image) and returns, instead of printing them, diffusers'
// warnings that a mask's aspect ratio does not fit the latent's.
func DownsampleMasks(masks []*Mask, images []int, queryCounts []int) (out []DownsampledMasks, warnings []string, err error) {
	if len(masks) != len(images) {
		return nil, nil, fmt.Errorf("length of ip_adapter_masks array (%d) must match the number of IP-Adapters (%d): give one entry per adapter, nil for an unmasked one", len(masks), len(images))
	}
	if len(queryCounts) == 0 {
		return nil, nil, fmt.Errorf("IP-Adapter masks: the UNet has no cross-attention layers")
	}
	out = make([]DownsampledMasks, len(masks))
	for a, m := range masks {
		if m == nil {
			continue
		}
		if len(m.Shape) != 4 || m.Shape[0] != 1 || slices.Contains(m.Shape, 0) || len(m.Data) != product(m.Shape) {
			return nil, nil, fmt.Errorf("IP-Adapter %d: each element of the ip_adapter_masks array should be a tensor with shape [1, num_images_for_ip_adapter, height, width], got %v; "+
				"use imageops.MaskPreprocess (IPAdapterMaskProcessor) and NewMask to make it", a, m.Shape)
		}
		n, h, w := m.Shape[1], m.Shape[2], m.Shape[3]
		if n != images[a] {
			return nil, nil, fmt.Errorf("number of masks (%d) does not match number of ip images (%d) at index %d: give one mask per reference image", n, images[a], a)
		}
		ds := DownsampledMasks{}
		for _, nq := range queryCounts {
			data := make([]float32, 0, n*nq)
			mismatch := false
			for i := range n {
				small, mis, err := imageops.MaskDownsample(m.Data[i*h*w:(i+1)*h*w], h, w, nq)
				if err != nil {
					return nil, nil, fmt.Errorf("IP-Adapter %d mask %d: %w", a, i, err)
				}
				mismatch = mismatch || mis
				data = append(data, small...)
			}
			if mismatch {
				rows, cols := imageops.MaskGrid(h, w, nq)
				warnings = append(warnings, fmt.Sprintf("IP-Adapter %d: the masks (%d×%d) do not have the aspect ratio of the latents: for %d query tokens they are resized to %d×%d = %d values and %s, so they do not line up with the image; preprocess the masks with the generated image's height and width",
					a, h, w, nq, rows, cols, rows*cols, map[bool]string{true: "zero-padded", false: "truncated"}[rows*cols < nq]))
			}
			ds[nq] = tensors.FromFlatDataAndDimensions(data, 1, n, nq)
		}
		out[a] = ds
	}
	return out, warnings, nil
}
