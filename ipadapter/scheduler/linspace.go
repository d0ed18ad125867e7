package scheduler

import "github.com/seed11f6bdef/gonb-ipadapter/ipadapter/internal/fma"

// linspaceLanes is the vector width (float32 lanes) of the PyTorch CPU
// kernel torchLinspace32 reproduces: 8 for the AVX2 build. (The AVX-512
// build would use 16; for SDXL's schedule the two give betas that differ in
// the last bit at 157 of 1000 positions but identical ᾱ, so the fixtures
// cannot tell them apart.)
const linspaceLanes = 8

// torchLinspace32 is torch.linspace(start, end, steps, dtype=float32) as
// PyTorch 1.13's CPU kernel computes it, which is not start + i·step:
//
//   - step = (end − start)/(steps − 1) in float32;
//   - values are produced by a vectorised loop, two 8-lane vectors per
//     iteration: each vector starts from base = start + step·i (first
//     half) or end − step·(steps−1−i) (second half, decided at the
//     vector's first index) and its lanes are base + k·step, k = 0..7;
//   - the elements after the last full pair of vectors use the scalar
//     formula for their own index;
//   - the kernel is built with -mfma and GCC contracts every a·b + c into
//     one FMA.
//
// This reproduces the betas of the golden fixtures exactly (verified on
// the sigma table at 410 timesteps); the textbook symmetric formula is off
// by an ulp at about half of them.
func torchLinspace32(start, end float32, steps int) []float32 {
	out := make([]float32, steps)
	if steps == 0 {
		return out
	}
	if steps == 1 {
		out[0] = start
		return out
	}
	step := (end - start) / float32(steps-1)
	half := steps / 2
	at := func(i int) float32 {
		if i < half {
			return fma.F32(step, float32(i), start)
		}
		return fma.F32(-step, float32(steps-1-i), end)
	}
	L := linspaceLanes
	i := 0
	for ; i+2*L <= steps; i += 2 * L {
		for _, v := range [2]int{i, i + L} {
			base := at(v)
			for k := range L {
				out[v+k] = fma.F32(float32(k), step, base)
			}
		}
	}
	for ; i < steps; i++ {
		out[i] = at(i)
	}
	return out
}
