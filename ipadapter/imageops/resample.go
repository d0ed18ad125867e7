package imageops

import (
	"fmt"
	"math"
)

// Filter is a Pillow resampling filter.
type Filter int

// The filters Pillow's Image.resize offers (Pillow's numbering).
const (
	Nearest  Filter = 0
	Lanczos  Filter = 1
	Bilinear Filter = 2
	Bicubic  Filter = 3
)

func (f Filter) String() string {
	switch f {
	case Nearest:
		return "nearest"
	case Lanczos:
		return "lanczos"
	case Bilinear:
		return "bilinear"
	case Bicubic:
		return "bicubic"
	}
	return fmt.Sprintf("Filter(%d)", int(f))
}

// ParseFilter accepts diffusers' resample names ("lanczos", "bicubic", …).
func ParseFilter(name string) (Filter, error) {
	switch name {
	case "nearest":
		return Nearest, nil
	case "lanczos":
		return Lanczos, nil
	case "bilinear":
		return Bilinear, nil
	case "bicubic":
		return Bicubic, nil
	}
	return 0, fmt.Errorf("unknown resample filter %q (nearest, bilinear, bicubic or lanczos)", name)
}

// kernel returns the filter function and its support, as Pillow defines them.
func (f Filter) kernel() (func(float64) float64, float64) {
	switch f {
	case Lanczos:
		return lanczos, 3
	case Bilinear:
		return triangle, 1
	default:
		return bicubic, 2
	}
}

func bicubic(x float64) float64 {
	const a = -0.5
	x = math.Abs(x)
	if x < 1 {
		return ((a+2)*x-(a+3))*x*x + 1
	}
	if x < 2 {
		return (((x-5)*x+8)*x - 4) * a
	}
	return 0
}

func sinc(x float64) float64 {
	if x == 0 {
		return 1
	}
	x *= math.Pi
	return math.Sin(x) / x
}

func lanczos(x float64) float64 {
	if -3 <= x && x < 3 {
		return sinc(x) * sinc(x/3)
	}
	return 0
}

func triangle(x float64) float64 {
	x = math.Abs(x)
	if x < 1 {
		return 1 - x
	}
	return 0
}

const precisionBits = 22

// coeffs are one axis's fixed-point filter taps: output o reads inputs
// [bounds[o].min, bounds[o].min+len(taps[o])).
type coeffs struct {
	min  []int
	taps [][]int32
}

// precompute is Pillow's precompute_coeffs + normalize_coeffs_8bpc.
func precompute(inSize, outSize int, f Filter) coeffs {
	filter, fsupport := f.kernel()
	scale := float64(inSize) / float64(outSize)
	filterscale := max(scale, 1)
	support := fsupport * filterscale
	c := coeffs{min: make([]int, outSize), taps: make([][]int32, outSize)}
	w := make([]float64, 0, int(math.Ceil(support))*2+1)
	for o := range outSize {
		center := (float64(o) + 0.5) * scale
		ss := 1 / filterscale
		xmin := max(int(center-support+0.5), 0)
		xmax := min(int(center+support+0.5), inSize) - xmin
		w = w[:0]
		var sum float64
		for x := range xmax {
			v := filter((float64(x+xmin) - center + 0.5) * ss)
			w = append(w, v)
			sum += v
		}
		taps := make([]int32, xmax)
		for x := range w {
			v := w[x]
			if sum != 0 {
				v /= sum
			}
			if v < 0 {
				taps[x] = int32(-0.5 + v*(1<<precisionBits))
			} else {
				taps[x] = int32(0.5 + v*(1<<precisionBits))
			}
		}
		c.min[o], c.taps[o] = xmin, taps
	}
	return c
}

func clip8(acc int32) uint8 {
	if acc >= 1<<precisionBits<<8 {
		return 255
	}
	if acc <= 0 {
		return 0
	}
	return uint8(acc >> precisionBits)
}

// Resize is Pillow's Image.resize((w, h), filter) for 8-bit images. RGBA
// images are resized in premultiplied form and converted back, as Pillow
// does. Nearest uses Pillow's nearest-neighbour mapping.
func Resize(p *Pixels, w, h int, f Filter) (*Pixels, error) {
	if w <= 0 || h <= 0 {
		return nil, fmt.Errorf("resize to %dx%d: sizes must be positive", w, h)
	}
	if p.W <= 0 || p.H <= 0 {
		return nil, fmt.Errorf("resize of an empty %dx%d image", p.W, p.H)
	}
	if f == Nearest {
		return resizeNearest(p, w, h), nil
	}
	if p.Channels == 4 {
		return unpremultiply(resample(premultiply(p), w, h, f)), nil
	}
	return resample(p, w, h, f), nil
}

// resample is Pillow's ImagingResampleInner for 8-bit data: a horizontal
// pass (if the width changes) over just the rows the vertical pass will
// read, into an 8-bit temporary image, then a vertical pass (if the height
// changes). Each channel is filtered independently.
func resample(p *Pixels, w, h int, f Filter) *Pixels {
	ch := p.Channels
	src := p
	vert := precompute(p.H, h, f)
	if w != p.W {
		first := vert.min[0]
		last := vert.min[h-1] + len(vert.taps[h-1])
		horiz := precompute(p.W, w, f)
		tmp := NewPixels(w, last-first, ch)
		for y := range last - first {
			row := p.Pix[(y+first)*p.W*ch:]
			out := tmp.Pix[y*w*ch:]
			for x := range w {
				xmin, taps := horiz.min[x], horiz.taps[x]
				for c := range ch {
					acc := int32(1 << (precisionBits - 1))
					for k, kk := range taps {
						acc += int32(row[(xmin+k)*ch+c]) * kk
					}
					out[x*ch+c] = clip8(acc)
				}
			}
		}
		src = tmp
		for i := range vert.min {
			vert.min[i] -= first
		}
	}
	if h != p.H {
		out := NewPixels(src.W, h, ch)
		for y := range h {
			ymin, taps := vert.min[y], vert.taps[y]
			for x := range src.W {
				for c := range ch {
					acc := int32(1 << (precisionBits - 1))
					for k, kk := range taps {
						acc += int32(src.Pix[((ymin+k)*src.W+x)*ch+c]) * kk
					}
					out.Pix[(y*src.W+x)*ch+c] = clip8(acc)
				}
			}
		}
		src = out
	}
	if src == p { // same size: Pillow returns a copy
		src = NewPixels(p.W, p.H, ch)
		copy(src.Pix, p.Pix)
	}
	return src
}

// resizeNearest is Pillow's nearest-neighbour resize: source index
// floor((o + 0.5) · in / out).
func resizeNearest(p *Pixels, w, h int) *Pixels {
	out := NewPixels(w, h, p.Channels)
	for y := range h {
		sy := min(int((float64(y)+0.5)*float64(p.H)/float64(h)), p.H-1)
		for x := range w {
			sx := min(int((float64(x)+0.5)*float64(p.W)/float64(w)), p.W-1)
			copy(out.Pix[(y*w+x)*p.Channels:(y*w+x+1)*p.Channels], p.Pix[(sy*p.W+sx)*p.Channels:])
		}
	}
	return out
}
