package display

import (
	"image"
	"image/color"
	"math"
	"strconv"
)

// MaskColors tint the masks of successive reference images.
var MaskColors = []color.RGBA{{230, 60, 60, 255}, {50, 120, 230, 255}, {40, 170, 80, 255}, {230, 170, 30, 255}}

// MaskOverlay tints base where mask is white (≥ 50 % grey, the threshold
// diffusers binarises masks at) and darkens it elsewhere, showing the
// region a masked reference image conditions. The mask is stretched over
// base, as the pipeline stretches it over the generated image; base may
// be the generated image, the reference, or a blank canvas.
func MaskOverlay(base, mask image.Image, tint color.RGBA) *image.RGBA {
	b, mb := base.Bounds(), mask.Bounds()
	W, H := b.Dx(), b.Dy()
	out := image.NewRGBA(image.Rect(0, 0, W, H))
	for y := range H {
		my := mb.Min.Y + min(y*mb.Dy()/H, mb.Dy()-1)
		for x := range W {
			mx := mb.Min.X + min(x*mb.Dx()/W, mb.Dx()-1)
			gray := color.GrayModel.Convert(mask.At(mx, my)).(color.Gray)
			r, g, bl, _ := base.At(b.Min.X+x, b.Min.Y+y).RGBA()
			px := [3]float64{float64(r >> 8), float64(g >> 8), float64(bl >> 8)}
			tc := [3]float64{float64(tint.R), float64(tint.G), float64(tint.B)}
			var c [3]uint8
			for k := range 3 {
				v := px[k] * 0.35 // outside the mask: dimmed
				if gray.Y >= 128 {
					v = px[k]*0.5 + tc[k]*0.5
				}
				c[k] = uint8(math.Round(v))
			}
			out.SetRGBA(x, y, color.RGBA{c[0], c[1], c[2], 255})
		}
	}
	return out
}

// Canvas is a plain grey picture of a size, to show masks on before
// anything is generated.
func Canvas(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 200
	}
	return img
}

// ShowMasks shows each reference image next to its mask over base (the
// generated image, or Canvas of its size), tinted in MaskColors.
func ShowMasks(refs, masks []image.Image, base image.Image, width int) error {
	var imgs []image.Image
	var captions []string
	for i, ref := range refs {
		imgs = append(imgs, ref)
		captions = append(captions, "reference "+strconv.Itoa(i))
		if i < len(masks) {
			imgs = append(imgs, MaskOverlay(base, masks[i], MaskColors[i%len(MaskColors)]))
			captions = append(captions, "where reference "+strconv.Itoa(i)+" applies")
		}
	}
	return ShowImages(imgs, captions, width)
}
