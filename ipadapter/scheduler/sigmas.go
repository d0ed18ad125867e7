package scheduler

import "math"

// karrasSigmas is _convert_to_karras (ρ = 7): a ramp from σ_max^(1/ρ) to
// σ_min^(1/ρ) raised to ρ, in float64.
func karrasSigmas(sigmaMin, sigmaMax float64, n int) []float64 {
	const rho = 7.0
	ramp := npLinspace(0, 1, n)
	minInv := math.Pow(sigmaMin, 1/rho)
	maxInv := math.Pow(sigmaMax, 1/rho)
	out := make([]float64, n)
	for i, r := range ramp {
		out[i] = math.Pow(maxInv+float64(r*(minInv-maxInv)), rho)
	}
	return out
}

// configKarras is karrasSigmas from sigmaMin to sigmaMax, each replaced by
// the config's sigma_min / sigma_max when it sets them.
func configKarras(c Config, sigmaMin, sigmaMax float64, n int) []float64 {
	if c.SigmaMin != nil {
		sigmaMin = *c.SigmaMin
	}
	if c.SigmaMax != nil {
		sigmaMax = *c.SigmaMax
	}
	return karrasSigmas(sigmaMin, sigmaMax, n)
}

// sigmaToT is _sigma_to_t: the fractional timestep whose log-σ (linearly
// interpolated in the table) is log σ. NumPy 1.x's value-based casting does
// the comparison and the weight in float32 (a float64 scalar against a
// float32 array); only the final blend is float64.
func sigmaToT(sigma float64, logSigmas []float32) float64 {
	ls := float32(math.Log(math.Max(sigma, 1e-10)))
	low := 0
	for i, l := range logSigmas {
		if ls-l >= 0 {
			low = i
		}
	}
	low = min(low, len(logSigmas)-2)
	high := low + 1
	lo, hi := logSigmas[low], logSigmas[high]
	w := (lo - ls) / (lo - hi)
	w = min(max(w, 0), 1)
	return float64(float64(1-w)*float64(low)) + float64(w)*float64(high)
}
