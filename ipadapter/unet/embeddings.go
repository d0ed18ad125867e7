package unet

import (
	"math"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
)

// sinusoid is diffusers' Timesteps module (get_timestep_embedding with
// scale 1 and max_period 10000): no weights, always float32 output.
type sinusoid struct {
	Dim          int
	FlipSinToCos bool
	Shift        float64 // downscale_freq_shift
}

// frequencies are exp(−ln(10000)·j / (half − shift)), computed in float32 in
// PyTorch's order: the float32 arange times the float32-rounded constant,
// divided by the float32 divisor, then exp.
func (s sinusoid) frequencies() []float32 {
	half := s.Dim / 2
	c := float32(-math.Log(10000))
	div := float32(float64(half) - s.Shift)
	f := make([]float32, half)
	for j := range f {
		e := c * float32(j) / div
		f[j] = float32(math.Exp(float64(e)))
	}
	return f
}

// apply embeds t [N] (any float dtype; converted to float32) as [N, Dim]
// float32: concat(sin, cos), halves swapped when FlipSinToCos, a zero
// column appended when Dim is odd.
func (s sinusoid) apply(t *graph.Node) *graph.Node {
	g := t.Graph()
	n := t.Shape().Dimensions[0]
	freqs := graph.Const(g, s.frequencies())
	args := graph.Mul(graph.Reshape(graph.ConvertDType(t, dtypes.Float32), n, 1), graph.Reshape(freqs, 1, -1))
	first, second := graph.Sin(args), graph.Cos(args)
	if s.FlipSinToCos {
		first, second = second, first
	}
	parts := []*graph.Node{first, second}
	if s.Dim%2 == 1 {
		parts = append(parts, graph.Zeros(g, shapes.Make(dtypes.Float32, n, 1)))
	}
	return graph.Concatenate(parts, 1)
}

// timestepEmbedding is diffusers' TimestepEmbedding without cond_proj and
// post-activation: linear_1 → act → linear_2.
type timestepEmbedding struct {
	Linear1, Linear2 nn.Linear
	Act              func(*graph.Node) *graph.Node
}

func newTimestepEmbedding(r *nn.Registry, in, dim int, act func(*graph.Node) *graph.Node) timestepEmbedding {
	return timestepEmbedding{Linear1: r.Linear("linear_1", in, dim, true), Linear2: r.Linear("linear_2", dim, dim, true), Act: act}
}

func (e timestepEmbedding) apply(c nn.Ctx, x *graph.Node) *graph.Node {
	return e.Linear2.Apply(c, e.Act(e.Linear1.Apply(c, x)))
}
