package ipadapter

import (
	"fmt"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/scheduler"
)

// SetScheduler swaps the scheduler for the diffusers class className
// (scheduler.ClassNames lists them), built from the pipeline's scheduler
// config with overrides winning: pipe.scheduler =
// className.from_config(pipe.scheduler.config, **overrides).
//
// The config is always the one the pipeline was loaded with, not the
// previous swap's: in diffusers a swap inherits the keys the previous
// class filled in (Euler after DPM-Solver with Karras sigmas keeps
// use_karras_sigmas), so the result depends on the order of swaps; here
// SetScheduler("EulerDiscreteScheduler", scheduler.Config{}) always gives
// back the original scheduler.
func (p *Pipeline) SetScheduler(className string, overrides scheduler.Config) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	s, err := scheduler.New(className, p.schedBase.With(overrides))
	if err != nil {
		return fmt.Errorf("set scheduler: %w", err)
	}
	p.sched = s
	return nil
}

// Scheduler returns the current scheduler's class and resolved config
// (its class defaults filled in, as diffusers' scheduler.config).
func (p *Pipeline) Scheduler() (className string, cfg scheduler.Config) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.sched.ClassName(), p.sched.Config()
}

// newScheduler makes a fresh scheduler of the current class for one
// request: schedulers keep per-run state (step history, timesteps), so
// concurrent or interleaved requests never share one.
func (p *Pipeline) newScheduler(eta float64) (scheduler.Scheduler, error) {
	s, err := scheduler.New(p.sched.ClassName(), p.sched.Config())
	if err != nil {
		return nil, err
	}
	if d, ok := s.(*scheduler.DDIMScheduler); ok {
		d.Eta = eta
	}
	return s, nil
}
