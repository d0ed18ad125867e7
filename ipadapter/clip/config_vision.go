package clip

import (
	"fmt"
	"path/filepath"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/internal/configfile"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
)

// Vision model classes, as config.json names them in "architectures".
const (
	ArchVisionModel               = "CLIPVisionModel"
	ArchVisionModelWithProjection = "CLIPVisionModelWithProjection"
)

// VisionConfig holds the values of transformers' CLIPVisionConfig that
// shape the computation. Missing keys take transformers' defaults.
type VisionConfig struct {
	HiddenSize        int
	IntermediateSize  int
	ProjectionDim     int
	NumHiddenLayers   int
	NumAttentionHeads int
	NumChannels       int
	ImageSize         int
	PatchSize         int
	HiddenAct         string
	LayerNormEps      float64
	// WithProjection selects CLIPVisionModelWithProjection (a bias-free
	// visual_projection giving image_embeds) over CLIPVisionModel.
	WithProjection bool
}

// DefaultVisionConfig is CLIPVisionConfig() of transformers.
func DefaultVisionConfig() VisionConfig {
	return VisionConfig{
		HiddenSize: 768, IntermediateSize: 3072, ProjectionDim: 512,
		NumHiddenLayers: 12, NumAttentionHeads: 12, NumChannels: 3,
		ImageSize: 224, PatchSize: 32, HiddenAct: "quick_gelu", LayerNormEps: 1e-5,
	}
}

// ParseVisionConfig reads an image encoder's config.json. The model class
// comes from "architectures"; a config without it (as in the manifests)
// gives CLIPVisionModelWithProjection, the class IP-Adapter loads.
func ParseVisionConfig(data []byte) (VisionConfig, error) {
	cfg := DefaultVisionConfig()
	cfg.WithProjection = true
	r, err := newConfigReader("CLIP vision config", data)
	if err != nil {
		return cfg, err
	}
	var modelType string
	r.string("model_type", &modelType)
	if modelType != "" && modelType != "clip_vision_model" {
		r.failf("model_type %q is not a CLIP vision model (want clip_vision_model; for a full CLIPModel config use its vision sub-model's folder)", modelType)
	}
	var archs []string
	r.strings("architectures", &archs)
	for _, a := range archs {
		switch a {
		case ArchVisionModel:
			cfg.WithProjection = false
		case ArchVisionModelWithProjection:
			cfg.WithProjection = true
		default:
			r.failf("architecture %q is not supported (want %s or %s)", a, ArchVisionModelWithProjection, ArchVisionModel)
		}
	}
	r.int("hidden_size", &cfg.HiddenSize)
	r.int("intermediate_size", &cfg.IntermediateSize)
	r.int("projection_dim", &cfg.ProjectionDim)
	r.int("num_hidden_layers", &cfg.NumHiddenLayers)
	r.int("num_attention_heads", &cfg.NumAttentionHeads)
	r.int("num_channels", &cfg.NumChannels)
	r.int("image_size", &cfg.ImageSize)
	r.int("patch_size", &cfg.PatchSize)
	r.string("hidden_act", &cfg.HiddenAct)
	r.float("layer_norm_eps", &cfg.LayerNormEps)
	r.checkCommon()
	if err := r.finish(); err != nil {
		return cfg, err
	}
	return cfg, cfg.Validate()
}

// ReadVisionConfig reads dir/config.json.
func ReadVisionConfig(dir string) (VisionConfig, error) {
	return configfile.Read(filepath.Join(dir, "config.json"), "reading the image encoder config", ParseVisionConfig)
}

// Validate checks that the values describe a model this package can build.
func (c VisionConfig) Validate() error {
	var errs []string
	for _, p := range []struct {
		name string
		v    int
	}{
		{"hidden_size", c.HiddenSize}, {"intermediate_size", c.IntermediateSize},
		{"num_hidden_layers", c.NumHiddenLayers}, {"num_attention_heads", c.NumAttentionHeads},
		{"num_channels", c.NumChannels}, {"image_size", c.ImageSize}, {"patch_size", c.PatchSize},
	} {
		if p.v <= 0 {
			errs = append(errs, fmt.Sprintf("%s = %d must be positive", p.name, p.v))
		}
	}
	if c.WithProjection && c.ProjectionDim <= 0 {
		errs = append(errs, fmt.Sprintf("projection_dim = %d must be positive", c.ProjectionDim))
	}
	if c.NumAttentionHeads > 0 && c.HiddenSize%c.NumAttentionHeads != 0 {
		errs = append(errs, fmt.Sprintf("hidden_size %d is not divisible by num_attention_heads %d", c.HiddenSize, c.NumAttentionHeads))
	}
	// transformers floors the patch grid; a remainder would silently drop
	// border pixels, which no released CLIP does, so it is refused.
	if c.PatchSize > 0 && c.ImageSize%c.PatchSize != 0 {
		errs = append(errs, fmt.Sprintf("image_size %d is not a multiple of patch_size %d", c.ImageSize, c.PatchSize))
	}
	if !(c.LayerNormEps > 0) {
		errs = append(errs, fmt.Sprintf("layer_norm_eps = %g must be positive", c.LayerNormEps))
	}
	if _, err := nn.Activation(c.HiddenAct); err != nil {
		errs = append(errs, "hidden_act: "+err.Error())
	}
	return joinConfigErrors("CLIP vision config", errs)
}

// GridSize is the number of patches along each side of the image.
func (c VisionConfig) GridSize() int { return c.ImageSize / c.PatchSize }

// NumPositions is the sequence length: one class token plus the patches.
func (c VisionConfig) NumPositions() int { return c.GridSize()*c.GridSize() + 1 }

// Architecture is the transformers class this config builds.
func (c VisionConfig) Architecture() string {
	if c.WithProjection {
		return ArchVisionModelWithProjection
	}
	return ArchVisionModel
}
