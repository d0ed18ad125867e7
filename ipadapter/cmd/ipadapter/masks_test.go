package main

import (
	"context"
	"image"
	"path/filepath"
	"testing"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/adapter"
)

// TestGenerateWithMasks: two reference images for one adapter, each with
// its mask and a per-image scale (diffusers' masking example), give the
// library's image for the same request; the masks are made for the
// requested size.
func TestGenerateWithMasks(t *testing.T) {
	f := fx(t)
	out := filepath.Join(t.TempDir(), "masked.png")
	runOK(t, "generate", "--model", f.model, "--ip-adapter", f.plain,
		"--ip-image", f.imageA+","+f.imageB, "--mask", f.maskLeft, "--mask", f.maskRight, "--scale", "[[0.7, 0.4]]",
		"--prompt", "two girls", "--steps", "2", "--seed", "1", "--width", "96", "--height", "64", "--out", out)

	ctx := context.Background()
	pipe, err := ipadapter.FromPretrained(ctx, f.model, ipadapter.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer pipe.Close()
	if err := pipe.LoadIPAdapter(ctx, f.adapters, "", filepath.Base(f.plain)); err != nil {
		t.Fatal(err)
	}
	if err := pipe.SetIPAdapterScale(adapter.PerImage{0.7, 0.4}); err != nil {
		t.Fatal(err)
	}
	load := func(paths ...string) []image.Image {
		var imgs []image.Image
		for _, p := range paths {
			img, err := ipadapter.LoadImage(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			imgs = append(imgs, img)
		}
		return imgs
	}
	masks, err := ipadapter.PreprocessMasks(load(f.maskLeft, f.maskRight), 64, 96)
	if err != nil {
		t.Fatal(err)
	}
	res, err := pipe.Generate(ctx, ipadapter.Request{
		Prompt: ipadapter.Text("two girls"), IPAdapterImages: [][]image.Image{load(f.imageA, f.imageB)},
		IPAdapterMasks: []*adapter.Mask{masks}, NumInferenceSteps: 2, Seed: ipadapter.Seed(1), Width: 96, Height: 64,
	})
	if err != nil {
		t.Fatal(err)
	}
	if !sameImage(readPNG(t, out), res.Images[0]) {
		t.Error("the masked PNG differs from the library's image for the same request")
	}
	meta, err := ipadapter.ReadMetadata(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(meta.IPAdapterMasks) != 1 || len(meta.IPAdapterImages) != 1 || len(meta.IPAdapterImages[0]) != 2 {
		t.Errorf("metadata: masks %v, images %v", meta.IPAdapterMasks, meta.IPAdapterImages)
	}
}
