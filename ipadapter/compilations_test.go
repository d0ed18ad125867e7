package ipadapter

import (
	"slices"
	"testing"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/adapter"
)

// TestCompilationsPerComponent: a fresh pipeline has compiled nothing;
// the first run compiles every component it uses; another seed and scale
// compile nothing more; unloading the adapters (and their encoder) keeps
// their counts.
func TestCompilationsPerComponent(t *testing.T) {
	call := basicCall(t)
	p := ownPipeline(t, testOptions(t))
	if c := p.Compilations(); c.Total() != 0 || len(c.TextEncoders) != 2 {
		t.Fatalf("a fresh pipeline counts %+v, want nothing compiled for its 2 text encoders", c)
	}
	if err := p.LoadIPAdapter(t.Context(), call.adapterDir, "", call.adapterNames...); err != nil {
		t.Fatal(err)
	}
	req := call.req
	req.NumInferenceSteps = 2
	latentsOf(t, p, req)
	first := p.Compilations()
	if first.UNet == 0 || first.ImageEncoder == 0 || first.ImageProjection == 0 || slices.Contains(first.TextEncoders, 0) {
		t.Fatalf("after a run: %+v, want every component compiled", first)
	}
	req.Seed = Seed(12345)
	if err := p.SetIPAdapterScale(adapter.Scale(0.3)); err != nil {
		t.Fatal(err)
	}
	latentsOf(t, p, req)
	if again := p.Compilations(); again.Total() != first.Total() {
		t.Errorf("another seed and scale compiled more: %+v, then %+v", first, again)
	}
	if err := p.UnloadIPAdapter(); err != nil {
		t.Fatal(err)
	}
	if after := p.Compilations(); after.ImageEncoder != first.ImageEncoder || after.ImageProjection != first.ImageProjection {
		t.Errorf("after unloading: %+v, want the encoder's and projection's counts kept from %+v", after, first)
	}
}

// TestCompilationsCountTheVAE: latent output decodes nothing; the first
// decoded run compiles the VAE's decode graph, a second one of the same
// size nothing more; Total includes the VAE.
func TestCompilationsCountTheVAE(t *testing.T) {
	call := basicCall(t)
	p := ownPipeline(t, testOptions(t))
	req := call.req
	req.NumInferenceSteps = 1
	req.IPAdapterImages = nil
	latentsOf(t, p, req)
	if c := p.Compilations(); c.VAE != 0 {
		t.Fatalf("latent output compiled %d VAE graphs, want none", c.VAE)
	}
	req.OutputType = OutputNP
	for run := range 2 {
		if _, err := p.Generate(t.Context(), req); err != nil {
			t.Fatal(err)
		}
		c := p.Compilations()
		if c.VAE != 1 {
			t.Errorf("after decoded run %d: %d VAE compilations, want 1", run+1, c.VAE)
		}
		sum := c.UNet + c.ImageEncoder + c.ImageProjection + c.VAE
		for _, n := range c.TextEncoders {
			sum += n
		}
		if c.Total() != sum {
			t.Errorf("Total %d, the counts %+v sum to %d", c.Total(), c, sum)
		}
	}
}
