package torchrand

import "math"

// normalDouble is at::normal_distribution<double> as PyTorch 1.x–2.x CPU
// runs it: a Box–Muller pair from two float64 uniforms, returning the
// cosine half and caching the sine half in the generator for the next call.
// torch uses it element by element for every randn with fewer than 16
// elements (float32 and float64 alike), so an odd-sized small call leaves a
// cached value that the next small call returns first.
//
// PyTorch 1.x computes r = sqrt(−2·log(1 − u2)), 2.x sqrt(−2·log1p(−u2)).
// u2 is a multiple of 2^-53 below 1, so 1 − u2 is exact and, with
// correctly rounded functions, both give the same bits.
func (g *Generator) normalDouble() float64 {
	if g.hasNextDouble {
		g.hasNextDouble = false
		return g.nextDouble
	}
	u1 := g.uniform64()
	u2 := g.uniform64()
	r := math.Sqrt(-2 * preciseLog(1-u2))
	theta := 2 * math.Pi * u1
	s, c := preciseSincos(theta)
	g.nextDouble = r * s
	g.hasNextDouble = true
	return r * c
}

// randnSmall fills out with the per-element double path (torch's
// cpu_serial_kernel with normal_distribution<double>): each value is
// computed in float64 as x·std + mean (std 1, mean 0) and then rounded.
func (g *Generator) randnSmall32(out []float32) {
	for i := range out {
		out[i] = float32(g.normalDouble() + 0)
	}
}

func (g *Generator) randnSmall64(out []float64) {
	for i := range out {
		out[i] = g.normalDouble() + 0
	}
}
