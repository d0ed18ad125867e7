package unet

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/pyjson"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/internal/configfile"
)

// Config is diffusers' UNet2DConditionModel config (unet/config.json),
// with the JSON key names. Fields absent from a file keep diffusers'
// defaults (DefaultConfig). Which values are supported is checked when a
// UNet is built from it (Build), with an error naming the key.
type Config struct {
	ClassName        string `json:"_class_name,omitempty"`
	DiffusersVersion string `json:"_diffusers_version,omitempty"`
	NameOrPath       string `json:"_name_or_path,omitempty"`

	SampleSize                        json.RawMessage `json:"sample_size"` // int or [h, w]; only a default, not used
	InChannels                        int             `json:"in_channels"`
	OutChannels                       int             `json:"out_channels"`
	CenterInputSample                 bool            `json:"center_input_sample"`
	FlipSinToCos                      bool            `json:"flip_sin_to_cos"`
	FreqShift                         float64         `json:"freq_shift"`
	DownBlockTypes                    []string        `json:"down_block_types"`
	MidBlockType                      *string         `json:"mid_block_type"`
	UpBlockTypes                      []string        `json:"up_block_types"`
	OnlyCrossAttention                BoolOrList      `json:"only_cross_attention"`
	BlockOutChannels                  []int           `json:"block_out_channels"`
	LayersPerBlock                    IntOrList       `json:"layers_per_block"`
	DownsamplePadding                 int             `json:"downsample_padding"`
	MidBlockScaleFactor               float64         `json:"mid_block_scale_factor"`
	Dropout                           float64         `json:"dropout"`
	ActFn                             string          `json:"act_fn"`
	NormNumGroups                     *int            `json:"norm_num_groups"`
	NormEps                           float64         `json:"norm_eps"`
	CrossAttentionDim                 IntOrList       `json:"cross_attention_dim"`
	TransformerLayersPerBlock         LayerCounts     `json:"transformer_layers_per_block"`
	ReverseTransformerLayersPerBlock  LayerCounts     `json:"reverse_transformer_layers_per_block"`
	EncoderHidDim                     *int            `json:"encoder_hid_dim"`
	EncoderHidDimType                 *string         `json:"encoder_hid_dim_type"`
	AttentionHeadDim                  IntOrList       `json:"attention_head_dim"` // the number of heads (diffusers' naming quirk)
	NumAttentionHeads                 json.RawMessage `json:"num_attention_heads"`
	DualCrossAttention                bool            `json:"dual_cross_attention"`
	UseLinearProjection               bool            `json:"use_linear_projection"`
	ClassEmbedType                    *string         `json:"class_embed_type"`
	AdditionEmbedType                 *string         `json:"addition_embed_type"`
	AdditionTimeEmbedDim              *int            `json:"addition_time_embed_dim"`
	NumClassEmbeds                    *int            `json:"num_class_embeds"`
	UpcastAttention                   *bool           `json:"upcast_attention"` // no effect: attention is always computed with a float32 softmax
	ResnetTimeScaleShift              string          `json:"resnet_time_scale_shift"`
	ResnetSkipTimeAct                 bool            `json:"resnet_skip_time_act"`
	ResnetOutScaleFactor              float64         `json:"resnet_out_scale_factor"`
	TimeEmbeddingType                 string          `json:"time_embedding_type"`
	TimeEmbeddingDim                  *int            `json:"time_embedding_dim"`
	TimeEmbeddingActFn                *string         `json:"time_embedding_act_fn"`
	TimestepPostAct                   *string         `json:"timestep_post_act"`
	TimeCondProjDim                   *int            `json:"time_cond_proj_dim"`
	ConvInKernel                      int             `json:"conv_in_kernel"`
	ConvOutKernel                     int             `json:"conv_out_kernel"`
	ProjectionClassEmbeddingsInputDim *int            `json:"projection_class_embeddings_input_dim"`
	AttentionType                     string          `json:"attention_type"`
	ClassEmbeddingsConcat             bool            `json:"class_embeddings_concat"`
	MidBlockOnlyCrossAttention        *bool           `json:"mid_block_only_cross_attention"`
	CrossAttentionNorm                *string         `json:"cross_attention_norm"`
	AdditionEmbedTypeNumHeads         int             `json:"addition_embed_type_num_heads"`
}

