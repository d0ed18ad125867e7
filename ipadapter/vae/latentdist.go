package vae

import (
	"fmt"
	"slices"
)

// LatentDist is the encoder's diagonal Gaussian (diffusers'
// DiagonalGaussianDistribution), on the host in float32, all values laid
// out as Shape [B, latent_channels, h, w].
type LatentDist struct {
	Shape  []int
	Mean   []float32
	LogVar []float32 // clamped to [−30, 20]
	Std    []float32 // exp(0.5·LogVar)
}

// Normal draws standard normal noise of a shape, as torch.randn(shape,
// generator=g) does; *torchrand.Generator is one.
type Normal interface {
	Randn(shape ...int) ([]float32, error)
}

// Mode returns the distribution's mode, its mean (latent_dist.mode()).
func (d *LatentDist) Mode() []float32 { return slices.Clone(d.Mean) }

// Sample draws latent_dist.sample(generator): mean + std·ε with ε drawn
// from gen for the whole shape at once (randn_tensor with one generator).
func (d *LatentDist) Sample(gen Normal) ([]float32, error) {
	if gen == nil {
		return nil, fmt.Errorf("vae: sampling needs a noise generator")
	}
	eps, err := gen.Randn(d.Shape...)
	if err != nil {
		return nil, fmt.Errorf("vae: drawing latent noise: %w", err)
	}
	return d.SampleWithNoise(eps)
}

// SampleWithNoise returns mean + std·ε for given noise ε (same shape).
func (d *LatentDist) SampleWithNoise(eps []float32) ([]float32, error) {
	if len(eps) != len(d.Mean) {
		return nil, fmt.Errorf("vae: %d noise values for latents of shape %v (%d values)", len(eps), d.Shape, len(d.Mean))
	}
	out := make([]float32, len(eps))
	for i, e := range eps {
		out[i] = d.Mean[i] + float32(d.Std[i]*e) // the conversion forbids a fused multiply-add: PyTorch rounds twice
	}
	return out, nil
}
