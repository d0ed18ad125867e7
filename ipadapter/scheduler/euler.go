package scheduler

import (
	"fmt"
	"math"
	"slices"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/torchrand"
)

// EulerDiscreteScheduler is diffusers' EulerDiscreteScheduler (Karras et
// al. 2022, Algorithm 2), SDXL's default. The churn parameters are step()'s
// keyword arguments; the pipeline leaves them at their defaults (no churn,
// no noise drawn).
type EulerDiscreteScheduler struct {
	sigmaScaled

	// SChurn, STMin, STMax, SNoise are step()'s s_churn, s_tmin, s_tmax,
	// s_noise (defaults 0, 0, +Inf, 1). With SChurn > 0 a step draws
	// noise from the generators.
	SChurn, STMin, STMax, SNoise float64
}

func newEuler(c Config) (*EulerDiscreteScheduler, error) {
	if err := validateCommon(c, "epsilon", "v_prediction", "sample", "original_sample"); err != nil {
		return nil, err
	}
	if err := oneOf(c.ClassName, "interpolation_type", *c.InterpolationType, "linear", "log_linear"); err != nil {
		return nil, err
	}
	if err := oneOf(c.ClassName, "timestep_type", *c.TimestepType, "discrete", "continuous"); err != nil {
		return nil, err
	}
	if err := oneOf(c.ClassName, "final_sigmas_type", *c.FinalSigmasType, "zero", "sigma_min"); err != nil {
		return nil, err
	}
	if err := checkSigmaSchedule(c); err != nil {
		return nil, err
	}
	tr, err := newTraining(c, true)
	if err != nil {
		return nil, err
	}
	return &EulerDiscreteScheduler{sigmaScaled: sigmaScaled{base: base{cfg: c, tr: tr}}, STMax: math.Inf(1), SNoise: 1}, nil
}

// checkSigmaSchedule allows at most one of the alternative sigma
// schedules, and only the implemented one (Karras).
func checkSigmaSchedule(c Config) error {
	on := 0
	for _, b := range []*bool{c.UseKarrasSigmas, c.UseExponentialSigmas, c.UseBetaSigmas} {
		if b != nil && *b {
			on++
		}
	}
	switch {
	case on > 1:
		return fmt.Errorf("scheduler %s: %w: only one of use_karras_sigmas, use_exponential_sigmas, use_beta_sigmas can be set", c.ClassName, ErrInvalidConfig)
	case c.UseExponentialSigmas != nil && *c.UseExponentialSigmas:
		return notImplemented(c, "use_exponential_sigmas")
	case c.UseBetaSigmas != nil && *c.UseBetaSigmas:
		return notImplemented(c, "use_beta_sigmas")
	}
	return nil
}

// SetTimesteps is set_timesteps(n): timesteps from the spacing, sigmas
// interpolated in the training table (or the Karras schedule, whose
// timesteps are the fractional sigma_to_t of each σ), then the final σ.
func (s *EulerDiscreteScheduler) SetTimesteps(n int) error {
	if err := s.checkNumSteps(n); err != nil {
		return err
	}
	c := s.cfg
	ts := eulerGrid(c, n)
	var sig []float64
	if *c.InterpolationType == "linear" {
		sig = make([]float64, len(ts))
		for i, t := range ts {
			sig[i] = interpTable(t, s.tr.sigmas)
		}
	} else {
		// log_linear: torch.linspace(log σ_max, log σ_min, n+1).exp() in
		// float32 — n+1 values, so sigmas has n+2 entries as in diffusers.
		last := len(s.tr.sigmas) - 1
		for _, v := range torchLinspace32(log32(s.tr.sigmas[last]), log32(s.tr.sigmas[0]), n+1) {
			sig = append(sig, float64(exp32(v)))
		}
	}
	if *c.UseKarrasSigmas {
		sig = configKarras(c, sig[len(sig)-1], sig[0], n)
		ts = make([]float64, n)
		for i, v := range sig {
			ts[i] = sigmaToT(v, s.tr.logSigmas)
		}
	}
	sigmas := withFinalSigma(c, s.tr, sig)
	if *c.TimestepType == "continuous" && *c.PredictionType == "v_prediction" {
		for i := range ts {
			ts[i] = float64(float32(0.25 * log32(sigmas[i])))
		}
	}
	for i, t := range ts {
		ts[i] = float64(float32(t))
	}
	s.timesteps, s.sigmas = ts, sigmas
	s.initNoise = initNoiseSigma(c, sigmas)
	return nil
}

