//go:build goexperiment.simd && amd64

package torchrand

import "simd/archsimd"

// The AVX2 kernel with real 8-lane AVX2/FMA instructions: the same
// operation sequence as logApprox/sincosApprox (including which products
// are fused), so the results are bit-identical to the scalar emulation —
// just 8 lanes at a time, as PyTorch itself runs it.

// simdAvailable reports whether this CPU runs the 8-lane kernel.
var simdAvailable = archsimd.X86.AVX2() && archsimd.X86.FMA()

// boxMullerAVX2Blocks transforms every 16-element block of d (len(d) is a
// multiple of 16).
func boxMullerAVX2Blocks(d []float32) {
	if !simdAvailable {
		boxMullerAVX2BlocksScalar(d)
		return
	}
	k := newAVXConsts()
	for b := 0; b+blockLen <= len(d); b += blockLen {
		u1 := k.one.Sub(archsimd.LoadFloat32x8(d[b : b+8]))
		u2 := archsimd.LoadFloat32x8(d[b+8 : b+16])
		r := k.minusTwo.Mul(k.log8(u1)).Sqrt()
		sin, cos := k.sincos8(k.twoPi.Mul(u2))
		// fmadd(n, std=1, mean=0) is n + 0.
		r.Mul(cos).Add(k.zero).Store(d[b : b+8])
		r.Mul(sin).Add(k.zero).Store(d[b+8 : b+16])
	}
}

type avxConsts struct {
	zero, one, minusTwo, twoPi, half, minusHalf, minNorm, sqrtHF   archsimd.Float32x8
	logP                                                           [9]archsimd.Float32x8
	logQ1, logQ2                                                   archsimd.Float32x8
	fopi, dp1, dp2, dp3, cos0, cos1, cos2, sin0, sin1, sin2        archsimd.Float32x8
	invMant, halfBits, exp127, signMask, absMask, i1, inv1, i2, i4 archsimd.Int32x8
	zeroI                                                          archsimd.Int32x8
}

func bf(x float32) archsimd.Float32x8 { return archsimd.BroadcastFloat32x8(x) }
func bi(x int32) archsimd.Int32x8     { return archsimd.BroadcastInt32x8(x) }

func newAVXConsts() *avxConsts {
	return &avxConsts{
		zero: bf(0), one: bf(1), minusTwo: bf(-2), twoPi: bf(twoPi), half: bf(0.5), minusHalf: bf(-0.5),
		minNorm: bf(minNormPos), sqrtHF: bf(sqrtHF),
		logP:  [9]archsimd.Float32x8{bf(logP0), bf(logP1), bf(logP2), bf(logP3), bf(logP4), bf(logP5), bf(logP6), bf(logP7), bf(logP8)},
		logQ1: bf(logQ1), logQ2: bf(logQ2),
		fopi: bf(fourOverPi), dp1: bf(minusDP1), dp2: bf(minusDP2), dp3: bf(minusDP3),
		cos0: bf(cosP0), cos1: bf(cosP1), cos2: bf(cosP2), sin0: bf(sinP0), sin1: bf(sinP1), sin2: bf(sinP2),
		invMant: bi(^0x7f800000), halfBits: bi(0x3f000000), exp127: bi(0x7f),
		signMask: bi(-0x80000000), absMask: bi(0x7fffffff), i1: bi(1), inv1: bi(^1), i2: bi(2), i4: bi(4),
	}
}

// log8 is logApprox on 8 lanes.
func (k *avxConsts) log8(x archsimd.Float32x8) archsimd.Float32x8 {
	x = x.Max(k.minNorm)
	bits := x.AsInt32x8()
	e0 := bits.AsUint32x8().ShiftAllRight(23).AsInt32x8().Sub(k.exp127)
	m := bits.And(k.invMant).Or(k.halfBits).AsFloat32x8()
	e := e0.ConvertToFloat32().Add(k.one)
	mask := m.Less(k.sqrtHF)
	tmp := m.Masked(mask)
	x = m.Sub(k.one)
	e = e.Sub(k.one.Masked(mask))
	x = x.Add(tmp)
	z := x.Mul(x)
	y := k.logP[0]
	for i := 1; i < 9; i++ {
		y = y.MulAdd(x, k.logP[i])
	}
	y = y.Mul(x)
	y = y.MulAdd(z, e.Mul(k.logQ1))
	y = y.Sub(z.Mul(k.half))
	x = x.Add(y)
	return e.MulAdd(k.logQ2, x)
}

