package server_test

import (
	"image"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/adapter"
	"github.com/seed11f6bdef/gonb-ipadapter/kernel"
	"github.com/seed11f6bdef/gonb-ipadapter/kernel/server"
)

// TestSwitchAdapters: after a plain adapter that brought the folder's
// image encoder (ViT-bigG in h94's sdxl_models), an adapter that needs
// another encoder loads in its place, and generates what a pipeline
// loaded with that encoder does; a switch that fails (its encoder does
// not load) leaves the plain adapter loaded and working as before.
func TestSwitchAdapters(t *testing.T) {
	repo, narrow := switchRepo(t)
	ts := start(t, server.Options{})
	ctx := t.Context()
	// The fixture model brings its own image encoder, which the library
	// never replaces (SDXL base has none): drop it with a first adapter.
	p := loadTiny(t, ts.client(t), "switch", plainAdapter)
	if err := p.UnloadIPAdapter(ctx); err != nil {
		t.Fatal(err)
	}
	plain := kernel.AdapterRequest{Repo: repo, Subfolder: "sdxl_models", WeightNames: []string{plainAdapter}}
	if _, err := p.LoadIPAdapter(ctx, plain, nil); err != nil {
		t.Fatal(err)
	}
	req := kernel.Request{
		Prompt: "a cat", IPAdapterImages: [][]image.Image{{loadImage(t, "image_a.png")}},
		Scale: 0.6, Steps: 2, Height: 64, Width: 64, Seed: kernel.Seed(5),
	}
	before, err := p.Generate(ctx, req)
	if err != nil {
		t.Fatal(err)
	}

	failed := kernel.AdapterRequest{Repo: repo, Subfolder: "sdxl_models", WeightNames: []string{narrow}, ImageEncoderFolder: "models/broken_encoder"}
	if _, err := p.LoadIPAdapter(ctx, failed, nil); err == nil || !strings.Contains(err.Error(), "broken_encoder") {
		t.Fatalf("loading an adapter whose encoder does not load: error %v, want one naming the encoder", err)
	}
	info, err := p.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.NumAdapters != 1 || info.Adapters == nil || !slices.Equal(info.Adapters.WeightNames, plain.WeightNames) {
		t.Fatalf("after a failed switch: %d adapters, %+v; want the plain one", info.NumAdapters, info.Adapters)
	}
	again, err := p.Generate(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	samePixels(t, again.Images[0], before.Images[0])

	good := failed
	good.ImageEncoderFolder = "models/image_encoder"
	if _, err := p.LoadIPAdapter(ctx, good, nil); err != nil {
		t.Fatalf("switching to an adapter that needs another encoder: %v", err)
	}
	after, err := p.Generate(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	// The reference: a pipeline loaded with the narrow encoder.
	want := func() image.Image {
		pipe, err := ipadapter.FromPretrained(ctx, filepath.Join(fixtures(t), "tiny-sdxl"), ipadapter.Options{
			ImageEncoder: ipadapter.ComponentRef{Repo: filepath.Join(repo, "models", "image_encoder")},
		})
		if err != nil {
			t.Fatal(err)
		}
		defer pipe.Close()
		if err := pipe.LoadIPAdapter(ctx, repo, "sdxl_models", narrow); err != nil {
			t.Fatal(err)
		}
		if err := pipe.SetIPAdapterScale(adapter.Scale(0.6)); err != nil {
			t.Fatal(err)
		}
		res, err := pipe.Generate(ctx, ipadapter.Request{
			Prompt: ipadapter.Text("a cat"), IPAdapterImages: [][]image.Image{{loadImage(t, "image_a.png")}},
			NumInferenceSteps: 2, Height: 64, Width: 64, Seed: ipadapter.Seed(5),
		})
		if err != nil {
			t.Fatal(err)
		}
		return res.Images[0]
	}()
	samePixels(t, after.Images[0], want)
}
