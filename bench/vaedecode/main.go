// Command vaedecode times one VAE decode on the pure-Go backend, with
// random weights, for two sizes:
//
//   - vae_decode_tiny_16x16: the golden fixtures' tiny VAE
//     (block_out_channels 16, 32, 32, 32; norm_num_groups 8) on 16×16
//     latents → 128×128 pixels;
//   - vae_decode_small_sdxl_32x32: SDXL's VAE at a quarter of its width
//     (block_out_channels 32, 64, 128, 128; norm_num_groups 8, so every
//     group has 4 channels at the first level as in SDXL's 128/32) on
//     32×32 latents → 256×256 pixels.
//
// Each prints one JSON line {"bench", "median_s", "min_s", "max_s",
// "compile_s"}: compile_s is graph building and compilation
// (Model.Precompile), then one untimed warm-up decode, then -reps timed
// decodes (latents in, pixels copied out). Run with go run ./bench/vaedecode;
// -cpuprofile writes a pprof CPU profile.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime/pprof"

	"github.com/gomlx/compute/gobackend"

	"github.com/seed11f6bdef/gonb-ipadapter/bench/internal/timing"
	"github.com/seed11f6bdef/gonb-ipadapter/bench/internal/vaebench"
)

func main() {
	reps := flag.Int("reps", 5, "timed decodes per benchmark (after the warm-up)")
	only := flag.String("only", "", "run only the benchmark with this name")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile to this file")
	flag.Parse()
	if err := run(*reps, *only, *cpuProfile); err != nil {
		fmt.Fprintln(os.Stderr, "vaedecode:", err)
		os.Exit(1)
	}
}

func run(reps int, only, cpuProfile string) error {
	backend, err := gobackend.New("")
	if err != nil {
		return err
	}
	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	for _, b := range vaebench.Benches {
		if only != "" && b.Name != only {
			continue
		}
		r, err := b.Run(backend, reps)
		if err != nil {
			return fmt.Errorf("%s: %w", b.Name, err)
		}
		if err := timing.Print(r); err != nil {
			return err
		}
	}
	return nil
}
