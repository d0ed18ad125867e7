package scheduler

import "errors"

// Errors wrap one of these so callers can tell the kind with errors.Is;
// the messages say what was wrong and what is accepted.
var (
	// ErrUnknownScheduler: a class name this package does not implement.
	ErrUnknownScheduler = errors.New("unknown scheduler class")
	// ErrInvalidConfig: a config value diffusers would reject too
	// (unknown beta_schedule, timestep_spacing, prediction_type, …).
	ErrInvalidConfig = errors.New("invalid scheduler config")
	// ErrNotImplemented: a valid diffusers option this package does not
	// implement (yet); the message names it.
	ErrNotImplemented = errors.New("not implemented")
	// ErrInvalidSteps: a bad number of inference steps or step index, or a
	// call out of order.
	ErrInvalidSteps = errors.New("invalid inference steps")
	// ErrShape: sample and model output sizes do not match the shape.
	ErrShape = errors.New("tensor shape mismatch")
)
