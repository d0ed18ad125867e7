package vae

import (
	"testing"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/golden"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
)

// TestSDXLBaseManifest builds the VAE from the real SDXL base config (no
// weights) and checks every parameter name and shape against the manifest
// made from diffusers' own module.
func TestSDXLBaseManifest(t *testing.T) {
	man := golden.LoadManifest(t, "sdxl_base_vae")
	cfg, err := ParseConfig(man.Config)
	if err != nil {
		t.Fatal(err)
	}
	arch, err := NewAutoencoderKL(cfg)
	if err != nil {
		t.Fatal(err)
	}
	specs := arch.Specs()
	names := make([]string, len(specs))
	shapes := make([][]int, len(specs))
	for i, s := range specs {
		names[i], shapes[i] = s.Name, s.Shape
	}
	man.CheckNamesAndShapes(t, names, shapes)
	const want = 83_653_863
	if got := nn.NumParameters(specs); got != want || man.NParams != want {
		t.Errorf("model has %d parameters, manifest %d, want %d", got, man.NParams, want)
	}
	if cfg.ScaleFactor() != 8 || cfg.ScalingFactor != 0.13025 || !cfg.ForceUpcast {
		t.Errorf("SDXL config read as scale %d, scaling_factor %v, force_upcast %v", cfg.ScaleFactor(), cfg.ScalingFactor, cfg.ForceUpcast)
	}
}
