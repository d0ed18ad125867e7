package fma

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// F32 must round a·b+c once: compare with exact big.Float arithmetic,
// including sums built to land on float32 midpoints.
func TestFMA32SingleRounding(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	exact := func(a, b, c float32) float32 {
		x := new(big.Float).SetPrec(200).SetFloat64(float64(a))
		x.Mul(x, new(big.Float).SetPrec(200).SetFloat64(float64(b)))
		x.Add(x, new(big.Float).SetPrec(200).SetFloat64(float64(c)))
		f, _ := x.Float32()
		return f
	}
	for i := range 200000 {
		a := float32(r.NormFloat64())
		b := float32(r.NormFloat64())
		c := float32(r.NormFloat64() * math.Pow(2, float64(r.IntN(60)-30)))
		if i%2 == 1 {
			// c makes a·b+c sit close to a float32 midpoint.
			p := float64(a) * float64(b)
			mid := float64(float32(p)) + math.Abs(float64(float32(p)))*math.Pow(2, -24)
			c = float32(mid - p)
		}
		if got, want := F32(a, b, c), exact(a, b, c); math.Float32bits(got) != math.Float32bits(want) {
			t.Fatalf("F32(%v, %v, %v) = %v, exact rounding %v", a, b, c, got, want)
		}
	}
}
