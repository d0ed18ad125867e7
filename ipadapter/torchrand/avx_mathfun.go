package torchrand

import (
	"math"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/internal/fma"
)

// Scalar emulation of the AVX2 Cephes approximations in PyTorch's
// aten/src/ATen/native/cpu/avx_mathfun.h (log256_ps, sincos256_ps), one
// lane at a time. PyTorch's x86 normal_fill runs these instead of libm, so
// bit-exact noise needs the same operations in the same order: every
// operation is float32.
//
// The intrinsics are not what runs, though: PyTorch compiles its AVX2
// kernels with -mavx2 -mfma, and GCC's default -ffp-contract=fast fuses
// every multiply whose only use is an add or subtract into one FMA (a
// single rounding). Which pairs fuse follows GCC's rule — the first
// multiply, in statement order, feeding each add — and was confirmed
// against PyTorch 1.13's output: with these fusions all 65,536 values of a
// 1×4×128×128 randn are bit-identical, without them about 1% differ in the
// last bit. The fused pairs are written as fma.F32 below; every other
// product is wrapped in float32(...) so that the Go compiler never fuses it
// (it may on GOAMD64=v3 otherwise).

// f32 rounds a float64 to float32 at run time. The C sources declare the
// constants as double literals stored into float arrays, i.e. rounded
// decimal→double→float; converting through a float64 value reproduces that
// double rounding.
func f32(x float64) float32 { return float32(x) }

var (
	minNormPos = math.Float32frombits(0x00800000) // 2^-126
	sqrtHF     = f32(0.707106781186547524)

	logP0 = f32(7.0376836292e-2)
	logP1 = f32(-1.1514610310e-1)
	logP2 = f32(1.1676998740e-1)
	logP3 = f32(-1.2420140846e-1)
	logP4 = f32(1.4249322787e-1)
	logP5 = f32(-1.6668057665e-1)
	logP6 = f32(2.0000714765e-1)
	logP7 = f32(-2.4999993993e-1)
	logP8 = f32(3.3333331174e-1)
	logQ1 = f32(-2.12194440e-4)
	logQ2 = f32(0.693359375)

	fourOverPi = f32(1.27323954473516)
	minusDP1   = f32(-0.78515625)
	minusDP2   = f32(-2.4187564849853515625e-4)
	minusDP3   = f32(-3.77489497744594108e-8)
	sinP0      = f32(-1.9515295891e-4)
	sinP1      = f32(8.3321608736e-3)
	sinP2      = f32(-1.6666654611e-1)
	cosP0      = f32(2.443315711809948e-5)
	cosP1      = f32(-1.388731625493765e-3)
	cosP2      = f32(4.166664568298827e-2)

	// twoPi is 2.0f * c10::pi<double> as torch's AVX2 kernel broadcasts it.
	twoPi = f32(2 * math.Pi)
)

// logApprox is log256_ps for one lane, for x > 0.
func logApprox(x float32) float32 {
	x = max(x, minNormPos)
	b := math.Float32bits(x)
	k := int32(b>>23) - 0x7f
	m := math.Float32frombits(b&^0x7f800000 | 0x3f000000) // mantissa in [0.5, 1)
	e := float32(k) + 1
	var tmp, eAdj float32
	if m < sqrtHF {
		tmp, eAdj = m, 1
	}
	x = m - 1
	e = e - eAdj
	x = x + tmp
	z := float32(x * x)

	y := fma.F32(logP0, x, logP1)
	y = fma.F32(y, x, logP2)
	y = fma.F32(y, x, logP3)
	y = fma.F32(y, x, logP4)
	y = fma.F32(y, x, logP5)
	y = fma.F32(y, x, logP6)
	y = fma.F32(y, x, logP7)
	y = fma.F32(y, x, logP8)
	y = float32(y * x)
	// y·z + e·Q1: GCC fuses the first multiply (y·z), e·Q1 stays a product.
	y = fma.F32(y, z, float32(e*logQ1))
	y = y - float32(z*0.5) // z·0.5 is exact: fused or not is the same
	x = x + y
	x = fma.F32(e, logQ2, x)
	return x
}

// sincosApprox is sincos256_ps for one lane: it returns (sin θ, cos θ).
func sincosApprox(theta float32) (sin, cos float32) {
	tb := math.Float32bits(theta)
	signSin := tb & 0x80000000
	x := math.Float32frombits(tb &^ 0x80000000)

	y := float32(x * fourOverPi)
	j := int32(y) // cvttps: truncation (inputs here are far inside int32 range)
	j = (j + 1) &^ 1
	y = float32(j)

	swapSignSin := uint32(j&4) << 29
	polyIsSin := j&2 == 0

	x = fma.F32(y, minusDP1, x)
	x = fma.F32(y, minusDP2, x)
	x = fma.F32(y, minusDP3, x)

	signCos := uint32(^(j-2)&4) << 29
	signSin ^= swapSignSin

	z := float32(x * x)
	c := fma.F32(cosP0, z, cosP1)
	c = fma.F32(c, z, cosP2)
	c = float32(c * z)
	c = fma.F32(c, z, -float32(z*0.5)) // c·z − z·0.5, the first product fused
	c = c + 1

	s := fma.F32(sinP0, z, sinP1)
	s = fma.F32(s, z, sinP2)
	s = float32(s * z)
	s = fma.F32(s, x, x)

	// The blend is arithmetic in the C code (masked operands added to
	// +0), which matters only for the sign of zero; keep it.
	var ysin1, ysin2 float32 // sin taken from c (ysin1) or from s (ysin2)
	if polyIsSin {
		ysin2 = s
		s = s - ysin2
	} else {
		ysin1 = c
		c = c - ysin1
	}
	sinV := ysin1 + ysin2
	cosV := c + s
	sin = math.Float32frombits(math.Float32bits(sinV) ^ signSin)
	cos = math.Float32frombits(math.Float32bits(cosV) ^ signCos)
	return sin, cos
}
