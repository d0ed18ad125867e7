package guidance

import "fmt"

// Enabled reports whether the pipeline runs classifier-free guidance:
// guidance_scale > 1 and a UNet without time_cond_proj_dim (hasTimeCondProj
// false).
func Enabled(scale float64, hasTimeCondProj bool) bool {
	return scale > 1 && !hasTimeCondProj
}

// Split returns the uncond and cond halves of a CFG batch output
// (noise_pred.chunk(2)): the first and second half of the data. They share
// memory with out.
func Split(out []float32) (uncond, cond []float32, err error) {
	if len(out)%2 != 0 {
		return nil, nil, fmt.Errorf("guidance: a CFG batch has two equal halves, got %d elements", len(out))
	}
	h := len(out) / 2
	return out[:h], out[h:], nil
}

// Combine returns u + g·(c − u) as the pipeline computes it: the
// difference, then the product with g rounded to float32 (torch multiplies
// a float32 tensor by a Python float in float32), then the sum; each step
// rounded separately.
func Combine(uncond, cond []float32, scale float64) ([]float32, error) {
	if len(uncond) != len(cond) {
		return nil, fmt.Errorf("guidance: uncond has %d elements, cond %d", len(uncond), len(cond))
	}
	g := float32(scale)
	out := make([]float32, len(uncond))
	for i, u := range uncond {
		out[i] = u + float32(g*(cond[i]-u))
	}
	return out, nil
}

// CombineBatch is Split followed by Combine, on the UNet's CFG output.
func CombineBatch(out []float32, scale float64) ([]float32, error) {
	u, c, err := Split(out)
	if err != nil {
		return nil, err
	}
	return Combine(u, c, scale)
}
