package ipadapter

import (
	"context"
	"image"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/adapter"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/imageops"
)

// LoadImage reads an image from a file or an http(s) URL, like diffusers'
// load_image.
func LoadImage(ctx context.Context, pathOrURL string) (image.Image, error) {
	return imageops.LoadImage(ctx, pathOrURL)
}

// PreprocessMasks prepares one adapter's masks, one per reference image,
// as diffusers' IPAdapterMaskProcessor().preprocess(masks, height=height,
// width=width) followed by the reshape to [1, N, H, W]: Lanczos resize,
// grayscale, binarised at 0.5. Pass the generated image's height and
// width; 0 keeps the first mask's own size (rounded down to a multiple of
// 8), and a mask whose aspect ratio differs from the image's is applied
// misaligned, as in diffusers (Result.Warnings says so).
func PreprocessMasks(masks []image.Image, height, width int) (*adapter.Mask, error) {
	planes, h, w, err := imageops.MaskPreprocess(masks, height, width)
	if err != nil {
		return nil, err
	}
	return adapter.NewMask(planes, h, w)
}
