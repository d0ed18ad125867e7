package clip

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/internal/testutil"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

func wantError(t *testing.T, err error, fragments ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one mentioning %q", fragments)
	}
	for _, f := range fragments {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("error %q does not mention %q", err, f)
		}
	}
}

// replaceKey rewrites one "key": value pair of a config template.
func withKey(config, key, value string) string {
	i := strings.Index(config, `"`+key+`"`)
	if i < 0 {
		return strings.Replace(config, "{", fmt.Sprintf("{ %q: %s,", key, value), 1)
	}
	end := i + strings.IndexAny(config[i:], ",}")
	return config[:i] + fmt.Sprintf("%q: %s", key, value) + config[end:]
}

func TestConfigErrors(t *testing.T) {
	text := fmt.Sprintf(smallTextConfig, 2)
	if _, err := ParseTextConfig([]byte(text)); err != nil {
		t.Fatalf("valid config rejected: %v", err)
	}
	for _, tc := range []struct {
		name, config string
		want         []string
	}{
		{"unknown activation", withKey(text, "hidden_act", `"swiglu"`), []string{"hidden_act", `unsupported activation "swiglu"`}},
		{"unknown key", withKey(text, "rope_theta", `10000`), []string{`unsupported key "rope_theta"`}},
		{"other attention kernel", withKey(text, "_attn_implementation", `"kernels-community/fancy"`), []string{"_attn_implementation", "not supported"}},
		{"pruned heads", withKey(text, "pruned_heads", `{"0": [1]}`), []string{"pruned_heads"}},
		{"full CLIPModel config", withKey(text, "model_type", `"clip"`), []string{`model_type "clip"`}},
		{"other class", withKey(text, "architectures", `["CLIPModel"]`), []string{`architecture "CLIPModel"`}},
		{"eos list", withKey(text, "eos_token_id", `[2, 3]`), []string{"eos_token_id", "integer"}},
		{"eos null", withKey(text, "eos_token_id", `null`), []string{"eos_token_id", "integer"}},
		{"fractional size", withKey(text, "hidden_size", `8.5`), []string{"hidden_size", "integer"}},
		{"heads do not divide width", withKey(text, "num_attention_heads", `3`), []string{"not divisible"}},
		{"zero layers", withKey(text, "num_hidden_layers", `0`), []string{"num_hidden_layers = 0"}},
		{"not an object", `[1, 2]`, []string{"not a JSON object"}},
	} {
		t.Run("text/"+tc.name, func(t *testing.T) {
			_, err := ParseTextConfig([]byte(tc.config))
			wantError(t, err, tc.want...)
		})
	}
	// Settings that do not change the computation are accepted.
	for _, ok := range []string{withKey(text, "_attn_implementation", `"sdpa"`), withKey(text, "pruned_heads", `{}`), withKey(text, "pad_token_id", `null`)} {
		if _, err := ParseTextConfig([]byte(ok)); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}

	for _, tc := range []struct {
		name, config string
		want         []string
	}{
		{"unknown activation", withKey(smallVisionConfig, "hidden_act", `"relu6"`), []string{"hidden_act", "relu6"}},
		{"image not a multiple of patches", withKey(smallVisionConfig, "image_size", `30`), []string{"not a multiple of patch_size"}},
		{"text config", withKey(smallVisionConfig, "model_type", `"clip_text_model"`), []string{"not a CLIP vision model"}},
		{"text key", withKey(smallVisionConfig, "vocab_size", `49408`), []string{`unsupported key "vocab_size"`}},
	} {
		t.Run("vision/"+tc.name, func(t *testing.T) {
			_, err := ParseVisionConfig([]byte(tc.config))
			wantError(t, err, tc.want...)
		})
	}
}

