package imageops

import (
	"fmt"
	"image"
	"image/color"
)

// Pixels is an 8-bit image as Pillow holds it: Channels values per pixel
// (1 = "L", 3 = "RGB", 4 = "RGBA" with straight, non-premultiplied alpha),
// row-major.
type Pixels struct {
	W, H     int
	Channels int
	Pix      []uint8
}

// NewPixels allocates a zero image.
func NewPixels(w, h, channels int) *Pixels {
	return &Pixels{W: w, H: h, Channels: channels, Pix: make([]uint8, w*h*channels)}
}

// At returns the value of channel c at (x, y).
func (p *Pixels) At(x, y, c int) uint8 { return p.Pix[(y*p.W+x)*p.Channels+c] }

// FromImage converts a decoded image into Pillow's mode for that file: gray
// images become "L", images with an alpha channel (or a palette with
// transparency) "RGBA", everything else "RGB". Go's PNG decoder already
// returns straight alpha (NRGBA) for RGBA files; premultiplied *image.RGBA
// values are un-premultiplied.
func FromImage(img image.Image) (*Pixels, error) {
	if img == nil {
		return nil, fmt.Errorf("image is nil")
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= 0 || h <= 0 {
		return nil, fmt.Errorf("image has size %dx%d: it must be at least 1x1", w, h)
	}
	switch src := img.(type) {
	case *image.Gray:
		p := NewPixels(w, h, 1)
		for y := range h {
			copy(p.Pix[y*w:(y+1)*w], src.Pix[src.PixOffset(b.Min.X, b.Min.Y+y):])
		}
		return p, nil
	case *image.NRGBA:
		if opaque(img) {
			return toRGB(img, w, h, b), nil
		}
		p := NewPixels(w, h, 4)
		for y := range h {
			copy(p.Pix[y*w*4:(y+1)*w*4], src.Pix[src.PixOffset(b.Min.X, b.Min.Y+y):])
		}
		return p, nil
	}
	if opaque(img) {
		if grayModel(img.ColorModel()) {
			p := NewPixels(w, h, 1)
			for y := range h {
				for x := range w {
					p.Pix[y*w+x] = color.GrayModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.Gray).Y
				}
			}
			return p, nil
		}
		return toRGB(img, w, h, b), nil
	}
	p := NewPixels(w, h, 4)
	for y := range h {
		for x := range w {
			c := color.NRGBAModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.NRGBA)
			i := (y*w + x) * 4
			p.Pix[i], p.Pix[i+1], p.Pix[i+2], p.Pix[i+3] = c.R, c.G, c.B, c.A
		}
	}
	return p, nil
}

func grayModel(m color.Model) bool { return m == color.GrayModel || m == color.Gray16Model }

// opaque reports whether every pixel has full alpha (images that say so
// cheaply are trusted).
func opaque(img image.Image) bool {
	if o, ok := img.(interface{ Opaque() bool }); ok {
		return o.Opaque()
	}
	return false
}

func toRGB(img image.Image, w, h int, b image.Rectangle) *Pixels {
	p := NewPixels(w, h, 3)
	for y := range h {
		for x := range w {
			c := color.NRGBAModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.NRGBA)
			i := (y*w + x) * 3
			p.Pix[i], p.Pix[i+1], p.Pix[i+2] = c.R, c.G, c.B
		}
	}
	return p
}

// ToImage returns the pixels as an *image.NRGBA (or *image.Gray for "L").
func (p *Pixels) ToImage() image.Image {
	if p.Channels == 1 {
		g := image.NewGray(image.Rect(0, 0, p.W, p.H))
		copy(g.Pix, p.Pix)
		return g
	}
	out := image.NewNRGBA(image.Rect(0, 0, p.W, p.H))
	for i := range p.W * p.H {
		s := p.Pix[i*p.Channels:]
		d := out.Pix[i*4:]
		d[0], d[1], d[2], d[3] = s[0], s[1], s[2], 255
		if p.Channels == 4 {
			d[3] = s[3]
		}
	}
	return out
}
