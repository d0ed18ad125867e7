package guidance

import (
	"fmt"
	"math"
)

// Rescale is diffusers' rescale_noise_cfg (guidance_rescale φ, "Common
// Diffusion Noise Schedules and Sample Steps are Flawed" §3.4): per batch
// row b, with std the unbiased (N−1) standard deviation over all non-batch
// elements,
//
//	ε_b ← φ·(ε_b·(std(c_b)/std(ε_b))) + (1−φ)·ε_b
//
// noiseCFG is the guided prediction ε and noiseText the cond half c, both
// [batch, …] in row-major order. φ = 0 returns a copy of ε.
//
// The standard deviations are computed in float64 (two passes) and
// rounded to float32, which is what torch's float64-accumulating CPU
// reduction gives up to reduction order (at most an ulp of the float32 std,
// i.e. ~1e-7 relative on the rescale factor); the elementwise arithmetic
// is float32 in diffusers' order.
func Rescale(noiseCFG, noiseText []float32, batch int, phi float64) ([]float32, error) {
	if len(noiseCFG) != len(noiseText) {
		return nil, fmt.Errorf("guidance: rescale: noise_cfg has %d elements, noise_pred_text %d", len(noiseCFG), len(noiseText))
	}
	if batch <= 0 || len(noiseCFG)%batch != 0 {
		return nil, fmt.Errorf("guidance: rescale: %d elements do not split into %d batch rows", len(noiseCFG), batch)
	}
	row := len(noiseCFG) / batch
	if row < 2 {
		return nil, fmt.Errorf("guidance: rescale: a row of %d element(s) has no unbiased standard deviation", row)
	}
	p := float32(phi)
	q := float32(1 - phi) // Python computes 1 − φ in float64
	out := make([]float32, len(noiseCFG))
	for b := range batch {
		cfg := noiseCFG[b*row : (b+1)*row]
		ratio := std32(noiseText[b*row:(b+1)*row]) / std32(cfg)
		for i, e := range cfg {
			rescaled := float32(e * ratio)
			out[b*row+i] = float32(p*rescaled) + float32(q*e)
		}
	}
	return out, nil
}

// std32 is torch.std (unbiased) of float32 data, accumulated in float64.
func std32(x []float32) float32 {
	var sum float64
	for _, v := range x {
		sum += float64(v)
	}
	mean := sum / float64(len(x))
	var m2 float64
	for _, v := range x {
		d := float64(v) - mean
		m2 += d * d
	}
	return float32(math.Sqrt(m2 / float64(len(x)-1)))
}
