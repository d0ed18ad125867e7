package unet

import (
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/support/exceptions"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
)

// GraphInputs are the UNet's inputs as graph nodes (float32 or the compute
// dtype; converted as needed).
type GraphInputs struct {
	Sample              *graph.Node // [B, in_channels, H, W]
	Timestep            *graph.Node // [], [1] or [B]; not rescaled (diffusers feeds the scheduler's t)
	EncoderHiddenStates *graph.Node // [B, S, cross_attention_dim]
	TextEmbeds          *graph.Node // [B, pooled] (text_time only)
	TimeIDs             *graph.Node // [B, n ids] (text_time only)
	IP                  []IPStream  // loaded IP-Adapters, in load order
}

func (in GraphInputs) shapes() inputShapes {
	s := inputShapes{
		Sample: dimsOf(in.Sample), Timestep: dimsOf(in.Timestep), EncoderHiddenStates: dimsOf(in.EncoderHiddenStates),
		TextEmbeds: dimsOf(in.TextEmbeds), TimeIDs: dimsOf(in.TimeIDs),
	}
	for _, st := range in.IP {
		s.IP = append(s.IP, streamShapes(st.Adapter, st.Tokens, st.Scales, st.Masks))
	}
	return s
}

// Apply builds the UNet forward pass and returns the predicted noise
// [B, out_channels, H, W] in float32. Invalid input shapes fail graph
// building with a descriptive message (nn.Exec.Call returns it as an
// error); Model.Predict checks host inputs before that.
func (u *UNet) Apply(c nn.Ctx, in GraphInputs) *graph.Node {
	if err := u.check(in.shapes()); err != nil {
		exceptions.Panicf("unet: %v", err)
	}
	d := in.Sample.Shape().Dimensions
	b := d[0]
	plan, err := u.plan(d[2], d[3])
	if err != nil {
		exceptions.Panicf("unet: %v", err)
	}
	dtype := c.DType()

	x := graph.ConvertDType(in.Sample, dtype)
	if u.cfg.CenterInputSample {
		x = graph.SubScalar(graph.MulScalar(x, 2), 1)
	}
	emb := u.embedding(c, b, in)
	actTemb := u.act(emb) // resnets all apply act_fn to the same embedding
	text := graph.ConvertDType(in.EncoderHiddenStates, dtype)
	ip := newIPContext(in.IP, dtype)

	h := u.convIn.Apply(c, x)
	res := []*graph.Node{h}
	for _, blk := range u.down {
		var skips []*graph.Node
		h, skips = blk.apply(c, h, actTemb, text, ip)
		res = append(res, skips...)
	}
	if u.mid != nil {
		h = u.mid.apply(c, h, actTemb, text, ip)
	}
	for i, blk := range u.up {
		n := len(blk.Resnets)
		skips := res[len(res)-n:]
		res = res[:len(res)-n]
		t := plan.upTargets[i]
		h = blk.apply(c, h, skips, actTemb, text, ip, t.H, t.W)
	}
	h = u.convOut.Apply(c, u.act(u.normOut.Apply(c, h)))
	return graph.ConvertDType(h, dtypes.Float32)
}

// embedding is the time embedding plus SDXL's text_time embedding, [B, T]
// in the compute dtype.
func (u *UNet) embedding(c nn.Ctx, b int, in GraphInputs) *graph.Node {
	t := graph.ConvertDType(in.Timestep, dtypes.Float32)
	if t.Rank() == 0 {
		t = graph.Reshape(t, 1)
	}
	if t.Shape().Dimensions[0] != b {
		t = graph.BroadcastToDims(t, b)
	}
	emb := u.timeEmbed.apply(c, graph.ConvertDType(u.timeProj.apply(t), c.DType()))
	if u.addEmbed != nil {
		ids := in.TimeIDs.Shape().Dimensions[1]
		flat := graph.Reshape(in.TimeIDs, b*ids)
		timeEmbeds := graph.Reshape(u.addTimeProj.apply(flat), b, ids*u.addTimeProj.Dim)
		addEmbeds := graph.Concatenate([]*graph.Node{
			graph.ConvertDType(in.TextEmbeds, c.DType()), graph.ConvertDType(timeEmbeds, c.DType()),
		}, 1)
		emb = graph.Add(emb, u.addEmbed.apply(c, addEmbeds))
	}
	if u.timeAct != nil {
		emb = u.timeAct(emb)
	}
	return emb
}
