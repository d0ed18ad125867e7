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
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"time"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/gobackend"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/seed11f6bdef/gonb-ipadapter/bench/internal/vaebench"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/unet"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/vae"
)

// smallSDXL is SDXL base's UNet config at 1/4 width.
const smallSDXL = `{
  "_class_name": "UNet2DConditionModel",
  "act_fn": "silu", "addition_embed_type": "text_time", "addition_time_embed_dim": 64,
  "attention_head_dim": [5, 10, 20], "block_out_channels": [80, 160, 320],
  "cross_attention_dim": 512, "down_block_types": ["DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"],
  "flip_sin_to_cos": true, "freq_shift": 0, "in_channels": 4, "layers_per_block": 2,
  "mid_block_type": "UNetMidBlock2DCrossAttn", "norm_eps": 1e-05, "norm_num_groups": 16, "out_channels": 4,
  "projection_class_embeddings_input_dim": 704, "transformer_layers_per_block": [1, 2, 10],
  "up_block_types": ["CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"], "use_linear_projection": true
}`

type result struct {
	Bench    string  `json:"bench"`
	MedianS  float64 `json:"median_s"`
	MinS     float64 `json:"min_s"`
	MaxS     float64 `json:"max_s"`
	CompileS float64 `json:"compile_s"`
	Runs     int     `json:"runs"`
	Params   int64   `json:"params"`
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
			cfg, err := unet.ParseConfig([]byte(smallSDXL))
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
		line, _ := json.Marshal(r)
		fmt.Println(string(line))
	}
	if only == "" || only == "vae" {
		// One VAE decode of the step's output size, as the benchmark
		// asks: the small SDXL VAE (SDXL's structure at 1/4 width), 32×32
		// latents, batch 1, random weights (bench/vaedecode has more sizes).
		cfg := vaebench.SDXLLike([]int{32, 64, 128, 128}, 8)
		r, err := vaebench.Decode(backend, "vae_decode_small_sdxl_32x32_b1_f32_go", cfg,
			vae.DefaultOptions(backend, cfg, dtypes.InvalidDType), 1, 32, runs)
		if err != nil {
			return fmt.Errorf("vae decode: %w", err)
		}
		line, _ := json.Marshal(r)
		fmt.Println(string(line))
	}
	return nil
}

// timeSteps calls the UNet once to compile, then runs timed steps with a
// new timestep each (as a denoising loop does; no recompilation).
func timeSteps(m *unet.Model, h, w, runs int, prof *os.File) (result, error) {
	u := m.UNet()
	rng := rand.New(rand.NewPCG(7, 7))
	in := inputs(u, rng, h, w)
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
	slices.Sort(times)
	med := times[len(times)/2]
	if len(times)%2 == 0 {
		med = (times[len(times)/2-1] + times[len(times)/2]) / 2
	}
	return result{MedianS: med, MinS: times[0], MaxS: times[len(times)-1], CompileS: max(first-med, 0), Runs: runs, Params: u.NumParameters()}, nil
}

// inputs are random CFG-batch inputs with SDXL's six time ids.
func inputs(u *unet.UNet, rng *rand.Rand, h, w int) unet.Inputs {
	cfg := u.Config()
	layers := u.CrossAttnLayerInfo()
	randn := func(dims ...int) *tensors.Tensor {
		n := 1
		for _, d := range dims {
			n *= d
		}
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(rng.NormFloat64())
		}
		return tensors.FromFlatDataAndDimensions(v, dims...)
	}
	ids := make([]float32, 2*6)
	for i := range ids {
		ids[i] = float32([]int{8 * h, 8 * w, 0, 0, 8 * h, 8 * w}[i%6])
	}
	pooled := *cfg.ProjectionClassEmbeddingsInputDim - 6**cfg.AdditionTimeEmbedDim
	return unet.Inputs{
		Sample:              randn(2, cfg.InChannels, h, w),
		Timestep:            tensors.FromScalar(float32(999)),
		EncoderHiddenStates: randn(2, 77, layers[0].CrossDim),
		TextEmbeds:          randn(2, pooled),
		TimeIDs:             tensors.FromFlatDataAndDimensions(ids, 2, 6),
	}
}

// tinyDir finds the fixture UNet: $IPADAPTER_GOLDEN_DIR/tiny-sdxl/unet or
// testdata/golden/tiny-sdxl/unet above the working directory.
func tinyDir() (string, error) {
	if d := os.Getenv("IPADAPTER_GOLDEN_DIR"); d != "" {
		return filepath.Join(d, "tiny-sdxl", "unet"), nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return filepath.Join(d, "testdata", "golden", "tiny-sdxl", "unet"), nil
		}
		if filepath.Dir(d) == d {
			return "", errors.New("no go.mod above the working directory: set IPADAPTER_GOLDEN_DIR")
		}
	}
}
