package main

import (
	"context"
	"encoding/json"
	"image"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/adapter"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

const (
	testPrompt   = "a polar bear sitting in a chair drinking a milkshake"
	testNegative = "deformed, ugly, wrong proportion, low res"
)

// TestGenerateMatchesLibrary: the guide's call on the tiny model writes a
// PNG whose metadata says what was asked, whose pixels are the library's
// for the same request, and latents that are the last step's.
func TestGenerateMatchesLibrary(t *testing.T) {
	f := fx(t)
	dir := t.TempDir()
	out, lat := filepath.Join(dir, "bear.png"), filepath.Join(dir, "bear.safetensors")
	stdout := runOK(t, "generate", "--model", f.model,
		"--ip-adapter", f.plain, "--scale", "0.6", "--ip-image", f.imageA,
		"--prompt", testPrompt, "--negative-prompt", testNegative,
		"--steps", "2", "--seed", "7", "--out", out, "--latents", lat)
	if !strings.Contains(stdout, "wrote "+out) || !strings.Contains(stdout, "seed 7") {
		t.Errorf("stdout does not report the file and seed:\n%s", stdout)
	}

	meta, err := ipadapter.ReadMetadata(out)
	if err != nil {
		t.Fatal(err)
	}
	if meta.Seed == nil || *meta.Seed != 7 {
		t.Errorf("metadata seed %v, want 7", meta.Seed)
	}
	if !slices.Equal(meta.Prompt.Strings(), []string{testPrompt}) || !slices.Equal(meta.NegativePrompt.Strings(), []string{testNegative}) {
		t.Errorf("metadata prompts %q / %q", meta.Prompt.Strings(), meta.NegativePrompt.Strings())
	}
	scales, err := adapter.ParseScales(meta.IPAdapterScale)
	if err != nil || len(scales) != 1 || scales[0] != adapter.Scale(0.6) {
		t.Errorf("metadata scale %s (%v), want [0.6]", meta.IPAdapterScale, err)
	}
	if meta.NumInferenceSteps != 2 || meta.Width != 128 || meta.Height != 128 {
		t.Errorf("metadata: %d steps, %d×%d; want 2 steps, 128×128", meta.NumInferenceSteps, meta.Width, meta.Height)
	}

	// The same request through the library.
	ctx := context.Background()
	pipe, err := ipadapter.FromPretrained(ctx, f.model, ipadapter.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer pipe.Close()
	if err := pipe.LoadIPAdapter(ctx, f.adapters, "", filepath.Base(f.plain)); err != nil {
		t.Fatal(err)
	}
	if err := pipe.SetIPAdapterScale(adapter.Scale(0.6)); err != nil {
		t.Fatal(err)
	}
	ref, err := ipadapter.LoadImage(ctx, f.imageA)
	if err != nil {
		t.Fatal(err)
	}
	var final *ipadapter.Array
	res, err := pipe.Generate(ctx, ipadapter.Request{
		Prompt: ipadapter.Text(testPrompt), NegativePrompt: ipadapter.Text(testNegative),
		IPAdapterImages: [][]image.Image{{ref}}, NumInferenceSteps: 2, Seed: ipadapter.Seed(7),
		Progress: func(p ipadapter.Progress) { final = p.Latents },
	})
	if err != nil {
		t.Fatal(err)
	}
	if !sameImage(readPNG(t, out), res.Images[0]) {
		t.Error("the PNG's pixels differ from the library's image for the same request")
	}

	src, err := weights.Open(lat)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	got, info, err := weights.Float32s(src, latentsTensor)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(info.Shape, final.Shape) || !slices.Equal(got, final.Data) {
		t.Errorf("latents file %v differs from the library's final latents %v", info.Shape, final.Shape)
	}
	var latMeta ipadapter.Metadata
	if err := json.Unmarshal([]byte(src.Metadata()[ipadapter.MetadataKeyword]), &latMeta); err != nil || latMeta.Seed == nil || *latMeta.Seed != 7 {
		t.Errorf("latents file metadata: seed %v, error %v", latMeta.Seed, err)
	}
}

// TestGenerateSeveralImages: --num-images writes FILE_i.png, each with
// its index in the metadata, and different images.
func TestGenerateSeveralImages(t *testing.T) {
	f := fx(t)
	out := filepath.Join(t.TempDir(), "cat.png")
	runOK(t, "generate", "--model", f.model, "--ip-adapter", f.plain, "--ip-image", f.imageA,
		"--prompt", "a cat", "--steps", "2", "--width", "64", "--height", "64", "--num-images", "2",
		"--scheduler", "DDIMScheduler", "--quiet", "--out", out)
	var imgs []image.Image
	for i, path := range imagePaths(out, 2) {
		meta, err := ipadapter.ReadMetadata(path)
		if err != nil {
			t.Fatal(err)
		}
		if meta.Index != i || meta.NumImagesPerPrompt != 2 || meta.Scheduler != "DDIMScheduler" || meta.Width != 64 {
			t.Errorf("%s: index %d, %d images, scheduler %s, width %d", path, meta.Index, meta.NumImagesPerPrompt, meta.Scheduler, meta.Width)
		}
		imgs = append(imgs, readPNG(t, path))
	}
	if sameImage(imgs[0], imgs[1]) {
		t.Error("the two images are the same")
	}
}
