package scheduler

import (
	"fmt"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/torchrand"
)

// Scheduler is one diffusers scheduler. Use it as the SDXL pipeline does:
//
//	SetTimesteps(n)                          // before preparing latents
//	latents = noise · InitNoiseSigma()
//	for i := range NumInferenceSteps():
//	    in, _ := StepInput(i)                // timestep + input divisor for the UNet
//	    …UNet on latents/in.InputDivisor (or ScaleModelInput(latents, i))…
//	    r, _ := Step(eps, i, latents, shape, gens…)
//	    latents = r.PrevSample
//
// Samples are float32 in row-major order with an explicit shape. Step
// indices must run 0, 1, … for multistep solvers (DPM-Solver keeps the last
// predictions); SetTimesteps resets that state.
type Scheduler interface {
	// ClassName is the diffusers class name.
	ClassName() string
	// Config is the resolved config: the given one with this class's
	// defaults filled in (what diffusers' scheduler.config holds). Pass it,
	// with overrides, to New to swap schedulers.
	Config() Config
	// SetTimesteps computes the timesteps and sigmas for n inference
	// steps (1 ≤ n ≤ num_train_timesteps).
	SetTimesteps(n int) error
	// NumInferenceSteps is the number of steps set (0 before SetTimesteps).
	NumInferenceSteps() int
	// Timesteps are the UNet timesteps, one per step. Euler's are float32
	// values (fractional with linspace spacing or Karras sigmas), DDIM's
	// and DPM-Solver's integers; all are exact as float64.
	Timesteps() []float64
	// Sigmas are the per-step noise levels plus the final one (length
	// n+1), nil for DDIM, which has none.
	Sigmas() []float32
	// InitNoiseSigma scales the initial N(0,1) latents.
	InitNoiseSigma() float32
	// StepInput gives the numbers the UNet graph takes for step i.
	StepInput(i int) (StepInput, error)
	// ScaleModelInput is scale_model_input: the UNet input for step i
	// (a new slice).
	ScaleModelInput(sample []float32, i int) ([]float32, error)
	// Step is step(model_output, timesteps[i], sample, generator): one
	// denoising step. gens are the pipeline's generators (one, or one per
	// batch row) for the schedulers that draw noise; others ignore them.
	Step(modelOutput []float32, i int, sample []float32, shape []int, gens ...*torchrand.Generator) (StepResult, error)
}

// StepInput is what the UNet needs for one step, as plain numbers so the
// compiled graph takes them as inputs.
type StepInput struct {
	// Timestep is the value fed to the UNet's timestep embedding.
	Timestep float32
	// InputDivisor is sqrt(σ²+1) (1 for DDIM and DPM-Solver): the UNet
	// input is sample / InputDivisor. Dividing reproduces diffusers bit for
	// bit.
	InputDivisor float32
	// InputScale is 1/InputDivisor in float32, for graphs that multiply;
	// x·InputScale can differ from x/InputDivisor in the last bit.
	InputScale float32
}

// StepResult is a step's output.
type StepResult struct {
	// PrevSample is the sample for the next step (x_{t−1}).
	PrevSample []float32
	// PredOriginalSample is the predicted x₀; nil for DPM-Solver, whose
	// diffusers step does not return it.
	PredOriginalSample []float32
}

// Class names this package implements.
const (
	EulerDiscrete          = "EulerDiscreteScheduler"
	EulerAncestralDiscrete = "EulerAncestralDiscreteScheduler"
	DDIM                   = "DDIMScheduler"
	DPMSolverMultistep     = "DPMSolverMultistepScheduler"
)

// ClassNames lists the implemented diffusers classes.
func ClassNames() []string {
	return []string{EulerDiscrete, EulerAncestralDiscrete, DDIM, DPMSolverMultistep}
}

// New builds the scheduler className from cfg: X.from_config(cfg). Keys the
// class does not use are kept in its Config; missing keys take the class's
// defaults. cfg.ClassName is ignored (use FromConfig to follow it).
func New(className string, cfg Config) (Scheduler, error) {
	switch className {
	case EulerDiscrete:
		return newEuler(resolve(className, eulerDefaults, cfg))
	case EulerAncestralDiscrete:
		return newEulerAncestral(resolve(className, eulerAncestralDefaults, cfg))
	case DDIM:
		return newDDIM(resolve(className, ddimDefaults, cfg))
	case DPMSolverMultistep:
		return newDPMSolver(resolve(className, dpmDefaults, cfg))
	}
	return nil, fmt.Errorf("scheduler: %w %q (implemented: %v)", ErrUnknownScheduler, className, ClassNames())
}

// FromConfig builds the scheduler the config names in _class_name, like
// loading a pipeline's scheduler folder.
func FromConfig(cfg Config) (Scheduler, error) {
	if cfg.ClassName == "" {
		return nil, fmt.Errorf("scheduler: %w: the config has no _class_name; use New with a class name", ErrInvalidConfig)
	}
	return New(cfg.ClassName, cfg)
}

// Load reads a scheduler_config.json and builds the scheduler it names.
func Load(path string) (Scheduler, error) {
	cfg, err := LoadConfig(path)
	if err != nil {
		return nil, err
	}
	s, err := FromConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("%w (config %s)", err, path)
	}
	return s, nil
}

func resolve(className string, defaults, cfg Config) Config {
	out := merge(defaults, cfg)
	out.ClassName = className
	return out
}
