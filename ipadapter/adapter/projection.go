package adapter

import (
	"fmt"

	"github.com/gomlx/gomlx/core/graph"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
)

// ProjectionConfig holds the sizes of an image projection network. Open
// derives it from the file's shapes, as diffusers does (with the same
// assumptions: 64-wide Resampler heads), so no config file is needed.
type ProjectionConfig struct {
	Kind Kind
	// EmbedDim is the width of one image embedding: the encoder's
	// projection_dim for Plain, its hidden_size for Plus and FullFace.
	EmbedDim int
	// CrossDim is the width of the tokens made: the UNet's
	// cross_attention_dim (2048 for SDXL).
	CrossDim int
	// Tokens is the number of tokens per image: N of ImageProjModel (4 in
	// every released file), the Resampler's num_queries (16); 0 for FullFace,
	// which makes one token per input token (257 for ViT-H/14).
	Tokens int

	// The Resampler's sizes (Plus only): the latents' width, the attention
	// heads and their width, the number of perceiver layers and the
	// feed-forward's width multiplier.
	Hidden, Heads, HeadDim, Depth, FFMult int
}

// InputRank is the rank of the projection's input batch: [M, EmbedDim] for
// Plain, [M, tokens, EmbedDim] for the hidden-state kinds.
func (c ProjectionConfig) InputRank() int { return 1 + c.Kind.embedRank() }

// Projection is an image projection network: one image's embedding per
// batch row in, that image's tokens out.
type Projection interface {
	// Apply maps x [M, EmbedDim] (Plain) or [M, S, EmbedDim] (Plus,
	// FullFace) to tokens [M, T, CrossDim].
	Apply(c nn.Ctx, x *graph.Node) *graph.Node
	// Config returns the sizes the network was built with.
	Config() ProjectionConfig
}

// NewProjection registers the parameters of the projection described by
// cfg under r (diffusers' names) and returns the network.
func NewProjection(cfg ProjectionConfig, r *nn.Registry) (Projection, error) {
	if cfg.EmbedDim <= 0 || cfg.CrossDim <= 0 {
		return nil, fmt.Errorf("image projection: embedding width %d and token width %d must be positive", cfg.EmbedDim, cfg.CrossDim)
	}
	switch cfg.Kind {
	case Plain:
		return newImageProjection(cfg, r)
	case Plus:
		return newResampler(cfg, r)
	case FullFace:
		return newFullFaceProjection(cfg, r), nil
	}
	return nil, fmt.Errorf("image projection: unknown kind %v", cfg.Kind)
}
