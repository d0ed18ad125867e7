package vae

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/golden"
)

// tinyConfigJSON is the fixture VAE's config.json.
func tinyConfigJSON(t *testing.T) []byte {
	t.Helper()
	cases := golden.Load(t).Group("vae")
	if len(cases) == 0 {
		t.Skip("no vae cases in the fixture set")
	}
	dir, err := cases[0].Component("vae")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// withKey returns the JSON object data with key set to the raw value
// (deleted when value is "").
func withKey(t *testing.T, data []byte, key, value string) []byte {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	if value == "" {
		delete(m, key)
	} else {
		m[key] = json.RawMessage(value)
	}
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestParseTinyConfig(t *testing.T) {
	cfg, err := ParseConfig(tinyConfigJSON(t))
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.BlockOutChannels; len(got) != 4 || got[0] != 16 || got[3] != 32 {
		t.Errorf("block_out_channels %v", got)
	}
	if cfg.NormNumGroups != 8 || cfg.LayersPerBlock != 2 || cfg.ScalingFactor != 0.13025 || !cfg.ForceUpcast ||
		cfg.ShiftFactor != nil || cfg.LatentsMean != nil || cfg.ScaleFactor() != 8 {
		t.Errorf("parsed %+v", cfg)
	}
}

func TestConfigDefaultsForAbsentKeys(t *testing.T) {
	cfg, err := ParseConfig([]byte(`{"_class_name": "AutoencoderKL", "_diffusers_version": "0.31.0"}`))
	if err != nil {
		t.Fatal(err)
	}
	def := DefaultConfig()
	if cfg.ScalingFactor != 0.18215 || cfg.NormNumGroups != 32 || cfg.LayersPerBlock != 1 ||
		len(cfg.BlockOutChannels) != 1 || cfg.BlockOutChannels[0] != 64 || !cfg.UseQuantConv || !cfg.MidBlockAddAttention {
		t.Errorf("defaults not applied: %+v (want %+v)", cfg, def)
	}
}

func TestConfigErrors(t *testing.T) {
	base := tinyConfigJSON(t)
	for _, tc := range []struct{ key, value, want string }{
		{"attention_head_dim", "8", "unsupported keys attention_head_dim"},
		{"act_fn", `"gelu"`, `act_fn "gelu" is not supported`},
		{"down_block_types", `["DownBlock2D","DownEncoderBlock2D","DownEncoderBlock2D","DownEncoderBlock2D"]`, `down block type "DownBlock2D"`},
		{"up_block_types", `["UpDecoderBlock2D"]`, "must have the same length"},
		{"norm_num_groups", "5", "norm_num_groups 5 does not divide block width 16"},
		{"block_out_channels", "[]", "block_out_channels is empty"},
		{"latent_channels", "0", "latent_channels must be positive"},
		{"scaling_factor", "-1", "scaling_factor must be a positive finite number"},
		{"latents_mean", "[0, 0, 0, 0]", "latents_mean and latents_std must be given together"},
		{"latents_std", "[1, 1]", "latents_mean and latents_std must be given together"},
		{"shift_factor", `"x"`, "vae config"},
		{"layers_per_block", `"2"`, "vae config"},
	} {
		t.Run(tc.key, func(t *testing.T) {
			_, err := ParseConfig(withKey(t, base, tc.key, tc.value))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
	if _, err := ParseConfig([]byte(`[1, 2]`)); err == nil {
		t.Error("a JSON list parsed as a config")
	}
	mismatched := withKey(t, withKey(t, base, "latents_mean", "[0, 0, 0]"), "latents_std", "[1, 1, 1]")
	if _, err := ParseConfig(mismatched); err == nil || !strings.Contains(err.Error(), "latents_mean has 3 values, latent_channels is 4") {
		t.Errorf("3 latents_mean values for 4 channels: %v", err)
	}
	if _, err := ReadConfig(filepath.Join(t.TempDir(), "config.json")); err == nil {
		t.Error("missing file read")
	}
}
