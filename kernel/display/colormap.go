package display

import (
	"image"
	"image/color"
	"math"
)

// inferno is matplotlib's "inferno" colour map at 9 stops: perceptually
// uniform and readable in grey, from black (no attention) to pale yellow.
var inferno = [...][3]float64{
	{0, 0, 4}, {31, 12, 72}, {85, 15, 109}, {136, 34, 106}, {186, 54, 85},
	{227, 89, 51}, {249, 140, 10}, {249, 201, 50}, {252, 255, 164},
}

// Colormap maps v in [0, 1] (clamped) to a colour of the inferno map.
func Colormap(v float64) color.RGBA {
	if math.IsNaN(v) || v < 0 {
		v = 0
	}
	v = min(v, 1)
	x := v * float64(len(inferno)-1)
	i := min(int(x), len(inferno)-2)
	f := x - float64(i)
	var c [3]uint8
	for k := range 3 {
		c[k] = uint8(math.Round(inferno[i][k]*(1-f) + inferno[i+1][k]*f))
	}
	return color.RGBA{c[0], c[1], c[2], 255}
}

// HeatMap colours a row-major w×h map, v/vmax through Colormap; vmax ≤ 0
// means the map's own maximum.
func HeatMap(values []float32, w, h int, vmax float32) *image.RGBA {
	if vmax <= 0 {
		vmax = maxOf(values)
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			v := 0.0
			if vmax > 0 {
				v = float64(values[y*w+x] / vmax)
			}
			img.SetRGBA(x, y, Colormap(v))
		}
	}
	return img
}

// Resize resamples a row-major w×h map to W×H bilinearly, with pixel
// centres aligned (as image resizers do), so a coarse attention map lines
// up with the image it was computed for.
func Resize(values []float32, w, h, W, H int) []float32 {
	out := make([]float32, W*H)
	sample := func(pos float64, n int) (int, int, float64) {
		p := max(pos, 0)
		i0 := min(int(p), n-1)
		i1 := min(i0+1, n-1)
		return i0, i1, p - float64(i0)
	}
	for y := range H {
		y0, y1, fy := sample((float64(y)+0.5)*float64(h)/float64(H)-0.5, h)
		for x := range W {
			x0, x1, fx := sample((float64(x)+0.5)*float64(w)/float64(W)-0.5, w)
			top := float64(values[y0*w+x0])*(1-fx) + float64(values[y0*w+x1])*fx
			bot := float64(values[y1*w+x0])*(1-fx) + float64(values[y1*w+x1])*fx
			out[y*W+x] = float32(top*(1-fy) + bot*fy)
		}
	}
	return out
}

// Overlay blends a heat-map over base: the map is resized to base's size
// and normalised by vmax (≤ 0: its maximum); each pixel takes
// alpha·v of the colour, so where there is no attention the image shows.
func Overlay(base image.Image, values []float32, w, h int, vmax float32, alpha float64) *image.RGBA {
	b := base.Bounds()
	W, H := b.Dx(), b.Dy()
	up := Resize(values, w, h, W, H)
	if vmax <= 0 {
		vmax = maxOf(up)
	}
	out := image.NewRGBA(image.Rect(0, 0, W, H))
	for y := range H {
		for x := range W {
			r, g, bl, _ := base.At(b.Min.X+x, b.Min.Y+y).RGBA()
			v := 0.0
			if vmax > 0 {
				v = min(max(float64(up[y*W+x]/vmax), 0), 1)
			}
			c := Colormap(v)
			a := alpha * v
			mix := func(base uint32, heat uint8) uint8 {
				return uint8(math.Round(float64(base>>8)*(1-a) + float64(heat)*a))
			}
			out.SetRGBA(x, y, color.RGBA{mix(r, c.R), mix(g, c.G), mix(bl, c.B), 255})
		}
	}
	return out
}

func maxOf(v []float32) float32 {
	m := float32(0)
	for _, x := range v {
		m = max(m, x)
	}
	return m
}
