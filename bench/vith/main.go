// Command vith times a full-size ViT-H/14 image encoder forward pass
// (IP-Adapter's models/image_encoder, CLIPVisionModelWithProjection) at
// batch 1 on GoMLX's pure-Go backend, with random weights of the real
// shapes (from the manifest's config) and a random 224×224 input. It
// prints one JSON line:
//
//	{"bench":"vith_forward_b1","median_s":…,"min_s":…,"max_s":…,"compile_s":…}
//
// compile_s is the first call's extra time over the median run: building
// and compiling the graph (the pure-Go backend also turns the weights into
// constants then). Run from the repository root: go run ./bench/vith
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"time"

	"github.com/gomlx/compute/gobackend"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/seed11f6bdef/gonb-ipadapter/bench/internal/timing"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/clip"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
)

func main() {
	if err := benchMain(); err != nil {
		fmt.Fprintln(os.Stderr, "vith:", err)
		os.Exit(1)
	}
}

func benchMain() error {
	manifest := flag.String("manifest", "testdata/golden/manifests/h94_models_image_encoder_vit-h-14.json", "manifest whose config describes the model")
	runs := flag.Int("runs", 5, "timed runs after the first (compiling) call")
	profile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.Parse()
	if *profile != "" {
		stop, err := startProfile(*profile)
		if err != nil {
			return err
		}
		defer stop()
	}
	return run(*manifest, *runs)
}

func run(manifestPath string, runs int) error {
	if runs < 1 {
		return fmt.Errorf("-runs must be at least 1")
	}
	cfg, err := readManifestConfig(manifestPath)
	if err != nil {
		return err
	}
	m, err := clip.NewVisionModel(cfg)
	if err != nil {
		return err
	}
	backend, err := gobackend.New("")
	if err != nil {
		return fmt.Errorf("creating the pure-Go backend: %w", err)
	}
	loadStart, loadCPU := time.Now(), cpuTime()
	enc, err := clip.NewVisionEncoder(m, newRandomSource(m.Specs(), 1), backend, nn.DefaultOptions(backend))
	if err != nil {
		return err
	}
	defer enc.Close()
	fmt.Fprintf(os.Stderr, "vith: %d random parameters made and loaded in %.1fs wall, %.1fs CPU\n",
		nn.NumParameters(m.Specs()), time.Since(loadStart).Seconds(), (cpuTime() - loadCPU).Seconds())

	dims := m.InputDims(1)
	rng := rand.New(rand.NewPCG(2, 3))
	pixels := make([]float32, dims[0]*dims[1]*dims[2]*dims[3])
	for i := range pixels {
		pixels[i] = float32(rng.NormFloat64())
	}
	input := tensors.FromFlatDataAndDimensions(pixels, dims...)
	want := clip.VisionOutputs{ImageEmbeds: true, HiddenStates: []int{-2}} // what plain and Plus adapters use

	forward := func() (time.Duration, error) {
		start, cpu := time.Now(), cpuTime()
		defer func() {
			fmt.Fprintf(os.Stderr, "vith: call took %.3fs wall, %.3fs CPU\n", time.Since(start).Seconds(), (cpuTime() - cpu).Seconds())
		}()
		res, err := enc.Encode(input, want)
		if err != nil {
			return 0, err
		}
		if _, err := tensors.CopyFlatData[float32](res.ImageEmbeds); err != nil {
			return 0, err
		}
		return time.Since(start), nil
	}
	first, err := forward()
	if err != nil {
		return err
	}
	times := make([]float64, runs)
	for i := range times {
		d, err := forward()
		if err != nil {
			return err
		}
		times[i] = d.Seconds()
	}
	median, lo, hi := timing.Summary(times)
	return timing.Print(timing.Result{
		Bench: "vith_forward_b1", MedianS: median, MinS: lo, MaxS: hi,
		CompileS: max(0, first.Seconds()-median),
	})
}

// readManifestConfig reads the model config stored in a manifest file.
func readManifestConfig(path string) (clip.VisionConfig, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return clip.VisionConfig{}, fmt.Errorf("reading the manifest (run from the repository root or pass -manifest): %w", err)
	}
	var manifest struct {
		Model  string          `json:"model"`
		Config json.RawMessage `json:"config"`
	}
	if err := json.Unmarshal(data, &manifest); err != nil {
		return clip.VisionConfig{}, fmt.Errorf("%s: %w", path, err)
	}
	cfg, err := clip.ParseVisionConfig(manifest.Config)
	if err != nil {
		return cfg, fmt.Errorf("%s: %w", path, err)
	}
	if cfg.Architecture() != manifest.Model {
		return cfg, fmt.Errorf("%s describes %s, not %s", path, manifest.Model, cfg.Architecture())
	}
	return cfg, nil
}