// Block type names of diffusers' unet_2d_blocks that this package builds.
const (
	DownBlock2D             = "DownBlock2D"
	CrossAttnDownBlock2D    = "CrossAttnDownBlock2D"
	UpBlock2D               = "UpBlock2D"
	CrossAttnUpBlock2D      = "CrossAttnUpBlock2D"
	UNetMidBlock2DCrossAttn = "UNetMidBlock2DCrossAttn"
)

// DefaultConfig returns the defaults of UNet2DConditionModel.__init__, which
// apply to keys a config.json does not have.
func DefaultConfig() Config {
	mid := UNetMidBlock2DCrossAttn
	groups := 32
	return Config{
		InChannels:                4,
		OutChannels:               4,
		FlipSinToCos:              true,
		DownBlockTypes:            []string{CrossAttnDownBlock2D, CrossAttnDownBlock2D, CrossAttnDownBlock2D, DownBlock2D},
		MidBlockType:              &mid,
		UpBlockTypes:              []string{UpBlock2D, CrossAttnUpBlock2D, CrossAttnUpBlock2D, CrossAttnUpBlock2D},
		OnlyCrossAttention:        BoolOrList{Values: []bool{false}},
		BlockOutChannels:          []int{320, 640, 1280, 1280},
		LayersPerBlock:            Int(2),
		DownsamplePadding:         1,
		MidBlockScaleFactor:       1,
		ActFn:                     "silu",
		NormNumGroups:             &groups,
		NormEps:                   1e-5,
		CrossAttentionDim:         Int(1280),
		TransformerLayersPerBlock: LayerCounts{Set: true, Scalar: true, Blocks: []IntOrList{Int(1)}},
		AttentionHeadDim:          Int(8),
		ResnetTimeScaleShift:      "default",
		ResnetOutScaleFactor:      1,
		TimeEmbeddingType:         "positional",
		ConvInKernel:              3,
		ConvOutKernel:             3,
		AttentionType:             "default",
		AdditionEmbedTypeNumHeads: 64,
	}
}

// ParseConfig reads a config.json. Keys it does not know are an error
// naming them: a feature of a newer diffusers must not be silently ignored.
func ParseConfig(data []byte) (Config, error) {
	var raw map[string]json.RawMessage
	if err := pyjson.Unmarshal(data, &raw); err != nil {
		return Config{}, fmt.Errorf("unet config: %w", err)
	}
	known := configfile.Keys[Config]()
	if unknown := configfile.Unknown(raw, known); len(unknown) > 0 {
		return Config{}, fmt.Errorf("unet config: unsupported keys %s (not UNet2DConditionModel options this package knows)", strings.Join(unknown, ", "))
	}
	cfg := DefaultConfig()
	for k, v := range raw {
		if strings.HasPrefix(k, "_") && !known[k] {
			continue // other metadata
		}
		if err := setField(&cfg, k, v); err != nil {
			return Config{}, err
		}
	}
	return cfg, nil
}

// LoadConfig reads a config.json file.
func LoadConfig(path string) (Config, error) {
	return configfile.Read(path, "unet config", ParseConfig)
}

// setField decodes one key into its field, so a type error names the key.
func setField(cfg *Config, key string, value json.RawMessage) error {
	v := reflect.ValueOf(cfg).Elem()
	t := v.Type()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != key {
			continue
		}
		field := v.Field(i)
		if bytes.Equal(bytes.TrimSpace(value), []byte("null")) && field.Kind() != reflect.Pointer &&
			field.Type() != reflect.TypeFor[json.RawMessage]() && field.Type() != reflect.TypeFor[LayerCounts]() {
			return fmt.Errorf("unet config: %q is null; this package needs a value", key)
		}
		if err := json.Unmarshal(pyjson.Sanitize(value), field.Addr().Interface()); err != nil {
			return fmt.Errorf("unet config: %q: %w", key, err)
		}
		return nil
	}
	return fmt.Errorf("unet config: unknown key %q", key)
}
