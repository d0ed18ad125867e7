package scheduler

import (
	"fmt"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/torchrand"
)

// DDIMScheduler is diffusers' DDIMScheduler (Song et al. 2020). It works on
// ᾱ directly (no sigmas), its model input is unscaled and its initial noise
// unit. With Eta > 0 (the pipeline's eta argument) every step adds noise
// from the generators.
type DDIMScheduler struct {
	unscaled
	finalAlphaCumprod float32

	// Eta is step()'s eta: 0 is deterministic DDIM, 1 is DDPM-like.
	Eta float64
	// UseClippedModelOutput is step()'s use_clipped_model_output.
	UseClippedModelOutput bool
}

func newDDIM(c Config) (*DDIMScheduler, error) {
	if err := validateCommon(c, "epsilon", "v_prediction", "sample"); err != nil {
		return nil, err
	}
	if *c.Thresholding {
		return nil, notImplemented(c, "thresholding (dynamic thresholding)")
	}
	tr, err := newTraining(c, false)
	if err != nil {
		return nil, err
	}
	final := tr.alphasCumprod[0]
	if *c.SetAlphaToOne {
		final = 1
	}
	return &DDIMScheduler{unscaled: unscaled{base{cfg: c, tr: tr}}, finalAlphaCumprod: final}, nil
}

func (s *DDIMScheduler) SetTimesteps(n int) error {
	if err := s.checkNumSteps(n); err != nil {
		return err
	}
	ts := ddimGrid(s.cfg, n)
	for _, t := range ts {
		if t < 0 || int(t) >= len(s.tr.alphasCumprod) {
			return fmt.Errorf("scheduler %s: %w: %d steps with steps_offset %d give timestep %v, outside the training schedule 0..%d",
				s.cfg.ClassName, ErrInvalidSteps, n, *s.cfg.StepsOffset, t, len(s.tr.alphasCumprod)-1)
		}
	}
	s.timesteps = ts
	return nil
}

// Step is DDIM's step(): x₀ and ε̂ from the prediction, then
// x_prev = sqrt(ᾱ_prev)·x₀ + sqrt(1 − ᾱ_prev − std²)·ε̂ (+ std·noise).
func (s *DDIMScheduler) Step(modelOutput []float32, i int, sample []float32, shape []int, gens ...*torchrand.Generator) (StepResult, error) {
	n, err := s.checkStep(i, shape, modelOutput, sample)
	if err != nil {
		return StepResult{}, err
	}
	t := int(s.timesteps[i])
	prevT := t - *s.cfg.NumTrainTimesteps/len(s.timesteps)
	at := s.tr.alphasCumprod[t]
	ap := s.finalAlphaCumprod
	if prevT >= 0 {
		ap = s.tr.alphasCumprod[prevT]
	}
	bt := 1 - at
	sa, sb := sqrt32(at), sqrt32(bt)
	x, e := sample, modelOutput
	x0 := make([]float32, n)
	eps := make([]float32, n)
	switch *s.cfg.PredictionType {
	case "epsilon":
		for k := range x0 {
			x0[k] = (x[k] - float32(sb*e[k])) / sa
		}
		copy(eps, e)
	case "sample":
		copy(x0, e)
		for k := range eps {
			eps[k] = (x[k] - float32(sa*x0[k])) / sb
		}
	case "v_prediction":
		for k := range x0 {
			x0[k] = float32(sa*x[k]) - float32(sb*e[k])
			eps[k] = float32(sa*e[k]) + float32(sb*x[k])
		}
	}
	if *s.cfg.ClipSample {
		r := float32(*s.cfg.ClipSampleRange)
		for k, v := range x0 {
			x0[k] = min(max(v, -r), r)
		}
	}
	bp := 1 - ap
	variance := float32((bp / bt) * (1 - at/ap))
	std := float32(float32(s.Eta) * sqrt32(variance))
	if s.UseClippedModelOutput {
		for k := range eps {
			eps[k] = (x[k] - float32(sa*x0[k])) / sb
		}
	}
	dirCoef := sqrt32(1 - ap - float32(std*std))
	sap := sqrt32(ap)
	prev := make([]float32, n)
	for k := range prev {
		prev[k] = float32(sap*x0[k]) + float32(dirCoef*eps[k])
	}
	if s.Eta > 0 {
		noise, err := torchrand.RandnTensor(shape, gens...)
		if err != nil {
			return StepResult{}, fmt.Errorf("scheduler %s: eta > 0 needs noise: %w", s.cfg.ClassName, err)
		}
		for k := range prev {
			prev[k] = prev[k] + float32(std*noise[k])
		}
	}
	return StepResult{PrevSample: prev, PredOriginalSample: x0}, nil
}
