package adapter

import (
	"fmt"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/clip"
)

// knownEncoder is a released CLIP image encoder an IP-Adapter can be
// trained on, told apart by its widths.
type knownEncoder struct {
	Name               string
	Hidden, Projection int
	Where              string
}

// knownEncoders are the encoders of the IP-Adapter family (h94/IP-Adapter)
// and CLIP ViT-L/14, which some third-party adapters use.
var knownEncoders = []knownEncoder{
	{"ViT-H/14", 1280, 1024, "h94/IP-Adapter models/image_encoder"},
	{"ViT-bigG/14", 1664, 1280, "h94/IP-Adapter sdxl_models/image_encoder"},
	{"ViT-L/14", 1024, 768, "openai/clip-vit-large-patch14"},
}

func (e knownEncoder) String() string {
	return fmt.Sprintf("%s image encoder (hidden %d, projection %d): %s", e.Name, e.Hidden, e.Projection, e.Where)
}

// describeEncoder names a loaded encoder config as precisely as possible.
func describeEncoder(cfg clip.VisionConfig) string {
	for _, k := range knownEncoders {
		if k.Hidden == cfg.HiddenSize && (!cfg.WithProjection || k.Projection == cfg.ProjectionDim) {
			return fmt.Sprintf("%s (hidden %d, projection %d)", k.Name, cfg.HiddenSize, cfg.ProjectionDim)
		}
	}
	if !cfg.WithProjection {
		return fmt.Sprintf("a %s with hidden size %d and no projection", cfg.Architecture(), cfg.HiddenSize)
	}
	return fmt.Sprintf("an encoder with hidden size %d and projection %d", cfg.HiddenSize, cfg.ProjectionDim)
}

// neededEncoder says which encoder an adapter's embedding width asks for,
// article included: "the ViT-H/14 image encoder …" for a known one, "an
// image encoder with …" otherwise.
func neededEncoder(p ProjectionConfig) string {
	for _, k := range knownEncoders {
		if (p.Kind.UsesHiddenStates() && k.Hidden == p.EmbedDim) || (!p.Kind.UsesHiddenStates() && k.Projection == p.EmbedDim) {
			return "the " + k.String()
		}
	}
	if p.Kind.UsesHiddenStates() {
		return fmt.Sprintf("an image encoder with hidden size %d", p.EmbedDim)
	}
	return fmt.Sprintf("an image encoder (CLIPVisionModelWithProjection) with projection_dim %d", p.EmbedDim)
}

// CheckEncoder reports whether an image encoder fits the adapter: a plain
// adapter reads image_embeds, so the encoder's projection_dim must equal
// proj.weight's columns; Plus and FullFace read hidden_states[-2], so its
// hidden_size must equal proj_in.weight's (proj.0.weight's) columns. The
// error names the encoder the file needs and where to get it, instead of
// torch's "mat1 and mat2 shapes cannot be multiplied" at the first step.
func (f *File) CheckEncoder(cfg clip.VisionConfig) error {
	p := f.Projection
	var ok bool
	switch {
	case p.Kind.UsesHiddenStates():
		ok = cfg.HiddenSize == p.EmbedDim && cfg.NumHiddenLayers >= 2
	default:
		ok = cfg.WithProjection && cfg.ProjectionDim == p.EmbedDim
	}
	if ok {
		return nil
	}
	return fmt.Errorf("%s needs %s; the loaded encoder is %s (a %s adapter reads the encoder's %s, %d wide)",
		f.Name, neededEncoder(p), describeEncoder(cfg), p.Kind, p.Kind.EncoderOutput(), p.EmbedDim)
}
