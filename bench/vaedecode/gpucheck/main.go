// Command gpucheck runs the VAE on the backend package xla picks (CUDA on
// a GPU machine; GOMLX_BACKEND=go for a smoke run): the golden vae cases
// under several precision settings, then decode timings of the full-size
// SDXL VAE (random weights). One JSON object per line on stdout.
//
// Precision variants: "f32" is the backend as it comes (go-xla enables
// TF32 for float32 dots on CUDA, and passes DEFAULT precision for every
// convolution); "f32_notf32" switches the dots' TF32 off; "f32_dotconv"
// also computes the convolutions as matrix products (Options.Im2Col), so
// no TF32 is left; "f16" is the fp16-fix choice (weights and activations
// in float16). Run it once more with NVIDIA_TF32_OVERRIDE=0 to see whether
// cuDNN's convolutions honour that switch.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/gobackend"

	"github.com/seed11f6bdef/gonb-ipadapter/bench/internal/vaebench"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
	"github.com/seed11f6bdef/gonb-ipadapter/xla"
)

func main() {
	goldenDir := flag.String("golden", "testdata/golden", "fixture folder (with index.json)")
	sizes := flag.String("sizes", "64,128", "latent sizes of the full-size SDXL decode timings (none: \"\")")
	variants := flag.String("variants", "f32,f32_notf32,f32_dotconv,f16", "precision variants")
	timeVariants := flag.String("time-variants", "f32,f32_dotconv,f16", "precision variants timed")
	reps := flag.Int("reps", 5, "timed decodes per timing")
	label := flag.String("label", "", "label added to every record (e.g. the environment of this run)")
	goBench := flag.Bool("gobench", false, "instead, run bench/vaedecode's pure-Go benchmarks (on this machine's CPUs)")
	flag.Parse()
	if *goBench {
		if err := runGoBench(*reps, *label); err != nil {
			fmt.Fprintln(os.Stderr, "gpucheck:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*goldenDir, *sizes, *variants, *timeVariants, *reps, *label); err != nil {
		fmt.Fprintln(os.Stderr, "gpucheck:", err)
		os.Exit(1)
	}
}

type variant struct {
	name   string
	dtype  dtypes.DType
	tf32   bool
	im2col bool
}

var allVariants = map[string]variant{
	"f32":         {"f32", dtypes.Float32, true, false},
	"f32_notf32":  {"f32_notf32", dtypes.Float32, false, false},
	"f32_dotconv": {"f32_dotconv", dtypes.Float32, false, true},
	"f16":         {"f16", dtypes.Float16, true, false},
}

func emit(rec map[string]any, label string) {
	if label != "" {
		rec["label"] = label
	}
	line, _ := json.Marshal(rec)
	fmt.Println(string(line))
}

func run(goldenDir, sizes, variantList, timeList string, reps int, label string) error {
	backend, err := xla.Backend()
	if err != nil {
		return err
	}
	report, _ := xla.Describe()
	fmt.Fprintf(os.Stderr, "%s\n", report)
	emit(map[string]any{"check": "env", "backend": backend.String(), "name": backend.Name(),
		"tf32_default": tf32(backend), "nvidia_tf32_override": os.Getenv("NVIDIA_TF32_OVERRIDE")}, label)
	isGo := backend.String() == "go"
	optsFor := func(v variant) nn.Options {
		setTF32(backend, v.tf32)
		return nn.Options{DType: v.dtype, Im2Col: v.im2col || isGo}
	}
	for _, name := range split(variantList) {
		v, ok := allVariants[name]
		if !ok {
			return fmt.Errorf("unknown variant %q", name)
		}
		recs, err := goldenChecks(backend, goldenDir, optsFor(v))
		if err != nil {
			emit(map[string]any{"check": "golden", "variant": v.name, "error": err.Error()}, label)
			continue
		}
		for _, r := range recs {
			r["check"], r["variant"] = "golden", v.name
			emit(r, label)
		}
	}
	sdxl := vaebench.SDXLLike([]int{128, 256, 512, 512}, 32)
	var sizeList []int
	for _, s := range split(sizes) {
		n, err := strconv.Atoi(s)
		if err != nil {
			return fmt.Errorf("size %q: %w", s, err)
		}
		sizeList = append(sizeList, n)
	}
	if len(sizeList) == 0 {
		return nil
	}
	src, cleanup, err := vaebench.RandomWeights(sdxl)
	if err != nil {
		return err
	}
	defer cleanup()
	for _, name := range split(timeList) {
		v := allVariants[name]
		for _, size := range sizeList {
			bench := fmt.Sprintf("vae_decode_sdxl_%dx%d_%s", size, size, v.name)
			r, err := vaebench.DecodeWith(backend, bench, sdxl, src, optsFor(v), 1, size, reps)
			rec := map[string]any{"check": "timing", "bench": bench}
			if err != nil {
				rec["error"] = err.Error()
			} else {
				rec["median_s"], rec["min_s"], rec["max_s"], rec["compile_s"] = r.MedianS, r.MinS, r.MaxS, r.CompileS
			}
			emit(rec, label)
		}
	}
	return nil
}

func split(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// tf32 reports go-xla's TF32 switch for float32 dots (false elsewhere).
func tf32(b compute.Backend) bool { on, _ := getTF32(b); return on }

// runGoBench runs the two benchmarks of bench/vaedecode on the pure-Go
// backend, so a machine without a Go toolchain can time them.
func runGoBench(reps int, label string) error {
	backend, err := gobackend.New("")
	if err != nil {
		return err
	}
	for _, b := range vaebench.Benches {
		r, err := b.Run(backend, reps)
		if err != nil {
			return fmt.Errorf("%s: %w", b.Name, err)
		}
		emit(map[string]any{"check": "gobench", "bench": r.Bench, "median_s": r.MedianS, "min_s": r.MinS, "max_s": r.MaxS,
			"compile_s": r.CompileS, "gomaxprocs": runtime.GOMAXPROCS(0)}, label)
	}
	return nil
}
