// Command unetstep times one UNet step (one noise prediction, CFG batch 2,
// float32) on GoMLX's pure-Go backend, for the tiny fixture UNet and for
// "small SDXL": SDXL base's block structure at a quarter of its width with
// random weights on 32×32 latents, and one decode of the small SDXL VAE. It
// prints one JSON line per measurement:
//
//	{"bench": …, "median_s": …, "min_s": …, "max_s": …, "compile_s": …}
//
// compile_s is the first call's time minus the median step (graph
// building and compilation; on the Go backend it includes baking the
// weights into the graph). With -cpuprofile the timed steps (not the
// compilation) are profiled.
package main

import (
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/pprof"
	"time"

	"github.com/gomlx/compute/gobackend"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/seed11f6bdef/gonb-ipadapter/bench/internal/timing"
	"github.com/seed11f6bdef/gonb-ipadapter/bench/internal/unetbench"
	"github.com/seed11f6bdef/gonb-ipadapter/bench/internal/vaebench"
	"github.com/seed11f6bdef/gonb-ipadapter/internal/golden"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/unet"
)

type result struct {
	timing.Result
	Runs   int   `json:"runs"`
	Params int64 `json:"params"`
}

func main() {
	runs := flag.Int("runs", 5, "timed steps per model (after the compiling call)")
	only := flag.String("only", "", `run only "tiny", "small_sdxl" or "vae"`)
	cpuprofile := flag.String("cpuprofile", "", "write CPU profiles of the timed steps to <file>.<bench>")
	flag.Parse()
	if err := run(*runs, *only, *cpuprofile); err != nil {
		fmt.Fprintln(os.Stderr, "unetstep:", err)
		os.Exit(1)
	}
}

func run(runs int, only, cpuprofile string) error {
	if runs < 1 {
		return errors.New("-runs must be at least 1")
	}
	backend, err := gobackend.New("")
	if err != nil {
		return err
	}
	opts := unet.DefaultOptions(backend)
	type benchCase struct {
		name string
		load func() (*unet.Model, error)
		h, w int
	}
	cases := []benchCase{
		{"unet_step_tiny_fixture_16x16_b2_f32_go", func() (*unet.Model, error) {
			dir, err := tinyDir()
			if err != nil {
				return nil, err
			}
			return unet.Load(dir, backend, opts)
		}, 16, 16},
		{"unet_step_small_sdxl_32x32_b2_f32_go", func() (*unet.Model, error) {
			cfg, err := unet.ParseConfig([]byte(unetbench.SmallSDXL))
			if err != nil {
				return nil, err
			}
			return unet.NewRandom(cfg, backend, opts, 1)
		}, 32, 32},
	}
	for _, c := range cases {
		if only != "" && !(only == "tiny" && c.h == 16 || only == "small_sdxl" && c.h == 32) {
			continue
		}
		m, err := c.load()
		if err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
		var prof *os.File
		if cpuprofile != "" { // one file per model: <path>.<bench>
			if prof, err = os.Create(cpuprofile + "." + c.name); err != nil {
				return err
			}
		}
		r, err := timeSteps(m, c.h, c.w, runs, prof)
		if prof != nil {
			prof.Close()
		}
		m.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
		r.Bench = c.name
		if err := timing.Print(r); err != nil {
			return err
		}
	}
	if only == "" || only == "vae" {
		// One VAE decode of the step's output size, as the benchmark
		// asks: the small SDXL VAE (SDXL's structure at 1/4 width), 32×32
		// latents, batch 1, random weights (bench/vaedecode has more sizes).
		b := vaebench.Bench{Name: "vae_decode_small_sdxl_32x32_b1_f32_go", Widths: []int{32, 64, 128, 128}, Groups: 8, Latents: 32}
		r, err := b.Run(backend, runs)
		if err != nil {
			return fmt.Errorf("vae decode: %w", err)
		}
		if err := timing.Print(r); err != nil {
			return err
		}
	}
	return nil
}

// timeSteps calls the UNet once to compile, then runs timed steps with a
// new timestep each (as a denoising loop does; no recompilation).
func timeSteps(m *unet.Model, h, w, runs int, prof *os.File) (result, error) {
	u := m.UNet()
	rng := rand.New(rand.NewPCG(7, 7))
	in := unetbench.RandomInputs(u, rng, h, w)
	if prof != nil && os.Getenv("UNETSTEP_PROFILE_COMPILE") != "" {
		if err := pprof.StartCPUProfile(prof); err != nil {
			return result{}, err
		}
	}
	start := time.Now()
	if _, err := m.Predict(in); err != nil {
		return result{}, err
	}
	first := time.Since(start).Seconds()
	if prof != nil && os.Getenv("UNETSTEP_PROFILE_COMPILE") != "" {
		pprof.StopCPUProfile()
		prof = nil
	}
	if prof != nil {
		if err := pprof.StartCPUProfile(prof); err != nil {
			return result{}, err
		}
		defer pprof.StopCPUProfile()
	}
	times := make([]float64, runs)
	for i := range times {
		in.Timestep = tensors.FromScalar(float32(999 - 37*i))
		start := time.Now()
		out, err := m.Predict(in)
		if err != nil {
			return result{}, err
		}
		times[i] = time.Since(start).Seconds()
		out.FinalizeAll()
	}
	if n := m.Compilations(); n != 1 {
		return result{}, fmt.Errorf("%d compilations, want 1", n)
	}
	med, lo, hi := timing.Summary(times)
	return result{Result: timing.Result{MedianS: med, MinS: lo, MaxS: hi, CompileS: max(first-med, 0)}, Runs: runs, Params: u.NumParameters()}, nil
}

// tinyDir is the fixture UNet: tiny-sdxl/unet of golden.Dir
// ($IPADAPTER_GOLDEN_DIR, or testdata/golden above the working directory).
func tinyDir() (string, error) {
	dir, err := golden.Dir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "tiny-sdxl", "unet"), nil
}
