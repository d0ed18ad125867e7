// Package scheduler implements the diffusers noise schedulers an SDXL
// pipeline uses — EulerDiscreteScheduler (SDXL's default),
// EulerAncestralDiscreteScheduler, DDIMScheduler and
// DPMSolverMultistepScheduler (DPM-Solver++) — built from a
// scheduler_config.json, with the same numbers as diffusers.
//
// # Why on the host, in torch's arithmetic
//
// A scheduler does a handful of scalar operations per step plus a few
// elementwise passes over the latents; that is cheap on the CPU, and doing
// it here in exactly torch's float32/float64 order makes a Go run follow a
// diffusers run step for step (the golden fixtures agree to ~1e-7). The
// training schedule is float32 as torch computes it (linspace, square,
// cumprod accumulated in float64), timesteps and interpolated sigmas are
// float64 as NumPy computes them, then stored as float32; every per-step
// scalar (σ², sqrt(σ²+1), λ = log α − log σ, …) is a float32 operation like
// the 0-d tensor arithmetic in diffusers. Products are written
// float32(a*b) so the Go compiler never fuses them into an FMA.
//
// The UNet runs elsewhere (a GoMLX graph). What it needs from the scheduler
// each step is plain numbers (StepInput): the timestep value and the
// divisor sqrt(σ²+1) by which the latents are scaled, so one compiled graph
// serves every step.
//
// # Configs and swapping
//
// Config mirrors scheduler_config.json field by field; unset (nil) fields
// take each class's own default, as in diffusers. Swapping schedulers like
// X.from_config(pipe.scheduler.config, **overrides) is
//
//	s2, err := scheduler.New("DPMSolverMultistepScheduler",
//		s1.Config().With(scheduler.Config{UseKarrasSigmas: scheduler.Ptr(true)}))
//
// Step indices are explicit: step i uses σ_i and σ_{i+1}, as the SDXL
// pipeline runs after set_begin_index(0).
package scheduler
