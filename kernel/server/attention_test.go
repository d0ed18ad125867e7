package server_test

import (
	"image"
	"math"
	"slices"
	"testing"

	"github.com/seed11f6bdef/gonb-ipadapter/kernel"
	"github.com/seed11f6bdef/gonb-ipadapter/kernel/server"
)

// TestAttentionMaps: the maps are softmax rows of the UNet calls of the
// generation itself, for every attn2 layer, over the prompt's tokens and
// the adapter's image tokens; the run is the one a plain generation
// makes (same pixels, bitwise the same latents); capturing costs one more
// UNet graph and never recompiles the plain one.
func TestAttentionMaps(t *testing.T) {
	ts := start(t, server.Options{})
	p := loadTiny(t, ts.client(t), "tiny", plusAdapter)
	req := kernel.Request{
		Prompt: "a polar bear", NegativePrompt: "blurry",
		IPAdapterImages: [][]image.Image{{loadImage(t, "image_a.png")}}, Scale: 0.6,
		Steps: 3, Seed: kernel.Seed(7),
	}
	att, err := p.Attention(t.Context(), kernel.AttentionRequest{Request: req, Step: 2})
	if err != nil {
		t.Fatal(err)
	}
	if att.Step != 2 || att.Total != 3 {
		t.Errorf("captured step %d of %d, want 2 of 3", att.Step, att.Total)
	}
	if want := []string{"<start>", "a", "polar", "bear", "<end>"}; !slices.Equal(att.TextTokens, want) {
		t.Errorf("text tokens %q, want %q", att.TextTokens, want)
	}
	info, err := p.Info(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(att.Layers) == 0 {
		t.Fatal("no layers")
	}
	for _, l := range att.Layers {
		n := l.Height * l.Width
		if l.Text.Keys != len(att.TextTokens) {
			t.Errorf("%s: %d text keys, want %d", l.Name, l.Text.Keys, len(att.TextTokens))
		}
		// Kept tokens are part of a softmax row: each pixel's share is in
		// [0, 1] and their sum at most 1.
		for q := range n {
			sum := 0.0
			for k := range l.Text.Keys {
				v := float64(l.Text.Data[k*n+q])
				if v < 0 || v > 1 {
					t.Fatalf("%s: text attention %g", l.Name, v)
				}
				sum += v
			}
			if sum > 1+1e-5 {
				t.Fatalf("%s: text attention of pixel %d sums to %g", l.Name, q, sum)
			}
		}
		if len(l.IP) != 1 || l.IP[0].Keys != 16 || math.Abs(l.IP[0].Scale-0.6) > 1e-6 {
			t.Fatalf("%s: image maps %d, keys %d, scale %g; want one over 16 tokens at 0.6", l.Name, len(l.IP), l.IP[0].Keys, l.IP[0].Scale)
		}
		// The image branch has its own softmax over the image tokens.
		ip := l.IP[0]
		for q := range n {
			sum := 0.0
			for k := range ip.Keys {
				sum += float64(ip.Data[k*n+q])
			}
			if math.Abs(sum-1) > 1e-4 {
				t.Fatalf("%s: image attention of pixel %d sums to %g, want 1", l.Name, q, sum)
			}
		}
	}
	if c := info.Compilations; c.UNet != 2 || c.Total < c.UNet+c.VAE || c.VAE == 0 {
		t.Errorf("status compilations %+v after one capturing run: want 2 UNet graphs (the plain one and the capturing one) and the VAE's", c)
	}
	plain, err := p.Generate(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	samePixels(t, att.Result.Images[0], plain.Images[0])
	if info, err = p.Info(t.Context()); err != nil {
		t.Fatal(err)
	} else if info.Compilations.UNet != 2 {
		t.Errorf("a plain run after the capturing one: %d UNet graphs, want still 2", info.Compilations.UNet)
	}

	// One layer by name, with latents out: bitwise those of a plain run
	// (on the CPU the capturing graph computes the same numbers).
	one := att.Layers[len(att.Layers)-1].Name
	latReq := req
	latReq.OutputType = "latent"
	att2, err := p.Attention(t.Context(), kernel.AttentionRequest{Request: latReq, Step: 3, Layers: []string{one}})
	if err != nil {
		t.Fatal(err)
	}
	if len(att2.Layers) != 1 || att2.Layers[0].Name != one {
		t.Errorf("asked for %s, got %d layers", one, len(att2.Layers))
	}
	plainLat, err := p.Generate(t.Context(), latReq)
	if err != nil {
		t.Fatal(err)
	}
	if att2.Result.Array == nil || plainLat.Array == nil || !slices.Equal(att2.Result.Array.Data, plainLat.Array.Data) {
		t.Error("the capturing run's latents differ from a plain run's")
	}
	if _, err := p.Attention(t.Context(), kernel.AttentionRequest{Request: req, Layers: []string{"no.such.attn2"}}); err == nil {
		t.Error("an unknown layer was accepted")
	}
	if _, err := p.Attention(t.Context(), kernel.AttentionRequest{Request: req, Step: 4}); err == nil {
		t.Error("step 4 of 3 was accepted")
	}
	if _, err := p.Attention(t.Context(), kernel.AttentionRequest{Request: req, Image: 1}); err == nil {
		t.Error("image 1 of a batch of 1 was accepted")
	}
}
