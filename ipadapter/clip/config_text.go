package clip

import (
	"fmt"
	"path/filepath"
	"slices"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/internal/configfile"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
)

// Text model classes, as config.json names them in "architectures".
const (
	ArchTextModel               = "CLIPTextModel"
	ArchTextModelWithProjection = "CLIPTextModelWithProjection"
)

// legacyEOSTokenID is the eos_token_id of configs written before
// transformers fixed CLIP's pooling (SDXL's among them). With it the pooled
// token is the one with the largest id, not the first eos_token_id.
const legacyEOSTokenID = 2

// TextConfig holds the values of transformers' CLIPTextConfig that shape
// the computation. Missing keys take transformers' defaults.
type TextConfig struct {
	VocabSize             int
	HiddenSize            int
	IntermediateSize      int
	ProjectionDim         int
	NumHiddenLayers       int
	NumAttentionHeads     int
	MaxPositionEmbeddings int
	HiddenAct             string
	LayerNormEps          float64
	// EOSTokenID selects the pooling rule (see PoolingPosition).
	EOSTokenID int
	// BOSTokenID and PadTokenID are informative only (the tokenizer's files
	// decide the ids actually used); nil when the config has null.
	BOSTokenID, PadTokenID *int
	// WithProjection selects CLIPTextModelWithProjection (a bias-free
	// text_projection on the pooled output) over CLIPTextModel.
	WithProjection bool
}

// DefaultTextConfig is CLIPTextConfig() of transformers (4.31 and later).
func DefaultTextConfig() TextConfig {
	bos, pad := 49406, 1
	return TextConfig{
		VocabSize: 49408, HiddenSize: 512, IntermediateSize: 2048, ProjectionDim: 512,
		NumHiddenLayers: 12, NumAttentionHeads: 8, MaxPositionEmbeddings: 77,
		HiddenAct: "quick_gelu", LayerNormEps: 1e-5,
		EOSTokenID: 49407, BOSTokenID: &bos, PadTokenID: &pad,
	}
}

// ParseTextConfig reads a text encoder's config.json. The model class comes
// from "architectures"; a config without it (as in the manifests) gives
// CLIPTextModel, and callers set WithProjection themselves.
func ParseTextConfig(data []byte) (TextConfig, error) {
	cfg := DefaultTextConfig()
	r, err := newConfigReader("CLIP text config", data)
	if err != nil {
		return cfg, err
	}
	var modelType string
	r.string("model_type", &modelType)
	if modelType != "" && modelType != "clip_text_model" {
		r.failf("model_type %q is not a CLIP text model (want clip_text_model; for a full CLIPModel config use its text sub-model's folder)", modelType)
	}
	var archs []string
	r.strings("architectures", &archs)
	for _, a := range archs {
		switch a {
		case ArchTextModel:
		case ArchTextModelWithProjection:
			cfg.WithProjection = true
		default:
			r.failf("architecture %q is not supported (want %s or %s)", a, ArchTextModel, ArchTextModelWithProjection)
		}
	}
	r.int("vocab_size", &cfg.VocabSize)
	r.int("hidden_size", &cfg.HiddenSize)
	r.int("intermediate_size", &cfg.IntermediateSize)
	r.int("projection_dim", &cfg.ProjectionDim)
	r.int("num_hidden_layers", &cfg.NumHiddenLayers)
	r.int("num_attention_heads", &cfg.NumAttentionHeads)
	r.int("max_position_embeddings", &cfg.MaxPositionEmbeddings)
	r.string("hidden_act", &cfg.HiddenAct)
	r.float("layer_norm_eps", &cfg.LayerNormEps)
	r.int("eos_token_id", &cfg.EOSTokenID) // null or a list: the pooled output needs one end-of-text id
	var bos, pad int
	if r.optionalInt("bos_token_id", &bos) {
		cfg.BOSTokenID = &bos
	} else if _, present := r.raw["bos_token_id"]; present {
		cfg.BOSTokenID = nil
	}
	if r.optionalInt("pad_token_id", &pad) {
		cfg.PadTokenID = &pad
	} else if _, present := r.raw["pad_token_id"]; present {
		cfg.PadTokenID = nil
	}
	r.checkCommon()
	if err := r.finish(); err != nil {
		return cfg, err
	}
	return cfg, cfg.Validate()
}

// ReadTextConfig reads dir/config.json.
func ReadTextConfig(dir string) (TextConfig, error) {
	return configfile.Read(filepath.Join(dir, "config.json"), "reading the text encoder config", ParseTextConfig)
}

// Validate checks that the values describe a model this package can build.
func (c TextConfig) Validate() error {
	var errs []string
	positive := []struct {
		name string
		v    int
	}{
		{"vocab_size", c.VocabSize}, {"hidden_size", c.HiddenSize}, {"intermediate_size", c.IntermediateSize},
		{"num_hidden_layers", c.NumHiddenLayers}, {"num_attention_heads", c.NumAttentionHeads},
		{"max_position_embeddings", c.MaxPositionEmbeddings},
	}
	if c.WithProjection {
		positive = append(positive, struct {
			name string
			v    int
		}{"projection_dim", c.ProjectionDim})
	}
	for _, p := range positive {
		if p.v <= 0 {
			errs = append(errs, fmt.Sprintf("%s = %d must be positive", p.name, p.v))
		}
	}
	if c.NumAttentionHeads > 0 && c.HiddenSize%c.NumAttentionHeads != 0 {
		errs = append(errs, fmt.Sprintf("hidden_size %d is not divisible by num_attention_heads %d", c.HiddenSize, c.NumAttentionHeads))
	}
	if !(c.LayerNormEps > 0) {
		errs = append(errs, fmt.Sprintf("layer_norm_eps = %g must be positive", c.LayerNormEps))
	}
	if _, err := nn.Activation(c.HiddenAct); err != nil {
		errs = append(errs, "hidden_act: "+err.Error())
	}
	return joinConfigErrors("CLIP text config", errs)
}

// Architecture is the transformers class this config builds.
func (c TextConfig) Architecture() string {
	if c.WithProjection {
		return ArchTextModelWithProjection
	}
	return ArchTextModel
}

func joinConfigErrors(what string, errs []string) error {
	if len(errs) == 0 {
		return nil
	}
	errs = slices.Compact(errs)
	msg := errs[0]
	for _, e := range errs[1:] {
		msg += "; " + e
	}
	return fmt.Errorf("%s: %s", what, msg)
}
