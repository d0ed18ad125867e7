package scheduler

import (
	"fmt"
	"slices"
)

// base holds what every scheduler has: its resolved config, the training
// schedule, and the schedule set by SetTimesteps.
type base struct {
	cfg       Config
	tr        *training
	timesteps []float64
	sigmas    []float32 // nil for DDIM
}

func (b *base) ClassName() string      { return b.cfg.ClassName }
func (b *base) Config() Config         { return b.cfg.Clone() }
func (b *base) NumInferenceSteps() int { return len(b.timesteps) }
func (b *base) Timesteps() []float64   { return slices.Clone(b.timesteps) }
func (b *base) Sigmas() []float32      { return slices.Clone(b.sigmas) }

// checkNumSteps rejects step counts diffusers cannot schedule.
func (b *base) checkNumSteps(n int) error {
	t := *b.cfg.NumTrainTimesteps
	switch {
	case n <= 0:
		return fmt.Errorf("scheduler %s: %w: num_inference_steps must be at least 1, got %d", b.cfg.ClassName, ErrInvalidSteps, n)
	case n > t:
		return fmt.Errorf("scheduler %s: %w: num_inference_steps %d is more than num_train_timesteps %d: the model was trained on %d timesteps", b.cfg.ClassName, ErrInvalidSteps, n, t, t)
	}
	return nil
}

// checkStep validates a step index and the tensors of a Step call and
// returns the element count.
func (b *base) checkStep(i int, shape []int, tensors ...[]float32) (int, error) {
	if err := b.checkIndex(i); err != nil {
		return 0, err
	}
	n := 1
	for _, d := range shape {
		if d < 0 {
			return 0, fmt.Errorf("scheduler %s: %w: negative dimension in shape %v", b.cfg.ClassName, ErrShape, shape)
		}
		n *= d
	}
	for _, t := range tensors {
		if len(t) != n {
			return 0, fmt.Errorf("scheduler %s: %w: shape %v has %d elements, a tensor has %d", b.cfg.ClassName, ErrShape, shape, n, len(t))
		}
	}
	return n, nil
}

func (b *base) checkIndex(i int) error {
	switch {
	case len(b.timesteps) == 0:
		return fmt.Errorf("scheduler %s: %w: call SetTimesteps first", b.cfg.ClassName, ErrInvalidSteps)
	case i < 0 || i >= len(b.timesteps):
		return fmt.Errorf("scheduler %s: %w: step index %d outside 0..%d", b.cfg.ClassName, ErrInvalidSteps, i, len(b.timesteps)-1)
	}
	return nil
}

// sigmaScaled is base for the Euler schedulers: the UNet input is the
// sample divided by sqrt(σ_i²+1), and the initial noise is scaled by the
// init_noise_sigma SetTimesteps computes.
type sigmaScaled struct {
	base
	initNoise float32
}

func (s *sigmaScaled) InitNoiseSigma() float32 { return s.initNoise }

// StepInput divides by sqrt(σ²+1), computed as float32 0-d tensor
// arithmetic.
func (s *sigmaScaled) StepInput(i int) (StepInput, error) {
	if err := s.checkIndex(i); err != nil {
		return StepInput{}, err
	}
	sigma := s.sigmas[i]
	d := sqrt32(float32(sigma*sigma) + 1)
	return StepInput{Timestep: float32(s.timesteps[i]), InputDivisor: d, InputScale: 1 / d}, nil
}

func (s *sigmaScaled) ScaleModelInput(sample []float32, i int) ([]float32, error) {
	in, err := s.StepInput(i)
	if err != nil {
		return nil, err
	}
	out := make([]float32, len(sample))
	for k, v := range sample {
		out[k] = v / in.InputDivisor
	}
	return out, nil
}

// unscaled is base for DDIM and DPM-Solver: unit initial noise, and the
// sample itself as the UNet input.
type unscaled struct{ base }

func (s *unscaled) InitNoiseSigma() float32 { return 1 }

func (s *unscaled) StepInput(i int) (StepInput, error) {
	if err := s.checkIndex(i); err != nil {
		return StepInput{}, err
	}
	return StepInput{Timestep: float32(s.timesteps[i]), InputDivisor: 1, InputScale: 1}, nil
}

func (s *unscaled) ScaleModelInput(sample []float32, i int) ([]float32, error) {
	if err := s.checkIndex(i); err != nil {
		return nil, err
	}
	return append([]float32(nil), sample...), nil
}

// oneOf checks an enumerated config value.
func oneOf(class, key, v string, allowed ...string) error {
	if slices.Contains(allowed, v) {
		return nil
	}
	return fmt.Errorf("scheduler %s: %w: %s %q is not supported (use one of %q)", class, ErrInvalidConfig, key, v, allowed)
}

// validateCommon checks the keys every class reads.
func validateCommon(c Config, predictionTypes ...string) error {
	if *c.NumTrainTimesteps < 2 {
		return fmt.Errorf("scheduler %s: %w: num_train_timesteps must be at least 2, got %d", c.ClassName, ErrInvalidConfig, *c.NumTrainTimesteps)
	}
	if *c.StepsOffset < 0 {
		return fmt.Errorf("scheduler %s: %w: steps_offset must not be negative, got %d", c.ClassName, ErrInvalidConfig, *c.StepsOffset)
	}
	if c.TrainedBetas == nil {
		if err := oneOf(c.ClassName, "beta_schedule", *c.BetaSchedule, "linear", "scaled_linear", "squaredcos_cap_v2"); err != nil {
			return err
		}
	}
	if err := oneOf(c.ClassName, "timestep_spacing", *c.TimestepSpacing, "linspace", "leading", "trailing"); err != nil {
		return err
	}
	return checkPrediction(c, predictionTypes...)
}

// checkPrediction tells a prediction_type diffusers does not know from one
// this class does not implement.
func checkPrediction(c Config, implemented ...string) error {
	p := *c.PredictionType
	if slices.Contains(implemented, p) {
		return nil
	}
	if slices.Contains([]string{"epsilon", "v_prediction", "sample"}, p) {
		return fmt.Errorf("scheduler %s: %w: prediction_type %q (this scheduler implements %q)", c.ClassName, ErrNotImplemented, p, implemented)
	}
	return fmt.Errorf("scheduler %s: %w: prediction_type %q is unknown (use one of %q)", c.ClassName, ErrInvalidConfig, p, implemented)
}

func notImplemented(c Config, what string) error {
	return fmt.Errorf("scheduler %s: %w: %s", c.ClassName, ErrNotImplemented, what)
}
