package torchrand

import "math"

// normal_fill: torch.randn's path for contiguous tensors of 16 or more
// elements. All n uniforms are drawn first, then every block of 16 becomes
// 8 Box–Muller pairs (outputs 0–7 the cosine halves, 8–15 the sine halves of
// the same pairs). When n is not a multiple of 16 the last 16 slots are
// refilled with 16 fresh uniforms and transformed again, overwriting the
// overlapping outputs of the last full block: n+16 words in total.

const blockLen = 16

func (g *Generator) randnFill32(out []float32) {
	g.engine.fillUniform32(out)
	n := len(out)
	g.transformBlocks32(out[:n-n%blockLen])
	if n%blockLen != 0 {
		tail := out[n-blockLen:]
		g.engine.fillUniform32(tail)
		g.transformBlocks32(tail)
	}
}

// transformBlocks32 turns every 16-element block of d (len(d) a multiple
// of 16) from uniforms into normals with the generator's kernel.
func (g *Generator) transformBlocks32(d []float32) {
	if g.kernel == KernelScalar {
		for b := 0; b+blockLen <= len(d); b += blockLen {
			boxMullerScalar32((*[blockLen]float32)(d[b : b+blockLen]))
		}
		return
	}
	boxMullerAVX2Blocks(d)
}

func boxMullerAVX2BlocksScalar(d []float32) {
	for b := 0; b+blockLen <= len(d); b += blockLen {
		boxMullerAVX2((*[blockLen]float32)(d[b : b+blockLen]))
	}
}

// boxMullerAVX2 is normal_fill_16_AVX2 (std 1, mean 0): the final
// fmadd(n, std, mean) is n + 0, which only turns −0 into +0.
func boxMullerAVX2(d *[blockLen]float32) {
	for j := 0; j < 8; j++ {
		u1 := 1 - d[j]
		u2 := d[j+8]
		r := float32(math.Sqrt(float64(float32(-2 * logApprox(u1)))))
		sin, cos := sincosApprox(float32(twoPi * u2))
		d[j] = float32(r*cos) + 0
		d[j+8] = float32(r*sin) + 0
	}
}

// boxMullerScalar32 is the generic normal_fill_16<float> (non-AVX2 CPUs):
// θ is computed in double from 2π (double) and rounded to float.
func boxMullerScalar32(d *[blockLen]float32) {
	for j := 0; j < 8; j++ {
		u1 := 1 - d[j]
		u2 := d[j+8]
		r := float32(math.Sqrt(float64(float32(-2 * float32(math.Log(float64(u1)))))))
		theta := float32(2 * math.Pi * float64(u2))
		s, c := math.Sincos(float64(theta))
		d[j] = float32(r*float32(c)) + 0
		d[j+8] = float32(r*float32(s)) + 0
	}
}

// randnFill64 is normal_fill<double>: the same block structure with
// float64 uniforms (two words each) and libm log/sin/cos.
func (g *Generator) randnFill64(out []float64) {
	for i := range out {
		out[i] = g.uniform64()
	}
	n := len(out)
	for b := 0; b+blockLen <= n; b += blockLen {
		boxMuller64((*[blockLen]float64)(out[b : b+blockLen]))
	}
	if n%blockLen != 0 {
		tail := (*[blockLen]float64)(out[n-blockLen:])
		for i := range tail {
			tail[i] = g.uniform64()
		}
		boxMuller64(tail)
	}
}

func boxMuller64(d *[blockLen]float64) {
	for j := 0; j < 8; j++ {
		u1 := 1 - d[j]
		u2 := d[j+8]
		r := math.Sqrt(-2 * preciseLog(u1))
		s, c := preciseSincos(2 * math.Pi * u2)
		d[j] = float64(r*c) + 0
		d[j+8] = float64(r*s) + 0
	}
}
