// Package vaebench times VAE decodes with random weights, for the
// benchmark commands (bench/vaedecode, bench/unetstep).
package vaebench

import (
	"time"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/seed11f6bdef/gonb-ipadapter/bench/internal/timing"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/vae"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// Bench is one decode benchmark: an SDXLLike VAE of these widths and
// groups decoding Latents×Latents latents, batch 1, with the VAE's default
// options.
type Bench struct {
	Name    string
	Widths  []int
	Groups  int
	Latents int
}

// Benches are bench/vaedecode's benchmarks (gpucheck -gobench runs them
// too, on a machine without Go).
var Benches = []Bench{
	{"vae_decode_tiny_16x16", []int{16, 32, 32, 32}, 8, 16},
	{"vae_decode_small_sdxl_32x32", []int{32, 64, 128, 128}, 8, 32},
}

// Run times the benchmark on backend (Decode).
func (b Bench) Run(backend compute.Backend, reps int) (timing.Result, error) {
	cfg := SDXLLike(b.Widths, b.Groups)
	return Decode(backend, b.Name, cfg, vae.DefaultOptions(backend, cfg, dtypes.InvalidDType), 1, b.Latents, reps)
}

// SDXLLike is SDXL's VAE config (four DownEncoder/UpDecoder levels, two
// layers per block, SDXL's scaling factor) with other widths and groups.
func SDXLLike(widths []int, groups int) vae.Config {
	c := vae.DefaultConfig()
	c.BlockOutChannels = widths
	c.DownBlockTypes = make([]string, len(widths))
	c.UpBlockTypes = make([]string, len(widths))
	for i := range widths {
		c.DownBlockTypes[i], c.UpBlockTypes[i] = "DownEncoderBlock2D", "UpDecoderBlock2D"
	}
	c.LayersPerBlock = 2
	c.NormNumGroups = groups
	c.ScalingFactor = 0.13025
	return c
}

// Decode times DecodeLatents of [batch, 4, size, size] random latents with
// random weights: compile_s is Model.Precompile, then one untimed warm-up
// decode (the backend's buffer pools fill), then reps timed decodes, each
// until the pixels are copied to the host.
func Decode(backend compute.Backend, name string, cfg vae.Config, opts nn.Options, batch, size, reps int) (timing.Result, error) {
	src, cleanup, err := RandomWeights(cfg)
	if err != nil {
		return timing.Result{}, err
	}
	defer cleanup()
	return DecodeWith(backend, name, cfg, src, opts, batch, size, reps)
}

// DecodeWith is Decode with the weights given.
func DecodeWith(backend compute.Backend, name string, cfg vae.Config, src weights.Source, opts nn.Options, batch, size, reps int) (timing.Result, error) {
	m, err := vae.New(cfg, src, backend, opts)
	if err != nil {
		return timing.Result{}, err
	}
	defer m.Finalize()
	latents := tensors.FromFlatDataAndDimensions(Normals(batch*4*size*size, 7), batch, 4, size, size)
	start := time.Now()
	if err := m.Precompile(shapes.Shape{}, latents.Shape(), shapes.Shape{}); err != nil {
		return timing.Result{}, err
	}
	compile := time.Since(start)
	decode := func() (time.Duration, error) {
		start := time.Now()
		out, err := m.DecodeLatents(latents)
		if err != nil {
			return 0, err
		}
		if err := out.ConstBytes(func([]byte) {}); err != nil { // waits for the result and copies it to the host
			return 0, err
		}
		out.FinalizeAll()
		return time.Since(start), nil
	}
	if _, err := decode(); err != nil {
		return timing.Result{}, err
	}
	var times []float64
	for range max(reps, 1) {
		d, err := decode()
		if err != nil {
			return timing.Result{}, err
		}
		times = append(times, d.Seconds())
	}
	med, lo, hi := timing.Summary(times)
	return timing.Result{Bench: name, MedianS: med, MinS: lo, MaxS: hi, CompileS: compile.Seconds()}, nil
}
