package adapter

import (
	"fmt"
	"math"
)

// Window limits an adapter to part of the denoising: it is active from the
// fraction Start to the fraction End of the steps (ComfyUI's start_at /
// end_at, InvokeAI's begin/end_step_percent), and its scales are 0 outside.
// Scales are graph inputs, so switching an adapter off costs no
// recompilation. The zero Window means "always" (diffusers' behaviour).
type Window struct {
	Start, End float64
}

// Always is the window of diffusers, which has no such option.
var Always = Window{Start: 0, End: 1}

// normalized maps the zero Window to Always.
func (w Window) normalized() Window {
	if w == (Window{}) {
		return Always
	}
	return w
}

// Validate checks 0 ≤ Start ≤ End ≤ 1.
func (w Window) Validate() error {
	w = w.normalized()
	if !(w.Start >= 0 && w.Start <= w.End && w.End <= 1) {
		return fmt.Errorf("IP-Adapter window [%g, %g] must satisfy 0 ≤ start ≤ end ≤ 1", w.Start, w.End)
	}
	return nil
}

// Multiplier is the factor for the adapter's scales at step (0-based) of
// numSteps: 1 while active, 0 outside. Active means
// floor(Start·numSteps) ≤ step ≤ ceil(End·numSteps), InvokeAI's rule, so a
// window always covers at least one step and End = 1 runs to the last one.
func (w Window) Multiplier(step, numSteps int) float32 {
	w = w.normalized()
	first := int(math.Floor(w.Start * float64(numSteps)))
	last := int(math.Ceil(w.End * float64(numSteps)))
	if step >= first && step <= last {
		return 1
	}
	return 0
}
