package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/adapter"
)

// TestEmbedThenGenerate: embeddings saved by embed give generate the image
// it makes from the reference image itself (a plus adapter: hidden states,
// and a negative half from the encoder).
func TestEmbedThenGenerate(t *testing.T) {
	f := fx(t)
	dir := t.TempDir()
	embeds := filepath.Join(dir, "a.safetensors")
	stdout := runOK(t, "embed", "--model", f.model, "--ip-adapter", f.plus, "--ip-image", f.imageA, "--out", embeds)
	if !strings.Contains(stdout, "wrote "+embeds) {
		t.Errorf("stdout does not report the file:\n%s", stdout)
	}
	loaded, err := adapter.LoadEmbeds(embeds)
	if err != nil {
		t.Fatal(err)
	}
	if len(loaded) != 1 || loaded[0].Kind != adapter.Plus || loaded[0].NumImages() != 1 || loaded[0].Negative == nil {
		t.Fatalf("embeddings file holds %d entries (%+v), want one plus entry for one image with its negative", len(loaded), loaded[0])
	}

	common := []string{"generate", "--model", f.model, "--ip-adapter", f.plus, "--scale", "0.8",
		"--prompt", "a cat", "--steps", "2", "--seed", "11", "--width", "64", "--height", "64"}
	fromEmbeds, fromImage := filepath.Join(dir, "embeds.png"), filepath.Join(dir, "image.png")
	runOK(t, append(common, "--ip-embeds", embeds, "--out", fromEmbeds)...)
	runOK(t, append(common, "--ip-image", f.imageA, "--out", fromImage)...)
	if !sameImage(readPNG(t, fromEmbeds), readPNG(t, fromImage)) {
		t.Error("generate --ip-embeds differs from generate --ip-image with the same image")
	}
	// The two runs took the two paths the metadata tells apart.
	me, err := ipadapter.ReadMetadata(fromEmbeds)
	if err != nil {
		t.Fatal(err)
	}
	mi, err := ipadapter.ReadMetadata(fromImage)
	if err != nil {
		t.Fatal(err)
	}
	if len(me.IPAdapterImageEmbeds) != 1 || len(me.IPAdapterImages) != 0 || len(mi.IPAdapterImages) != 1 {
		t.Errorf("metadata: embeds run has %d embeds and %d images, image run %d images",
			len(me.IPAdapterImageEmbeds), len(me.IPAdapterImages), len(mi.IPAdapterImages))
	}
}
