package torchrand

import (
	"math"
	"testing"
)

// Correctly rounded values computed with 300-bit arithmetic (mpmath), at
// arguments where a less careful log/sin/cos misrounds.
func TestDoubleDoubleLibm(t *testing.T) {
	logs := [][2]float64{
		{0.7864444844672437, -0.2402331445221334},
		{0.7851353717771847, -0.24189912794339488},
		{0.9703127984378197, -0.03013678685151859},
	}
	for _, c := range logs {
		if got := ddLog(c[0]); got != c[1] {
			t.Errorf("ddLog(%v) = %v, want %v", c[0], got, c[1])
		}
	}
	sincos := [][3]float64{
		{3.017352297437295, 0.12392098063197836, -0.9922920893362039},
		{4.9439841581577255, -0.9733014916896504, 0.22953040381331072},
		{0.4195475256035835, 0.4073472619654995, 0.9132733480011397},
	}
	for _, c := range sincos {
		if s, co := ddSincos(c[0]); s != c[1] || co != c[2] {
			t.Errorf("ddSincos(%v) = %v, %v, want %v, %v", c[0], s, co, c[1], c[2])
		}
	}
	// Elsewhere within Go's math package error (2 ulp; absolute 2^-53 near
	// the zeros of sin and cos, where math.Cos is less accurate).
	for i := 1; i < 100000; i++ {
		x := float64(i) / 100000
		l := ddLog(x)
		if d := math.Abs(l - math.Log(x)); d > ulp(l) {
			t.Fatalf("ddLog(%v) = %v, math.Log %v", x, l, math.Log(x))
		}
		s, c := ddSincos(x * 6.283185307179586)
		if math.Abs(s-math.Sin(x*6.283185307179586)) > max(2*ulp(s), 0x1p-53) || math.Abs(c-math.Cos(x*6.283185307179586)) > max(2*ulp(c), 0x1p-53) {
			t.Fatalf("ddSincos(%v) = %v, %v", x*6.283185307179586, s, c)
		}
	}
	if ddLog(1) != 0 || ddLog(0.5) != -math.Ln2 || ddLog(0.25) != -2*math.Ln2 {
		t.Errorf("ddLog at powers of two: %v %v %v", ddLog(1), ddLog(0.5), ddLog(0.25))
	}
}

func ulp(x float64) float64 {
	x = math.Abs(x)
	return math.Nextafter(x, math.Inf(1)) - x
}

// The 8-lane kernel must equal the scalar emulation bit for bit, over a
// wide sample of the 2^24 possible float32 uniforms in both roles.
func TestVectorKernelMatchesScalar(t *testing.T) {
	if !simdAvailable {
		t.Skip("no AVX2/FMA SIMD path on this build or CPU")
	}
	const stride = 7
	n := (1 << 24) / stride
	n -= n % 16
	a := make([]float32, n)
	for i := range a {
		v := (i * stride) % (1 << 24)
		if (i/8)%2 == 1 {
			v = (1<<24 - 1) - v // u2 lanes run the other way
		}
		a[i] = float32(v) * inv24
	}
	b := append([]float32(nil), a...)
	boxMullerAVX2Blocks(a)
	boxMullerAVX2BlocksScalar(b)
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			t.Fatalf("element %d: vector %v, scalar %v", i, a[i], b[i])
		}
	}
}