// sincos8 is sincosApprox on 8 lanes.
func (k *avxConsts) sincos8(theta archsimd.Float32x8) (sin, cos archsimd.Float32x8) {
	tb := theta.AsInt32x8()
	signSin := tb.And(k.signMask)
	x := tb.And(k.absMask).AsFloat32x8()
	j := x.Mul(k.fopi).ConvertToInt32()
	j = j.Add(k.i1).And(k.inv1)
	y := j.ConvertToFloat32()
	swapSignSin := j.And(k.i4).ShiftAllLeft(29)
	polyMask := j.And(k.i2).Equal(k.zeroI)
	x = y.MulAdd(k.dp1, x)
	x = y.MulAdd(k.dp2, x)
	x = y.MulAdd(k.dp3, x)
	signCos := k.i4.AndNot(j.Sub(k.i2)).ShiftAllLeft(29)
	signSin = signSin.Xor(swapSignSin)

	z := x.Mul(x)
	c := k.cos0.MulAdd(z, k.cos1)
	c = c.MulAdd(z, k.cos2)
	c = c.Mul(z)
	c = c.MulAdd(z, z.Mul(k.minusHalf)) // c·z − z·0.5; z·(−0.5) is exact
	c = c.Add(k.one)

	s := k.sin0.MulAdd(z, k.sin1)
	s = s.MulAdd(z, k.sin2)
	s = s.Mul(z)
	s = s.MulAdd(x, x)

	ysin2 := s.Masked(polyMask)
	ysin1 := k.zero.IfElse(polyMask, c)
	s = s.Sub(ysin2)
	c = c.Sub(ysin1)
	sin = ysin1.Add(ysin2).AsInt32x8().Xor(signSin).AsFloat32x8()
	cos = c.Add(s).AsInt32x8().Xor(signCos).AsFloat32x8()
	return sin, cos
}

// temperToUniform32 tempers MT19937 state words and turns them into float32
// uniforms, 8 at a time: (temper(y) & 0xFFFFFF) · 2^-24.
func temperToUniform32(dst []float32, src []uint32) {
	if !simdAvailable {
		temperToUniform32Scalar(dst, src)
		return
	}
	b1, b2 := archsimd.BroadcastUint32x8(0x9D2C5680), archsimd.BroadcastUint32x8(0xEFC60000)
	low24, scale := archsimd.BroadcastUint32x8(1<<24-1), bf(inv24)
	i := 0
	for ; i+8 <= len(src); i += 8 {
		y := archsimd.LoadUint32x8(src[i : i+8])
		y = y.Xor(y.ShiftAllRight(11))
		y = y.Xor(y.ShiftAllLeft(7).And(b1))
		y = y.Xor(y.ShiftAllLeft(15).And(b2))
		y = y.Xor(y.ShiftAllRight(18))
		y.And(low24).AsInt32x8().ConvertToFloat32().Mul(scale).Store(dst[i : i+8])
	}
	temperToUniform32Scalar(dst[i:], src[i:])
}

// twistState is the MT19937 twist 8 words at a time. Within each run of 8,
// the words read are either not yet rewritten (s[k+1], s[k+397]) or were
// rewritten at least 220 positions earlier (s[k−227]), so lanes never depend
// on each other and the result equals the sequential loop.
func twistState(s *[mtN]uint32) {
	if !simdAvailable {
		twistStateScalar(s, 0)
		return
	}
	upper, lower := archsimd.BroadcastUint32x8(mtUpperMask), archsimd.BroadcastUint32x8(mtLowerMask)
	one, matrix := archsimd.BroadcastUint32x8(1), archsimd.BroadcastUint32x8(mtMatrixA)
	zero := archsimd.BroadcastUint32x8(0)
	tw := func(k, src int) {
		u := archsimd.LoadUint32x8(s[k : k+8])
		v := archsimd.LoadUint32x8(s[k+1 : k+9])
		y := u.And(upper).Or(v.And(lower)).ShiftAllRight(1)
		mag := zero.Sub(v.And(one)).And(matrix)
		archsimd.LoadUint32x8(s[src : src+8]).Xor(y).Xor(mag).Store(s[k : k+8])
	}
	k := 0
	for ; k+8 <= mtN-mtM; k += 8 {
		tw(k, k+mtM)
	}
	// 224 of the first 227 are done; finish the first loop scalar.
	for ; k < mtN-mtM; k++ {
		s[k] = s[k+mtM] ^ twist(s[k], s[k+1])
	}
	for ; k+8 <= mtN-1; k += 8 {
		tw(k, k+mtM-mtN)
	}
	twistStateScalar(s, k)
}