// withFinalSigma is sig in float32 with the σ appended after the last
// step: 0, or σ_0 of the training table for final_sigmas_type "sigma_min".
func withFinalSigma(c Config, tr *training, sig []float64) []float32 {
	sigmas := make([]float32, 0, len(sig)+1)
	for _, v := range sig {
		sigmas = append(sigmas, float32(v))
	}
	final := float32(0)
	if *c.FinalSigmasType == "sigma_min" {
		a := tr.alphasCumprod[0]
		final = sqrt32((1 - a) / a)
	}
	return append(sigmas, final)
}

// initNoiseSigma is Euler's init_noise_sigma: max σ for linspace/trailing
// spacing, sqrt(max σ² + 1) otherwise (SDXL's "leading").
func initNoiseSigma(c Config, sigmas []float32) float32 {
	m := slices.Max(sigmas)
	if sp := *c.TimestepSpacing; sp == "linspace" || sp == "trailing" {
		return m
	}
	return sqrt32(float32(m*m) + 1)
}

// Step is step(): x₀ from the prediction, the derivative d = (x − x₀)/σ̂,
// and x + d·(σ_{i+1} − σ̂), each a float32 tensor operation.
func (s *EulerDiscreteScheduler) Step(modelOutput []float32, i int, sample []float32, shape []int, gens ...*torchrand.Generator) (StepResult, error) {
	n, err := s.checkStep(i, shape, modelOutput, sample)
	if err != nil {
		return StepResult{}, err
	}
	sigma := s.sigmas[i]
	gamma := 0.0
	if s.STMin <= float64(sigma) && float64(sigma) <= s.STMax {
		gamma = min(s.SChurn/float64(len(s.sigmas)-1), math.Sqrt2-1)
	}
	sigmaHat := float32(sigma * float32(gamma+1))
	x := sample
	if gamma > 0 {
		x = slices.Clone(sample)
		noise, err := torchrand.RandnTensor(shape, gens...)
		if err != nil {
			return StepResult{}, fmt.Errorf("scheduler %s: churn noise: %w", s.cfg.ClassName, err)
		}
		f := sqrt32(float32(sigmaHat*sigmaHat) - float32(sigma*sigma))
		sn := float32(s.SNoise)
		for k := range x {
			x[k] = x[k] + float32(float32(noise[k]*sn)*f)
		}
	}
	x0 := make([]float32, n)
	switch *s.cfg.PredictionType {
	case "epsilon":
		for k, e := range modelOutput {
			x0[k] = x[k] - float32(sigmaHat*e)
		}
	case "v_prediction":
		vPredictionX0(x0, x, modelOutput, sigma)
	default: // "sample", "original_sample"
		copy(x0, modelOutput)
	}
	dt := s.sigmas[i+1] - sigmaHat
	prev := make([]float32, n)
	for k := range prev {
		d := (x[k] - x0[k]) / sigmaHat
		prev[k] = x[k] + float32(d*dt)
	}
	return StepResult{PrevSample: prev, PredOriginalSample: x0}, nil
}

// vPredictionX0 is Euler's v-prediction x₀ = v·(−σ/sqrt(σ²+1)) + x/(σ²+1).
func vPredictionX0(x0, x, v []float32, sigma float32) {
	s2p1 := float32(sigma*sigma) + 1
	a := -sigma / sqrt32(s2p1)
	for k := range x0 {
		x0[k] = float32(v[k]*a) + x[k]/s2p1
	}
}