func TestTextInputErrors(t *testing.T) {
	cfg, err := ParseTextConfig([]byte(fmt.Sprintf(smallTextConfig, 2)))
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewTextModel(cfg)
	if err != nil {
		t.Fatal(err)
	}
	dir := writeModelFolder(t, fmt.Sprintf(smallTextConfig, 2), randomNamed(m.Specs(), 1, nil))
	enc, err := LoadTextEncoder(dir, testutil.Backend(t), nn.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer enc.Close()
	all := TextOutputs{HiddenStates: []int{-2}, LastHiddenState: true, Pooled: true, TextEmbeds: true}
	for _, tc := range []struct {
		name string
		ids  [][]int
		want TextOutputs
		errs []string
	}{
		{"id past the vocabulary", [][]int{{0, 50, 49}}, all, []string{"token id 50", "outside the vocabulary [0, 50)"}},
		{"negative id", [][]int{{0, -1}}, all, []string{"token id -1"}},
		{"too long", [][]int{{0, 1, 2, 3, 4, 5, 6}}, all, []string{"7 tokens", "max_position_embeddings 6"}},
		{"ragged", [][]int{{0, 1, 2}, {0, 1}}, all, []string{"differ in length"}},
		{"empty", nil, all, []string{"empty batch"}},
		{"no output", [][]int{{0, 1}}, TextOutputs{}, []string{"no text encoder output"}},
		{"hidden state out of range", [][]int{{0, 1}}, TextOutputs{HiddenStates: []int{-4}}, []string{"index -4 is out of range", "3 hidden states"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := enc.Encode(tc.ids, tc.want)
			wantError(t, err, tc.errs...)
		})
	}
	t.Run("float ids", func(t *testing.T) {
		_, err := enc.EncodeTensor(tensors.FromValue([][]float32{{0, 1}}), all)
		wantError(t, err, "int64 or int32")
	})
	t.Run("projection on a model without one", func(t *testing.T) {
		cfg.WithProjection = false
		plain, err := NewTextModel(cfg)
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = plain.checkOutputs(TextOutputs{TextEmbeds: true})
		wantError(t, err, "text_embeds needs CLIPTextModelWithProjection")
	})
}

func TestVisionInputErrors(t *testing.T) {
	m := smallVisionModel(t)
	dir := writeModelFolder(t, smallVisionConfig, randomNamed(m.Specs(), 2, nil))
	enc, err := LoadVisionEncoder(dir, testutil.Backend(t), nn.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer enc.Close()
	want := VisionOutputs{ImageEmbeds: true}
	for _, dims := range [][]int{{1, 3, 32, 32}, {1, 4, 28, 28}, {3, 28, 28}, {0, 3, 28, 28}} {
		n := 1
		for _, d := range dims {
			n *= d
		}
		_, err := enc.EncodeFloat32s(make([]float32, n), dims, want)
		wantError(t, err, "pixel_values must be [batch, 3, 28, 28]", fmt.Sprint(dims))
	}
	_, err = enc.EncodeFloat32s(make([]float32, 10), []int{1, 3, 28, 28}, want)
	wantError(t, err, "10 pixel values")
	_, err = enc.Encode(tensors.FromFlatDataAndDimensions(make([]int32, 3*28*28), 1, 3, 28, 28), want)
	wantError(t, err, "float tensor")
}

func TestCheckpointErrors(t *testing.T) {
	m := smallVisionModel(t)
	b := testutil.Backend(t)
	named := randomNamed(m.Specs(), 3, nil)

	missing := writeModelFolder(t, smallVisionConfig, named[1:])
	_, err := LoadVisionEncoder(missing, b, nn.Options{})
	wantError(t, err, "1 tensors missing", named[0].Name)

	extra := append(append([]weights.Named(nil), named...), weights.Named{Name: "logit_scale", DType: named[0].DType, Shape: []int{1}, Data: make([]byte, 4)})
	_, err = LoadVisionEncoder(writeModelFolder(t, smallVisionConfig, extra), b, nn.Options{})
	wantError(t, err, "does not use", "logit_scale")

	other := withKey(smallVisionConfig, "hidden_size", "10")
	_, err = LoadVisionEncoder(writeModelFolder(t, other, named), b, nn.Options{})
	wantError(t, err, "shapes differ")

	_, err = LoadVisionEncoder(t.TempDir(), b, nn.Options{})
	wantError(t, err, "config.json")
}
