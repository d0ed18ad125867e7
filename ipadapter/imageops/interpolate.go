package imageops

import "math"

// BicubicTorch is PyTorch's F.interpolate(x, size=(oh, ow), mode="bicubic",
// align_corners=False) on one float32 plane [h, w]: A = −0.75, source index
// scale·(o+0.5)−0.5 not clamped, taps clamped to the border, no antialias
// and no clamping of the result (a 0/1 mask overshoots near edges, and
// diffusers uses those values as they are). Arithmetic is float32, as
// PyTorch's CPU kernel does it for float tensors.
func BicubicTorch(x []float32, h, w, oh, ow int) []float32 {
	ys, wy := cubicTaps(h, oh)
	xs, wx := cubicTaps(w, ow)
	out := make([]float32, oh*ow)
	for oy := range oh {
		for ox := range ow {
			var acc float32
			for i := range 4 {
				var row float32
				for j := range 4 {
					row += wx[ox][j] * x[ys[oy][i]*w+xs[ox][j]]
				}
				acc += wy[oy][i] * row
			}
			out[oy*ow+ox] = acc
		}
	}
	return out
}

// cubicTaps returns, per output index, the 4 clamped source indices and
// their weights.
func cubicTaps(in, out int) ([][4]int, [][4]float32) {
	const a = float32(-0.75)
	c1 := func(x float32) float32 { return ((a+2)*x-(a+3))*x*x + 1 }
	c2 := func(x float32) float32 { return ((a*x-5*a)*x+8*a)*x - 4*a }
	scale := float32(in) / float32(out)
	idx := make([][4]int, out)
	wts := make([][4]float32, out)
	for o := range out {
		real := scale*(float32(o)+0.5) - 0.5
		i0 := min(int(math.Floor(float64(real))), in-1)
		t := min(max(real-float32(i0), 0), 1)
		for k := range 4 {
			idx[o][k] = min(max(i0-1+k, 0), in-1)
		}
		wts[o] = [4]float32{c2(t + 1), c1(t), c1(1 - t), c2(2 - t)}
	}
	return idx, wts
}
