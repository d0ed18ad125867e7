package vae

import (
	"fmt"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/graph"
)

// FromUNetGraph maps latents from the UNet's space (what the denoising loop
// returns) to the VAE's, as the pipelines do before vae.decode:
// latents·std/scaling_factor + mean when the config has latents_mean and
// latents_std, otherwise latents/scaling_factor (+ shift_factor if any).
// The result is in the compute dtype dt. The arithmetic is float32, as
// PyTorch computes with Python scalars in float32 even for half tensors
// (with latents_mean/std in half precision PyTorch rounds to half after
// each operation; this rounds once, at the end).
func (c Config) FromUNetGraph(latents *graph.Node, dt dtypes.DType) *graph.Node {
	g := latents.Graph()
	x := graph.ConvertDType(graph.ConvertDType(latents, dt), dtypes.Float32)
	f32 := func(v float64) *graph.Node { return graph.Scalar(g, dtypes.Float32, v) }
	if c.LatentsMean != nil && c.LatentsStd != nil {
		mean, std := perChannel(g, c.LatentsMean), perChannel(g, c.LatentsStd)
		x = graph.Add(graph.Div(graph.Mul(x, std), f32(c.ScalingFactor)), mean)
	} else {
		x = graph.Div(x, f32(c.ScalingFactor))
		if c.ShiftFactor != nil {
			x = graph.Add(x, f32(*c.ShiftFactor))
		}
	}
	return graph.ConvertDType(x, dt)
}

// perChannel is a float32 constant [1, C, 1, 1] built from per-channel
// config values (torch.tensor(list).view(1, C, 1, 1)).
func perChannel(g *graph.Graph, v []float64) *graph.Node {
	f := make([]float32, len(v))
	for i, x := range v {
		f[i] = float32(x)
	}
	return graph.Reshape(graph.Const(g, f), 1, len(f), 1, 1)
}

// ToUNet maps VAE latents (a sample or the mode of the encoder's
// distribution) [B, C, h, w] to the UNet's space as the img2img pipelines
// do: (z − mean)·scaling_factor/std with latents_mean/std, otherwise
// (z − shift_factor)·scaling_factor, or z·scaling_factor without a shift.
// Float32 arithmetic, one rounding per operation as in PyTorch.
func (c Config) ToUNet(z []float32, shape []int) ([]float32, error) {
	if len(shape) != 4 || shape[1] != c.LatentChannels || numElements(shape) != len(z) {
		return nil, fmt.Errorf("vae: ToUNet needs [B, %d, h, w] latents, got shape %v with %d values", c.LatentChannels, shape, len(z))
	}
	sf := float32(c.ScalingFactor)
	out := make([]float32, len(z))
	plane := shape[2] * shape[3]
	for i, v := range z {
		ch := (i / plane) % shape[1]
		switch {
		case c.LatentsMean != nil && c.LatentsStd != nil:
			out[i] = float32(float32(v-float32(c.LatentsMean[ch]))*sf) / float32(c.LatentsStd[ch])
		case c.ShiftFactor != nil:
			out[i] = float32(v-float32(*c.ShiftFactor)) * sf
		default:
			out[i] = sf * v
		}
	}
	return out, nil
}

func numElements(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}
