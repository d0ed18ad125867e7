package adapter

import (
	"fmt"

	"github.com/gomlx/gomlx/core/graph"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
)

// ImageProjection is diffusers' ImageProjection (the original
// ImageProjModel): a linear map of the pooled image embedding to
// Tokens·CrossDim values, read as Tokens tokens, each layer-normalised.
type ImageProjection struct {
	cfg    ProjectionConfig
	Embeds nn.Linear    // image_embeds: EmbedDim → Tokens·CrossDim
	Norm   nn.LayerNorm // norm: CrossDim, eps 1e-5
}

func newImageProjection(cfg ProjectionConfig, r *nn.Registry) (*ImageProjection, error) {
	if cfg.Tokens <= 0 {
		return nil, fmt.Errorf("image projection: %d tokens; a plain adapter makes at least one", cfg.Tokens)
	}
	return &ImageProjection{
		cfg:    cfg,
		Embeds: r.Linear("image_embeds", cfg.EmbedDim, cfg.Tokens*cfg.CrossDim, true),
		Norm:   r.LayerNorm("norm", cfg.CrossDim, 1e-5),
	}, nil
}

// Config returns the sizes the network was built with.
func (p *ImageProjection) Config() ProjectionConfig { return p.cfg }

// Apply maps x [M, EmbedDim] to [M, Tokens, CrossDim]; token t is columns
// t·CrossDim … (t+1)·CrossDim−1 of the linear output.
func (p *ImageProjection) Apply(c nn.Ctx, x *graph.Node) *graph.Node {
	m := x.Shape().Dimensions[0]
	y := graph.Reshape(p.Embeds.Apply(c, x), m, p.cfg.Tokens, p.cfg.CrossDim)
	return p.Norm.Apply(c, y)
}
