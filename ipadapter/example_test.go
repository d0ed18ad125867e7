package ipadapter_test

import (
	"context"
	"fmt"
	"image"
	"os"
	"path/filepath"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/adapter"
)

// The examples run on the tiny test model of the repository's fixtures
// (same architecture as SDXL, random weights); with the real one, use
// "stabilityai/stable-diffusion-xl-base-1.0" and "h94/IP-Adapter".
const (
	tinyModel    = "../testdata/golden/tiny-sdxl"
	tinyAdapters = "../testdata/golden/ip-adapter"
	tinyImage    = "../testdata/golden/images/image_a.png"
)

// Example follows the IP-Adapter guide of diffusers: load the pipeline and
// an adapter, set its scale, generate from a prompt and a reference image,
// and save the result with its metadata.
func Example() {
	ctx := context.Background()
	pipe, err := ipadapter.FromPretrained(ctx, tinyModel, ipadapter.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer pipe.Close()
	if err := pipe.LoadIPAdapter(ctx, tinyAdapters, "sdxl_models", "ip-adapter_tiny-sdxl.safetensors"); err != nil {
		fmt.Println(err)
		return
	}
	if err := pipe.SetIPAdapterScale(adapter.Scale(0.6)); err != nil {
		fmt.Println(err)
		return
	}
	ref, err := ipadapter.LoadImage(ctx, tinyImage)
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := pipe.Generate(ctx, ipadapter.Request{
		Prompt:            ipadapter.Text("a polar bear sitting in a chair drinking a milkshake"),
		NegativePrompt:    ipadapter.Text("deformed, ugly, wrong proportion, low res, bad anatomy, worst quality, low quality"),
		IPAdapterImages:   [][]image.Image{{ref}},
		NumInferenceSteps: 4,
		Seed:              ipadapter.Seed(0),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	dir, err := os.MkdirTemp("", "ipadapter-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "bear.png")
	if err := res.SavePNG(path, 0); err != nil {
		fmt.Println(err)
		return
	}
	meta, err := ipadapter.ReadMetadata(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("image:", res.Images[0].Bounds().Size())
	fmt.Println("seed:", *meta.Seed, "steps:", meta.NumInferenceSteps, "scheduler:", meta.Scheduler)
	fmt.Println("ip_adapter_scale:", string(meta.IPAdapterScale))
	// Output:
	// image: (128,128)
	// seed: 0 steps: 4 scheduler: EulerDiscreteScheduler
	// ip_adapter_scale: [0.6]
}

// ExampleFromSingleFile loads Stability's single-file layout, with the
// configs and tokenizers of a diffusers folder (for the real model,
// sd_xl_base_1.0.safetensors with the default config repository).
func ExampleFromSingleFile() {
	ctx := context.Background()
	pipe, err := ipadapter.FromSingleFile(ctx, "../testdata/golden/single-file/tiny-sdxl_sgm.fp16.safetensors",
		ipadapter.Options{Config: tinyModel})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer pipe.Close()
	res, err := pipe.Generate(ctx, ipadapter.Request{
		Prompt:            ipadapter.Text("a photo of an astronaut riding a horse on mars"),
		Width:             192,
		NumInferenceSteps: 2,
		Seed:              ipadapter.Seed(1),
		OutputType:        ipadapter.OutputLatents,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("latents:", res.Latents.Shape)
	for _, m := range res.Metadata.Models {
		fmt.Println(m.Component, m.Files[0].SHA256 != "")
	}
	// Output:
	// latents: [1 4 16 24]
	// checkpoint true
}

// ExamplePipeline_Generate_progress reports each step, previews the image
// as it forms, and stops the run from the callback by cancelling its
// context (a notebook's "interrupt" does the same).
func ExamplePipeline_Generate_progress() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pipe, err := ipadapter.FromPretrained(ctx, tinyModel, ipadapter.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer pipe.Close()
	_, err = pipe.Generate(ctx, ipadapter.Request{
		Prompt:            ipadapter.Text("a cat, masterpiece"),
		NumInferenceSteps: 10,
		Seed:              ipadapter.Seed(26),
		Progress: func(p ipadapter.Progress) {
			preview, err := p.Preview(0)
			if err != nil {
				fmt.Println(err)
				return
			}
			fmt.Printf("step %d/%d, preview %v\n", p.Step, p.Total, preview.Bounds().Size())
			if p.Step == 2 {
				cancel()
			}
		},
	})
	fmt.Println(err)
	// Output:
	// step 0/10, preview (16,16)
	// step 1/10, preview (16,16)
	// step 2/10, preview (16,16)
	// generate: interrupted before step 3 of 10: context canceled
}
