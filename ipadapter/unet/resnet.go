package unet

import (
	"github.com/gomlx/gomlx/core/graph"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
)

// resnetBlock is diffusers' ResnetBlock2D as the UNet configures it
// (time_embedding_norm "default": the time embedding is added, pre-norm,
// no up/down sampling inside).
type resnetBlock struct {
	Norm1, Norm2 nn.GroupNorm
	Conv1, Conv2 nn.Conv2d
	TimeProj     nn.Linear
	Shortcut     *nn.Conv2d // 1×1, only when the channel count changes
	OutScale     float64    // output_scale_factor
	Act          func(*graph.Node) *graph.Node
}

func newResnet(r *nn.Registry, in, out, tembDim, groups int, eps, outScale float64, act func(*graph.Node) *graph.Node) resnetBlock {
	b := resnetBlock{
		Norm1:    r.GroupNorm("norm1", groups, in, eps),
		Conv1:    r.Conv2d("conv1", in, out, 3, 1, 1, true),
		TimeProj: r.Linear("time_emb_proj", tembDim, out, true),
		Norm2:    r.GroupNorm("norm2", groups, out, eps),
		Conv2:    r.Conv2d("conv2", out, out, 3, 1, 1, true),
		OutScale: outScale,
		Act:      act,
	}
	if in != out {
		sc := r.Conv2d("conv_shortcut", in, out, 1, 1, 0, true)
		b.Shortcut = &sc
	}
	return b
}

// apply maps x [B, In, H, W] to [B, Out, H, W]. actTemb is act(temb) [B, T]:
// every resnet applies the activation to the same embedding, so the UNet
// computes it once.
func (b resnetBlock) apply(c nn.Ctx, x, actTemb *graph.Node) *graph.Node {
	h := b.Conv1.Apply(c, b.Act(b.Norm1.Apply(c, x)))
	t := b.TimeProj.Apply(c, actTemb)
	h = graph.Add(h, graph.Reshape(t, t.Shape().Dimensions[0], -1, 1, 1))
	h = b.Conv2.Apply(c, b.Act(b.Norm2.Apply(c, h)))
	shortcut := x
	if b.Shortcut != nil {
		shortcut = b.Shortcut.Apply(c, x)
	}
	out := graph.Add(shortcut, h)
	if b.OutScale != 1 {
		out = graph.DivScalar(out, b.OutScale)
	}
	return out
}
