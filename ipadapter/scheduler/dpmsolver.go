package scheduler

import (
	"fmt"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/torchrand"
)

// DPMSolverMultistepScheduler is diffusers' DPMSolverMultistepScheduler with
// algorithm_type "dpmsolver++" (Lu et al. 2022): a multistep solver in
// λ = log α − log σ on x₀ predictions, of order 1–3 (2 by default, the
// "DPM++ 2M" sampler), midpoint or Heun. Model input is unscaled and the
// initial noise unit. The last step with final_sigmas_type "zero" is a
// first-order step to σ = 0, which returns the x₀ prediction exactly.
//
// Steps must be taken in order 0, 1, …: each step uses the x₀ predictions
// of the previous ones.
type DPMSolverMultistepScheduler struct {
	unscaled
	lambdaT []float32 // λ of the training schedule, for lambda_min_clipped

	outputs        [][]float32 // last solver_order x₀ predictions, newest last
	lowerOrderNums int
	next           int // the step index Step expects
}

func newDPMSolver(c Config) (*DPMSolverMultistepScheduler, error) {
	if err := validateCommon(c, "epsilon", "v_prediction", "sample"); err != nil {
		return nil, err
	}
	alg := *c.AlgorithmType
	if alg == "deis" {
		c.AlgorithmType = Ptr("dpmsolver++") // diffusers maps it the same way
		alg = "dpmsolver++"
	}
	switch alg {
	case "dpmsolver++":
	case "dpmsolver", "sde-dpmsolver", "sde-dpmsolver++":
		return nil, notImplemented(c, fmt.Sprintf("algorithm_type %q (implemented: dpmsolver++)", alg))
	default:
		return nil, fmt.Errorf("scheduler %s: %w: algorithm_type %q (use dpmsolver++)", c.ClassName, ErrInvalidConfig, alg)
	}
	switch *c.SolverType {
	case "midpoint", "heun":
	case "logrho", "bh1", "bh2":
		c.SolverType = Ptr("midpoint") // as diffusers
	default:
		return nil, fmt.Errorf("scheduler %s: %w: solver_type %q (use midpoint or heun)", c.ClassName, ErrInvalidConfig, *c.SolverType)
	}
	if o := *c.SolverOrder; o < 1 || o > 3 {
		return nil, fmt.Errorf("scheduler %s: %w: solver_order %d (use 1, 2 or 3)", c.ClassName, ErrInvalidConfig, o)
	}
	if err := oneOf(c.ClassName, "final_sigmas_type", *c.FinalSigmasType, "zero", "sigma_min"); err != nil {
		return nil, err
	}
	if err := checkSigmaSchedule(c); err != nil {
		return nil, err
	}
	switch {
	case *c.UseLuLambdas:
		return nil, notImplemented(c, "use_lu_lambdas")
	case *c.Thresholding:
		return nil, notImplemented(c, "thresholding (dynamic thresholding)")
	case c.VarianceType != nil && (*c.VarianceType == "learned" || *c.VarianceType == "learned_range"):
		return nil, notImplemented(c, "variance_type "+*c.VarianceType)
	}
	tr, err := newTraining(c, true)
	if err != nil {
		return nil, err
	}
	lam := make([]float32, len(tr.alphasCumprod))
	for i, a := range tr.alphasCumprod {
		lam[i] = log32(sqrt32(a)) - log32(sqrt32(1-a))
	}
	return &DPMSolverMultistepScheduler{unscaled: unscaled{base{cfg: c, tr: tr}}, lambdaT: lam}, nil
}

// SetTimesteps is set_timesteps(n); it also resets the solver history.
func (s *DPMSolverMultistepScheduler) SetTimesteps(n int) error {
	if err := s.checkNumSteps(n); err != nil {
		return err
	}
	c := s.cfg
	// torch.searchsorted(flip(λ), lambda_min_clipped): how many λ lie
	// below the clip; those last timesteps are never used.
	clipped := 0
	for i := len(s.lambdaT) - 1; i >= 0; i-- {
		if float64(s.lambdaT[i]) < float64(*c.LambdaMinClipped) {
			clipped++
		}
	}
	ts := dpmGrid(c, n, *c.NumTrainTimesteps-clipped)
	var sig []float64
	if *c.UseKarrasSigmas {
		// The full training range (σ_max = σ[T−1], σ_min = σ[0]), unlike
		// Euler; the timesteps are sigma_to_t rounded.
		t := s.tr.sigmas
		sig = configKarras(c, float64(t[0]), float64(t[len(t)-1]), n)
		ts = make([]float64, n)
		for i, v := range sig {
			ts[i] = roundHalfEven(sigmaToT(v, s.tr.logSigmas))
		}
	} else {
		sig = make([]float64, len(ts))
		for i, t := range ts {
			sig[i] = interpTable(t, s.tr.sigmas)
		}
	}
	s.timesteps, s.sigmas = ts, withFinalSigma(c, s.tr, sig)
	s.outputs = make([][]float32, *c.SolverOrder)
	s.lowerOrderNums, s.next = 0, 0
	return nil
}

// Step is step(): convert the prediction to x₀, push it into the history,
// and take a first-, second- or third-order update.
func (s *DPMSolverMultistepScheduler) Step(modelOutput []float32, i int, sample []float32, shape []int, _ ...*torchrand.Generator) (StepResult, error) {
	n, err := s.checkStep(i, shape, modelOutput, sample)
	if err != nil {
		return StepResult{}, err
	}
	if i != s.next {
		return StepResult{}, fmt.Errorf("scheduler %s: %w: multistep solver expects step %d next, got %d (steps run in order; SetTimesteps restarts)",
			s.cfg.ClassName, ErrInvalidSteps, s.next, i)
	}
	c := s.cfg
	steps := len(s.timesteps)
	lowerFinal := i == steps-1 && (*c.EulerAtFinal || (*c.LowerOrderFinal && steps < 15) || *c.FinalSigmasType == "zero")
	lowerSecond := i == steps-2 && *c.LowerOrderFinal && steps < 15

	x0 := s.convert(modelOutput, i, sample, n)
	order := *c.SolverOrder
	copy(s.outputs, s.outputs[1:])
	s.outputs[order-1] = x0

	var prev []float32
	switch {
	case order == 1 || s.lowerOrderNums < 1 || lowerFinal:
		prev = s.firstOrder(x0, i, sample)
	case order == 2 || s.lowerOrderNums < 2 || lowerSecond:
		prev = s.secondOrder(i, sample)
	default:
		prev = s.thirdOrder(i, sample)
	}
	if s.lowerOrderNums < order {
		s.lowerOrderNums++
	}
	s.next++
	return StepResult{PrevSample: prev}, nil
}
