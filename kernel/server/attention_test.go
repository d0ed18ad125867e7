package server_test

import (
	"image"
	"math"
	"testing"

	"github.com/seed11f6bdef/gonb-ipadapter/kernel"
	"github.com/seed11f6bdef/gonb-ipadapter/kernel/server"
)

// TestAttentionMaps: the maps are softmax rows of the very UNet call that
// made the image (the probe's noise prediction equals the pipeline's),
// for every attn2 layer, over the prompt's tokens and the adapter's image
// tokens, and the image is the one a plain generation gives.
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
		t.Errorf("probed step %d of %d, want 2 of 3", att.Step, att.Total)
	}
	t.Logf("probe vs pipeline noise: max abs diff %g", att.NoiseMaxAbsDiff)
	if att.NoiseMaxAbsDiff > 1e-4 {
		t.Errorf("the probe's noise prediction differs from the pipeline's by %g", att.NoiseMaxAbsDiff)
	}
	if want := []string{"<start>", "a", "polar", "bear", "<end>"}; !equalStrings(att.TextTokens, want) {
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
	if info.ProbeCompilations == 0 {
		t.Error("status reports no probe compilation")
	}
	plain, err := p.Generate(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	samePixels(t, att.Result.Images[0], plain.Images[0])

	// One layer by name; a name that does not exist is an error.
	one := att.Layers[len(att.Layers)-1].Name
	att2, err := p.Attention(t.Context(), kernel.AttentionRequest{Request: req, Step: 3, Layers: []string{one}})
	if err != nil {
		t.Fatal(err)
	}
	if len(att2.Layers) != 1 || att2.Layers[0].Name != one {
		t.Errorf("asked for %s, got %d layers", one, len(att2.Layers))
	}
	if _, err := p.Attention(t.Context(), kernel.AttentionRequest{Request: req, Layers: []string{"no.such.attn2"}}); err == nil {
		t.Error("an unknown layer was accepted")
	}
	if _, err := p.Attention(t.Context(), kernel.AttentionRequest{Request: req, Step: 4}); err == nil {
		t.Error("step 4 of 3 was accepted")
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
