package imageops

import (
	"fmt"
	"image"
	"math"
)

// MaskPreprocess is diffusers' IPAdapterMaskProcessor().preprocess(masks,
// height, width) for images: resize to (width, height) rounded down to a
// multiple of 8 with Pillow's lanczos (in the mask's own mode), convert to
// grayscale, scale to [0, 1] and binarise at 0.5. height or width 0 means
// the first mask's own size. It returns one [H', W'] plane per mask.
func MaskPreprocess(masks []image.Image, height, width int) (planes [][]float32, h, w int, err error) {
	if len(masks) == 0 {
		return nil, 0, 0, fmt.Errorf("mask preprocessing: no masks given")
	}
	for i, m := range masks {
		p, err := FromImage(m)
		if err != nil {
			return nil, 0, 0, fmt.Errorf("mask %d: %w", i, err)
		}
		if i == 0 {
			if height <= 0 || width <= 0 {
				height, width = p.H, p.W
			}
			h, w = height-height%8, width-width%8
			if h <= 0 || w <= 0 {
				return nil, 0, 0, fmt.Errorf("mask size %dx%d is smaller than 8 pixels after rounding down to a multiple of 8", width, height)
			}
		}
		if p, err = Resize(p, w, h, Lanczos); err != nil {
			return nil, 0, 0, fmt.Errorf("mask %d: %w", i, err)
		}
		p = ToGray(p)
		plane := make([]float32, w*h)
		for j, v := range p.Pix {
			if float32(v)/255 >= 0.5 {
				plane[j] = 1
			}
		}
		planes = append(planes, plane)
	}
	return planes, h, w, nil
}

// MaskGrid is the token grid diffusers' downsample picks for numQueries
// query tokens and a mask of aspect ratio w/h: rows = int(sqrt(nq/ratio)),
// plus one if that does not divide nq; cols = nq // rows.
func MaskGrid(maskH, maskW, numQueries int) (rows, cols int) {
	ratio := float64(maskW) / float64(maskH)
	rows = int(math.Sqrt(float64(numQueries) / ratio))
	if rows == 0 || numQueries%rows != 0 {
		rows++
	}
	return rows, numQueries / rows
}

// MaskDownsample is IPAdapterMaskProcessor.downsample for one mask plane
// [maskH, maskW]: PyTorch bicubic resize to MaskGrid, flattened row-major,
// zero-padded or truncated to numQueries. mismatch reports that padding or
// truncation happened (diffusers warns that the mask's aspect ratio does not
// match the image's).
func MaskDownsample(mask []float32, maskH, maskW, numQueries int) (out []float32, mismatch bool, err error) {
	if len(mask) != maskH*maskW || maskH <= 0 || maskW <= 0 {
		return nil, false, fmt.Errorf("mask plane has %d values, want %d×%d", len(mask), maskH, maskW)
	}
	if numQueries <= 0 {
		return nil, false, fmt.Errorf("mask downsampling: numQueries must be positive, got %d", numQueries)
	}
	rows, cols := MaskGrid(maskH, maskW, numQueries)
	small := BicubicTorch(mask, maskH, maskW, rows, cols)
	out = make([]float32, numQueries)
	copy(out, small)
	return out, rows*cols != numQueries, nil
}
