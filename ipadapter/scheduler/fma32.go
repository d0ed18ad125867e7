package scheduler

import "math"

// fma32 is a·b + c with a single rounding to float32 (what an FMA
// instruction computes; see torchrand for the same helper and why the
// float64 FMA needs the midpoint fix-up).
func fma32(a, b, c float32) float32 {
	s := math.FMA(float64(a), float64(b), float64(c))
	if math.Float64bits(s)&(1<<29-1) == 1<<28 { // exactly halfway between two float32
		p := float64(a) * float64(b)
		bb := s - p
		e := (p - (s - bb)) + (float64(c) - bb)
		if e != 0 {
			s = math.Nextafter(s, s+e)
		}
	}
	return float32(s)
}
