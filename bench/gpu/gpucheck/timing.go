package main

import (
	"fmt"
	"slices"
	"time"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// callOnce runs an Exec and returns its outputs (left on the device) and
// the wall time. go-xla's Execute waits for the device to finish (it awaits
// PJRT's completion events), so wall time is device time plus call overhead.
func callOnce(e *graph.Exec, args ...any) ([]*tensors.Tensor, time.Duration, error) {
	start := time.Now()
	outs, err := e.Call(args...)
	return outs, time.Since(start), err
}

// freeAll releases device memory now instead of at garbage collection:
// repeated 1 GiB attention score tensors would otherwise pile up.
func freeAll(ts ...*tensors.Tensor) {
	for _, t := range ts {
		if t != nil {
			_ = t.FinalizeAll()
		}
	}
}

// timing summarises repeated calls.
type timing struct {
	Median, Min time.Duration
	Reps        int
}

// timeReps runs warmup untimed calls, then reps timed ones, freeing every
// output right away. The graph must already be compiled (called once).
func timeReps(e *graph.Exec, warmup, reps int, args ...any) (timing, error) {
	for range warmup {
		outs, _, err := callOnce(e, args...)
		if err != nil {
			return timing{}, fmt.Errorf("warm-up call: %w", err)
		}
		freeAll(outs...)
	}
	times := make([]time.Duration, 0, reps)
	for range reps {
		outs, d, err := callOnce(e, args...)
		if err != nil {
			return timing{}, fmt.Errorf("timed call: %w", err)
		}
		freeAll(outs...)
		times = append(times, d)
	}
	if len(times) == 0 {
		return timing{}, nil
	}
	slices.Sort(times)
	return timing{Median: times[len(times)/2], Min: times[0], Reps: len(times)}, nil
}

// ms converts a duration to float milliseconds for the records.
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
