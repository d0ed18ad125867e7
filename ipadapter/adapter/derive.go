package adapter

import (
	"fmt"
	"slices"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// shapeReader reads tensor shapes of a (renamed) source, remembering the
// first problem so the derivation below reads straight.
type shapeReader struct {
	src weights.Source
	err error
}

// dims returns the shape of name, which must have the given rank.
func (s *shapeReader) dims(name string, rank int) []int {
	if s.err != nil {
		return make([]int, rank)
	}
	info, ok := s.src.Info(name)
	switch {
	case !ok:
		s.err = fmt.Errorf("image_proj has no %s", name)
	case len(info.Shape) != rank:
		s.err = fmt.Errorf("image_proj %s has shape %v, want %d dimensions", name, info.Shape, rank)
	default:
		return info.Shape
	}
	return make([]int, rank)
}

// resamplerHeadDim is the head width diffusers assumes for every
// Resampler (heads = to_q rows // 64); the tencent code's default too.
const resamplerHeadDim = 64

// deriveProjection reads a projection's sizes from its tensors (diffusers'
// names), the way diffusers' converter does. Consistency of the remaining
// shapes is checked afterwards against the network's parameter list.
func deriveProjection(kind Kind, src weights.Source) (ProjectionConfig, error) {
	s := &shapeReader{src: src}
	cfg := ProjectionConfig{Kind: kind}
	switch kind {
	case Plain:
		w := s.dims("image_embeds.weight", 2)
		cfg.EmbedDim = w[1]
		cfg.CrossDim = s.dims("norm.weight", 1)[0]
		if s.err == nil && (cfg.CrossDim == 0 || w[0]%cfg.CrossDim != 0) {
			return cfg, fmt.Errorf("image_proj proj.weight has %d rows, not a multiple of the token width %d (norm.weight)", w[0], cfg.CrossDim)
		}
		if cfg.CrossDim > 0 {
			// diffusers hard-codes 4 tokens; every released file has 4, and
			// the shapes say so, so they decide here.
			cfg.Tokens = w[0] / cfg.CrossDim
		}
	case FullFace:
		cfg.EmbedDim = s.dims("ff.net.0.proj.weight", 2)[0]
		cfg.CrossDim = s.dims("norm.weight", 1)[0]
	case Plus:
		lat := s.dims("latents", 3)
		cfg.Tokens, cfg.Hidden = lat[1], lat[2]
		cfg.EmbedDim = s.dims("proj_in.weight", 2)[1]
		cfg.CrossDim = s.dims("proj_out.weight", 2)[0]
		q := s.dims("layers.0.attn.to_q.weight", 2)
		ff := s.dims("layers.0.ff.1.net.0.proj.weight", 2)
		if s.err != nil {
			return cfg, s.err
		}
		if lat[0] != 1 {
			return cfg, fmt.Errorf("image_proj latents have shape %v, want [1, queries, width]", lat)
		}
		if q[0]%resamplerHeadDim != 0 {
			return cfg, fmt.Errorf("image_proj layers.0.0.to_q.weight has %d rows, not a multiple of %d: diffusers assumes %d-wide Resampler heads", q[0], resamplerHeadDim, resamplerHeadDim)
		}
		cfg.Heads, cfg.HeadDim = q[0]/resamplerHeadDim, resamplerHeadDim
		if cfg.Hidden == 0 || ff[0]%cfg.Hidden != 0 {
			return cfg, fmt.Errorf("image_proj layers.0.1.1.weight has %d rows, not a multiple of the latent width %d", ff[0], cfg.Hidden)
		}
		cfg.FFMult = ff[0] / cfg.Hidden
		depth, err := resamplerDepth(src)
		if err != nil {
			return cfg, err
		}
		cfg.Depth = depth
	default:
		return cfg, fmt.Errorf("unknown projection kind %v", kind)
	}
	return cfg, s.err
}

// resamplerDepth counts the perceiver layers (layers.0 … layers.{d-1}):
// diffusers fixes 4, the files say how many they have.
func resamplerDepth(src weights.Source) (int, error) {
	var idx []int
	for _, info := range src.Infos() {
		if i, ok := resamplerLayerIndex(info.Name); ok && !slices.Contains(idx, i) {
			idx = append(idx, i)
		}
	}
	slices.Sort(idx)
	for want, i := range idx {
		if i != want {
			return 0, fmt.Errorf("image_proj has Resampler layers %v: layer %d is missing", idx, want)
		}
	}
	if len(idx) == 0 {
		return 0, fmt.Errorf("image_proj has no Resampler layers (layers.0.…)")
	}
	return len(idx), nil
}
