package scheduler

import (
	"fmt"
	"slices"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/torchrand"
)

// EulerAncestralDiscreteScheduler is diffusers' ancestral Euler sampler: an
// Euler step to σ_down plus fresh noise of size σ_up, drawn from the
// generator at every step (the last included), so the generator's stream is
// part of the result. Its sigma schedule is always the linear
// interpolation (diffusers ignores use_karras_sigmas for this class).
type EulerAncestralDiscreteScheduler struct {
	sigmaScaled
}

func newEulerAncestral(c Config) (*EulerAncestralDiscreteScheduler, error) {
	if err := validateCommon(c, "epsilon", "v_prediction"); err != nil {
		return nil, err
	}
	tr, err := newTraining(c, true)
	if err != nil {
		return nil, err
	}
	return &EulerAncestralDiscreteScheduler{sigmaScaled{base: base{cfg: c, tr: tr}}}, nil
}

func (s *EulerAncestralDiscreteScheduler) SetTimesteps(n int) error {
	if err := s.checkNumSteps(n); err != nil {
		return err
	}
	ts := eulerGrid(s.cfg, n)
	sigmas := make([]float32, len(ts)+1)
	for i, t := range ts {
		sigmas[i] = float32(interpTable(t, s.tr.sigmas))
	}
	s.timesteps, s.sigmas = ts, sigmas
	s.initNoise = initNoiseSigma(s.cfg, sigmas)
	return nil
}

// Step needs the generator(s): it draws randn(shape) every step.
func (s *EulerAncestralDiscreteScheduler) Step(modelOutput []float32, i int, sample []float32, shape []int, gens ...*torchrand.Generator) (StepResult, error) {
	n, err := s.checkStep(i, shape, modelOutput, sample)
	if err != nil {
		return StepResult{}, err
	}
	sigma := s.sigmas[i]
	x := sample
	x0 := make([]float32, n)
	if *s.cfg.PredictionType == "epsilon" {
		for k, e := range modelOutput {
			x0[k] = x[k] - float32(sigma*e)
		}
	} else {
		vPredictionX0(x0, x, modelOutput, sigma)
	}
	from2 := float32(sigma * sigma)
	to := s.sigmas[i+1]
	to2 := float32(to * to)
	up := sqrt32(float32(to2*(from2-to2)) / from2)
	down := sqrt32(to2 - float32(up*up))
	dt := down - sigma
	noise, err := torchrand.RandnTensor(shape, gens...)
	if err != nil {
		return StepResult{}, fmt.Errorf("scheduler %s: step noise: %w", s.cfg.ClassName, err)
	}
	prev := make([]float32, n)
	for k := range prev {
		d := (x[k] - x0[k]) / sigma
		p := x[k] + float32(d*dt)
		prev[k] = p + float32(noise[k]*up)
	}
	return StepResult{PrevSample: prev, PredOriginalSample: slices.Clip(x0)}, nil
}
