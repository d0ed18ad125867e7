package adapter

import (
	"github.com/gomlx/gomlx/core/graph"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
)

// FullFaceProjection is diffusers' IPAdapterFullImageProjection (the
// original MLPProjModel of ip-adapter-full-face_sd15): every hidden-state
// token through Linear(E, E), exact GELU, Linear(E, CrossDim) and a
// LayerNorm, so it makes as many tokens as the encoder gives (257).
type FullFaceProjection struct {
	cfg      ProjectionConfig
	FF1, FF2 nn.Linear    // ff.net.0.proj, ff.net.2
	Norm     nn.LayerNorm // norm
}

func newFullFaceProjection(cfg ProjectionConfig, r *nn.Registry) *FullFaceProjection {
	ff := r.In("ff", "net")
	return &FullFaceProjection{
		cfg:  cfg,
		FF1:  ff.Linear("0.proj", cfg.EmbedDim, cfg.EmbedDim, true),
		FF2:  ff.Linear("2", cfg.EmbedDim, cfg.CrossDim, true),
		Norm: r.LayerNorm("norm", cfg.CrossDim, 1e-5),
	}
}

// Config returns the sizes the network was built with.
func (p *FullFaceProjection) Config() ProjectionConfig { return p.cfg }

// Apply maps x [M, S, EmbedDim] to [M, S, CrossDim].
func (p *FullFaceProjection) Apply(c nn.Ctx, x *graph.Node) *graph.Node {
	return p.Norm.Apply(c, p.FF2.Apply(c, nn.GELU(p.FF1.Apply(c, x))))
}
