package vae

import (
	"math"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"
)

// TestDecodeLatentsScaling checks DecodeLatents against Decode of latents
// scaled on the host the way the pipelines write it, for the plain SDXL
// scaling, a shift factor (SD3/Flux style) and per-channel mean/std.
func TestDecodeLatentsScaling(t *testing.T) {
	shift := 0.0609
	for _, tc := range []struct {
		name  string
		edit  func(*Config)
		toVAE func(v float32, ch int, c Config) float32
	}{
		{"sdxl", func(*Config) {}, func(v float32, _ int, c Config) float32 { return v / float32(c.ScalingFactor) }},
		{"shift", func(c *Config) { c.ShiftFactor = &shift }, func(v float32, _ int, c Config) float32 {
			return float32(v/float32(c.ScalingFactor)) + float32(shift)
		}},
		{"mean_std", func(c *Config) {
			c.LatentsMean = []float64{0.1, -0.2, 0.3, 0}
			c.LatentsStd = []float64{1.5, 0.5, 2, 1}
		}, func(v float32, ch int, c Config) float32 {
			return float32(float32(v*float32(c.LatentsStd[ch]))/float32(c.ScalingFactor)) + float32(c.LatentsMean[ch])
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := smallConfig()
			tc.edit(&cfg)
			m := randomModel(t, cfg)
			lat, lv := randomTensor(3, 2, 4, 2, 3)
			scaled := make([]float32, len(lv))
			for i, v := range lv {
				scaled[i] = tc.toVAE(v, (i/6)%4, cfg)
			}
			got, err := m.DecodeLatents(lat)
			if err != nil {
				t.Fatal(err)
			}
			want, err := m.Decode(tensors.FromFlatDataAndDimensions(scaled, 2, 4, 2, 3))
			if err != nil {
				t.Fatal(err)
			}
			g, w := values(t, got), values(t, want)
			for i := range g {
				if g[i] != w[i] {
					t.Fatalf("value %d: DecodeLatents %v, Decode of host-scaled latents %v", i, g[i], w[i])
				}
			}
			// ToUNet inverts the scaling (up to float32 rounding).
			back, err := cfg.ToUNet(scaled, []int{2, 4, 2, 3})
			if err != nil {
				t.Fatal(err)
			}
			for i := range back {
				if d := math.Abs(float64(back[i] - lv[i])); d > 1e-6*(1+math.Abs(float64(lv[i]))) {
					t.Fatalf("ToUNet(FromUNet(x))[%d] = %v, want %v", i, back[i], lv[i])
				}
			}
		})
	}
	if _, err := smallConfig().ToUNet(make([]float32, 6), []int{1, 3, 1, 2}); err == nil {
		t.Error("ToUNet accepted 3 channels")
	}
}
