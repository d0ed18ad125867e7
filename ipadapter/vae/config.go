package vae

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/pyjson"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/internal/configfile"
)

// Config is an AutoencoderKL config.json. Keys absent from the file take
// diffusers' defaults (DefaultConfig); a JSON null keeps the default too,
// except for the optional values below whose default is "absent".
type Config struct {
	InChannels       int      `json:"in_channels"`
	OutChannels      int      `json:"out_channels"`
	DownBlockTypes   []string `json:"down_block_types"`
	UpBlockTypes     []string `json:"up_block_types"`
	BlockOutChannels []int    `json:"block_out_channels"`
	LayersPerBlock   int      `json:"layers_per_block"`
	ActFn            string   `json:"act_fn"`
	LatentChannels   int      `json:"latent_channels"`
	NormNumGroups    int      `json:"norm_num_groups"`
	// SampleSize (an int or [h, w]) only sizes the tiles of tiled decoding,
	// which this port does not do; it is kept as written.
	SampleSize    json.RawMessage `json:"sample_size"`
	ScalingFactor float64         `json:"scaling_factor"`
	// ShiftFactor (SD3/Flux VAEs) is added after dividing by ScalingFactor
	// when decoding and subtracted before multiplying when encoding; nil
	// (SDXL) means none.
	ShiftFactor *float64 `json:"shift_factor"`
	// LatentsMean and LatentsStd (per latent channel) replace the plain
	// scaling when both are given: vae = unet·std/ScalingFactor + mean.
	LatentsMean []float64 `json:"latents_mean"`
	LatentsStd  []float64 `json:"latents_std"`
	// ForceUpcast says the VAE must run in float32 even when the pipeline
	// runs in half precision: the original SDXL VAE overflows in float16.
	ForceUpcast          bool `json:"force_upcast"`
	UseQuantConv         bool `json:"use_quant_conv"`
	UsePostQuantConv     bool `json:"use_post_quant_conv"`
	MidBlockAddAttention bool `json:"mid_block_add_attention"`
}

// Block type names diffusers' get_down_block/get_up_block accept for a VAE
// (both also accept a "UNetRes" prefix, which they strip).
const (
	downEncoderBlock = "DownEncoderBlock2D"
	upDecoderBlock   = "UpDecoderBlock2D"
)

// DefaultConfig is AutoencoderKL's constructor defaults.
func DefaultConfig() Config {
	return Config{
		InChannels:           3,
		OutChannels:          3,
		DownBlockTypes:       []string{downEncoderBlock},
		UpBlockTypes:         []string{upDecoderBlock},
		BlockOutChannels:     []int{64},
		LayersPerBlock:       1,
		ActFn:                "silu",
		LatentChannels:       4,
		NormNumGroups:        32,
		SampleSize:           json.RawMessage("32"),
		ScalingFactor:        0.18215,
		ForceUpcast:          true,
		UseQuantConv:         true,
		UsePostQuantConv:     true,
		MidBlockAddAttention: true,
	}
}

// configKeys are the JSON names of Config's fields: the keys ParseConfig
// understands.
var configKeys = configfile.Keys[Config]()

// ParseConfig reads the content of a config.json over DefaultConfig and
// validates it. Unknown keys are errors that name them; keys starting with
// "_" (_class_name, _diffusers_version, _name_or_path) are bookkeeping and
// ignored.
func ParseConfig(data []byte) (Config, error) {
	var raw map[string]json.RawMessage
	if err := pyjson.Unmarshal(data, &raw); err != nil {
		return Config{}, fmt.Errorf("vae config: %w", err)
	}
	if unknown := configfile.Unknown(raw, configKeys); len(unknown) > 0 {
		return Config{}, fmt.Errorf("vae config: unsupported keys %s (an AutoencoderKL config has only the keys of vae.Config)", strings.Join(unknown, ", "))
	}
	cfg := DefaultConfig()
	if err := pyjson.Unmarshal(data, &cfg); err != nil {
		return Config{}, fmt.Errorf("vae config: %w", err)
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// ReadConfig reads and validates a config.json file.
func ReadConfig(path string) (Config, error) {
	return configfile.Read(path, "vae config", ParseConfig)
}

// Validate reports every value this port cannot build, in one error.
func (c Config) Validate() error {
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	for _, ch := range []struct {
		name string
		v    int
	}{{"in_channels", c.InChannels}, {"out_channels", c.OutChannels}, {"latent_channels", c.LatentChannels},
		{"layers_per_block", c.LayersPerBlock}, {"norm_num_groups", c.NormNumGroups}} {
		if ch.v <= 0 {
			bad("%s must be positive, got %d", ch.name, ch.v)
		}
	}
	n := len(c.BlockOutChannels)
	if n == 0 {
		bad("block_out_channels is empty")
	}
	for _, ch := range c.BlockOutChannels {
		if ch <= 0 {
			bad("block_out_channels %v has a non-positive width", c.BlockOutChannels)
		} else if c.NormNumGroups > 0 && ch%c.NormNumGroups != 0 {
			bad("norm_num_groups %d does not divide block width %d", c.NormNumGroups, ch)
		}
	}
	if len(c.DownBlockTypes) != n || len(c.UpBlockTypes) != n {
		bad("down_block_types (%d), up_block_types (%d) and block_out_channels (%d) must have the same length",
			len(c.DownBlockTypes), len(c.UpBlockTypes), n)
	}
	for _, t := range c.DownBlockTypes {
		if strings.TrimPrefix(t, "UNetRes") != downEncoderBlock {
			bad("down block type %q is not supported (only %s)", t, downEncoderBlock)
		}
	}
	for _, t := range c.UpBlockTypes {
		if strings.TrimPrefix(t, "UNetRes") != upDecoderBlock {
			bad("up block type %q is not supported (only %s)", t, upDecoderBlock)
		}
	}
	if c.ActFn != "silu" && c.ActFn != "swish" {
		bad("act_fn %q is not supported (only silu/swish)", c.ActFn)
	}
	if !(c.ScalingFactor > 0) || c.ScalingFactor > 1e30 {
		bad("scaling_factor must be a positive finite number, got %v", c.ScalingFactor)
	}
	if c.ShiftFactor != nil && !finite(*c.ShiftFactor) {
		bad("shift_factor must be finite, got %v", *c.ShiftFactor)
	}
	if (c.LatentsMean == nil) != (c.LatentsStd == nil) {
		bad("latents_mean and latents_std must be given together")
	}
	for _, v := range []struct {
		name string
		v    []float64
	}{{"latents_mean", c.LatentsMean}, {"latents_std", c.LatentsStd}} {
		if v.v != nil && len(v.v) != c.LatentChannels {
			bad("%s has %d values, latent_channels is %d", v.name, len(v.v), c.LatentChannels)
		}
		if slices.ContainsFunc(v.v, func(x float64) bool { return !finite(x) }) {
			bad("%s has a non-finite value", v.name)
		}
	}
	if slices.Contains(c.LatentsStd, 0) {
		bad("latents_std has a zero")
	}
	if len(errs) > 0 {
		return fmt.Errorf("vae config: %s", strings.Join(errs, "; "))
	}
	return nil
}

func finite(x float64) bool { return x-x == 0 }

// ScaleFactor is the ratio of image to latent size, 2^(levels−1) (8 for
// SDXL), as the pipelines compute vae_scale_factor.
func (c Config) ScaleFactor() int { return 1 << (len(c.BlockOutChannels) - 1) }
