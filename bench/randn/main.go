package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"slices"
	"time"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/torchrand"
)

type result struct {
	Op                 string  `json:"op"`
	Shape              []int   `json:"shape"`
	Kernel             string  `json:"kernel"`
	Accelerated        bool    `json:"accelerated"`
	Runs               int     `json:"runs"`
	MedianNsPerElement float64 `json:"median_ns_per_element"`
	MinNsPerElement    float64 `json:"min_ns_per_element"`
	GoVersion          string  `json:"go"`
	GOARCH             string  `json:"goarch"`
}

func main() {
	runs := flag.Int("runs", 21, "timed runs (the median is reported)")
	kernelName := flag.String("kernel", "avx2", "normal_fill kernel: avx2 or scalar")
	flag.Parse()
	if err := run(*runs, *kernelName); err != nil {
		fmt.Fprintln(os.Stderr, "randn benchmark:", err)
		os.Exit(1)
	}
}

func run(runs int, kernelName string) error {
	if runs < 1 {
		return fmt.Errorf("-runs must be at least 1, got %d", runs)
	}
	kernel := map[string]torchrand.Kernel{"avx2": torchrand.KernelAVX2, "scalar": torchrand.KernelScalar}
	k, ok := kernel[kernelName]
	if !ok {
		return fmt.Errorf("unknown -kernel %q (avx2 or scalar)", kernelName)
	}
	shape := []int{1, 4, 128, 128}
	n := 1 * 4 * 128 * 128
	g := torchrand.NewGenerator(42)
	if err := g.SetKernel(k); err != nil {
		return err
	}
	out := make([]float32, n)
	g.RandnInto(out) // warm up
	// Each run draws the tensor 10 times so that timer resolution and
	// scheduling noise stay small next to the measured time.
	const reps = 10
	per := make([]float64, runs)
	for i := range per {
		start := time.Now()
		for range reps {
			g.RandnInto(out)
		}
		per[i] = float64(time.Since(start).Nanoseconds()) / float64(reps*n)
	}
	slices.Sort(per)
	return json.NewEncoder(os.Stdout).Encode(result{
		Op: "randn", Shape: shape, Kernel: k.String(), Accelerated: k == torchrand.KernelAVX2 && torchrand.Accelerated(),
		Runs: runs, MedianNsPerElement: per[len(per)/2], MinNsPerElement: per[0],
		GoVersion: runtime.Version(), GOARCH: runtime.GOARCH,
	})
}
