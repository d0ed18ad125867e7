package loader

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestParseModelIndexTiny(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(tinyDir(t), "model_index.json"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := ParseModelIndex(data)
	if err != nil {
		t.Fatal(err)
	}
	if m.ClassName != "StableDiffusionXLPipeline" || m.DiffusersVersion != "0.31.0" || !m.ForceZerosForEmptyPrompt {
		t.Errorf("%+v", m)
	}
	want := map[string]ClassRef{
		"unet": {"diffusers", "UNet2DConditionModel"}, "vae": {"diffusers", "AutoencoderKL"},
		"text_encoder": {"transformers", "CLIPTextModel"}, "text_encoder_2": {"transformers", "CLIPTextModelWithProjection"},
		"tokenizer": {"transformers", "CLIPTokenizer"}, "tokenizer_2": {"transformers", "CLIPTokenizer"},
		"scheduler": {"diffusers", "EulerDiscreteScheduler"}, "image_encoder": {"transformers", "CLIPVisionModelWithProjection"},
		"feature_extractor": {"transformers", "CLIPImageProcessor"},
	}
	if len(m.Components) != len(want) {
		t.Errorf("components %v", m.Components)
	}
	for k, v := range want {
		if m.Components[k] != v {
			t.Errorf("%s: %v, want %v", k, m.Components[k], v)
		}
	}
}

func TestParseModelIndexExtras(t *testing.T) {
	m, err := ParseModelIndex([]byte(`{
		"_class_name": "StableDiffusionXLImg2ImgPipeline", "_name_or_path": "x",
		"force_zeros_for_empty_prompt": false, "requires_aesthetics_score": true, "add_watermarker": null,
		"image_encoder": [null, null], "feature_extractor": [null, null],
		"unet": ["diffusers", "UNet2DConditionModel"]}`))
	if err != nil {
		t.Fatal(err)
	}
	if m.ForceZerosForEmptyPrompt || !slices.Equal(m.Absent, []string{"feature_extractor", "image_encoder"}) || len(m.Components) != 1 {
		t.Errorf("%+v", m)
	}
	if v, err := m.Bool("requires_aesthetics_score", false); err != nil || !v {
		t.Errorf("requires_aesthetics_score: %v %v", v, err)
	}
	if v, err := m.Bool("add_watermarker", true); err != nil || !v {
		t.Errorf("null add_watermarker should give the default: %v %v", v, err)
	}
	if _, err := m.Bool("_name_or_path", false); err == nil {
		t.Error("a string read as a bool")
	}
	for _, bad := range []string{`[]`, `{"unet": ["diffusers", null]}`, `{"force_zeros_for_empty_prompt": "yes", "unet": ["diffusers", "U"]}`, `{"_class_name": "X"}`} {
		if _, err := ParseModelIndex([]byte(bad)); err == nil || !strings.Contains(err.Error(), "model_index.json") {
			t.Errorf("%s: error %v", bad, err)
		}
	}
}

func TestWeightCandidates(t *testing.T) {
	for _, c := range []struct{ name, variant, want string }{
		{"diffusion_pytorch_model.safetensors", "fp16", "diffusion_pytorch_model.fp16.safetensors"},
		{"model.safetensors.index.json", "fp16", "model.safetensors.index.fp16.json"},
		{"pytorch_model.bin", "", "pytorch_model.bin"},
	} {
		if got := withVariant(c.name, c.variant); got != c.want {
			t.Errorf("withVariant(%s, %s) = %s", c.name, c.variant, got)
		}
	}
	if got := weightCandidates("diffusers", "fp16"); !slices.Equal(got, []string{
		"diffusion_pytorch_model.safetensors.index.fp16.json", "diffusion_pytorch_model.fp16.safetensors", "diffusion_pytorch_model.fp16.bin",
	}) {
		t.Errorf("diffusers: %v", got)
	}
	if got := weightCandidates("transformers", ""); !slices.Equal(got, []string{
		"model.safetensors", "model.safetensors.index.json", "pytorch_model.bin", "pytorch_model.bin.index.json",
	}) {
		t.Errorf("transformers: %v", got)
	}
}
