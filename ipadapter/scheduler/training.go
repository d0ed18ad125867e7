package scheduler

import (
	"fmt"
	"math"
)

// training is the training noise schedule every scheduler starts from, in
// torch's float32 arithmetic (scheduler.md §2): betas from the schedule,
// alphas = 1 − β, ᾱ = cumprod(α) accumulated in float64 and rounded per
// prefix (torch's CPU cumprod), and the sigma table sqrt((1−ᾱ)/ᾱ) in
// increasing t.
type training struct {
	betas, alphas, alphasCumprod []float32
	sigmas                       []float32 // σ_t, t = 0..T−1
	logSigmas                    []float32 // np.log of sigmas (float32)
}

func newTraining(c Config, zeroTerminalOverride bool) (*training, error) {
	n := *c.NumTrainTimesteps
	var betas []float32
	switch {
	case c.TrainedBetas != nil:
		if len(c.TrainedBetas) != n {
			return nil, fmt.Errorf("%w: trained_betas has %d values, num_train_timesteps is %d", ErrInvalidConfig, len(c.TrainedBetas), n)
		}
		betas = make([]float32, n)
		for i, b := range c.TrainedBetas {
			betas[i] = float32(b)
		}
	case *c.BetaSchedule == "linear":
		betas = torchLinspace32(float32(*c.BetaStart), float32(*c.BetaEnd), n)
	case *c.BetaSchedule == "scaled_linear":
		// beta_start**0.5 in Python float64, then the float32 linspace,
		// then squared in float32.
		betas = torchLinspace32(float32(math.Sqrt(*c.BetaStart)), float32(math.Sqrt(*c.BetaEnd)), n)
		for i, v := range betas {
			betas[i] = float32(v * v)
		}
	case *c.BetaSchedule == "squaredcos_cap_v2":
		betas = cosineBetas(n)
	default:
		return nil, fmt.Errorf("%w: beta_schedule %q (use linear, scaled_linear or squaredcos_cap_v2)", ErrInvalidConfig, *c.BetaSchedule)
	}
	if *c.RescaleBetasZeroSNR {
		betas = rescaleZeroTerminalSNR(betas)
	}
	tr := &training{betas: betas}
	tr.alphas = make([]float32, n)
	for i, b := range betas {
		tr.alphas[i] = 1 - b
	}
	tr.alphasCumprod = cumprod32(tr.alphas)
	if *c.RescaleBetasZeroSNR && zeroTerminalOverride {
		// Euler, Euler-Ancestral and DPM-Solver pin ᾱ_T to 2^-24 so
		// that σ_T stays finite.
		tr.alphasCumprod[n-1] = 0x1p-24
	}
	tr.sigmas = make([]float32, n)
	tr.logSigmas = make([]float32, n)
	for i, a := range tr.alphasCumprod {
		tr.sigmas[i] = sqrt32((1 - a) / a)
		tr.logSigmas[i] = log32(tr.sigmas[i])
	}
	return tr, nil
}

// cumprod32 is torch.cumprod on a float32 CPU tensor: the running product
// is a double, each prefix rounded to float32.
func cumprod32(x []float32) []float32 {
	out := make([]float32, len(x))
	acc := 1.0
	for i, v := range x {
		acc *= float64(v)
		out[i] = float32(acc)
	}
	return out
}

// cosineBetas is diffusers' betas_for_alpha_bar (the "squaredcos_cap_v2"
// schedule): computed in Python float64, stored as float32.
func cosineBetas(n int) []float32 {
	alphaBar := func(t float64) float64 {
		c := math.Cos((t + 0.008) / 1.008 * math.Pi / 2)
		return c * c
	}
	out := make([]float32, n)
	for i := range out {
		t1 := float64(i) / float64(n)
		t2 := float64(i+1) / float64(n)
		out[i] = float32(math.Min(1-alphaBar(t2)/alphaBar(t1), 0.999))
	}
	return out
}

// rescaleZeroTerminalSNR is diffusers' rescale_zero_terminal_snr
// (arXiv:2305.08891, Algorithm 1) in float32 tensor arithmetic: shift
// sqrt(ᾱ) so the last is 0, rescale so the first is unchanged, convert back
// to betas.
func rescaleZeroTerminalSNR(betas []float32) []float32 {
	n := len(betas)
	alphas := make([]float32, n)
	for i, b := range betas {
		alphas[i] = 1 - b
	}
	ac := cumprod32(alphas)
	s := make([]float32, n)
	for i, a := range ac {
		s[i] = sqrt32(a)
	}
	s0, sT := s[0], s[n-1]
	scale := s0 / (s0 - sT)
	for i := range s {
		s[i] = float32((s[i] - sT) * scale)
	}
	out := make([]float32, n)
	prev := float32(0)
	for i := range s {
		ab := float32(s[i] * s[i])
		a := ab
		if i > 0 {
			a = ab / prev
		}
		out[i] = 1 - a
		prev = ab
	}
	return out
}

func sqrt32(x float32) float32 { return float32(math.Sqrt(float64(x))) }

// log32, exp32: float32 logf/expf, correctly rounded (as glibc's are in
// practice) by rounding the float64 result.
func log32(x float32) float32 { return float32(math.Log(float64(x))) }
func exp32(x float32) float32 { return float32(math.Exp(float64(x))) }
