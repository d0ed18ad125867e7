// Package fma computes float32 fused multiply-adds on the host: the
// torch-identical noise (torchrand: GCC fuses torch's AVX2 multiply-adds)
// and scheduler arithmetic (torch.linspace's vectorised loop) both need
// a·b + c rounded once, exactly as an FMA instruction rounds it.
package fma

import "math"

// F32 returns a·b + c rounded once to float32, like the vfmadd*ps
// instructions. A float64 FMA computes the sum rounded to float64; rounding
// that again to float32 is a second rounding, which goes wrong only when
// the float64 result lands exactly halfway between two float32 values. In
// that rare case the exact remainder (TwoSum of the exact float64 product
// and c) says which neighbour the single rounding picks.
func F32(a, b, c float32) float32 {
	s := math.FMA(float64(a), float64(b), float64(c))
	if isFloat32Midpoint(s) {
		p := float64(a) * float64(b) // exact: 24+24 bits
		bb := s - p
		e := (p - (s - bb)) + (float64(c) - bb)
		if e != 0 {
			s = math.Nextafter(s, s+e)
		}
	}
	return float32(s)
}

// isFloat32Midpoint reports whether a normal-range float64 lies exactly
// halfway between two adjacent float32 values: its 29 mantissa bits below
// float32 precision are exactly 1000…0.
func isFloat32Midpoint(x float64) bool {
	return math.Float64bits(x)&(1<<29-1) == 1<<28
}
