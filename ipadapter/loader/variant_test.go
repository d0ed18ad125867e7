package loader

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/golden"
)

// variantPipeline lays out a pipeline whose components have several weight
// files each, to check which one diffusers' rules pick.
func variantPipeline(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "model_index.json"), []byte(`{"_class_name": "StableDiffusionXLPipeline",
		"unet": ["diffusers", "UNet2DConditionModel"], "vae": ["diffusers", "AutoencoderKL"],
		"text_encoder": ["transformers", "CLIPTextModel"], "text_encoder_2": ["transformers", "CLIPTextModelWithProjection"],
		"image_encoder": ["transformers", "CLIPVisionModelWithProjection"], "scheduler": ["diffusers", "EulerDiscreteScheduler"]}`))
	for _, c := range []string{"unet", "vae", "text_encoder", "text_encoder_2", "image_encoder"} {
		writeFile(t, filepath.Join(dir, c, "config.json"), []byte(`{}`))
	}
	writeFile(t, filepath.Join(dir, "scheduler", "scheduler_config.json"), []byte(`{}`))

	// unet: plain file, and an fp16 variant in two shards.
	writeTensors(t, filepath.Join(dir, "unet", "diffusion_pytorch_model.safetensors"), "plain")
	writeTensors(t, filepath.Join(dir, "unet", "diffusion_pytorch_model.fp16-00001-of-00002.safetensors"), "a")
	writeTensors(t, filepath.Join(dir, "unet", "diffusion_pytorch_model.fp16-00002-of-00002.safetensors"), "b")
	writeIndex(t, filepath.Join(dir, "unet", "diffusion_pytorch_model.safetensors.index.fp16.json"), map[string]string{
		"a": "diffusion_pytorch_model.fp16-00001-of-00002.safetensors", "b": "diffusion_pytorch_model.fp16-00002-of-00002.safetensors",
	})
	// vae: a plain file and a plain sharded copy (diffusers prefers the
	// index), and an fp16 file.
	writeTensors(t, filepath.Join(dir, "vae", "diffusion_pytorch_model.safetensors"), "single")
	writeTensors(t, filepath.Join(dir, "vae", "diffusion_pytorch_model-00001-of-00001.safetensors"), "sharded")
	writeIndex(t, filepath.Join(dir, "vae", "diffusion_pytorch_model.safetensors.index.json"), map[string]string{"sharded": "diffusion_pytorch_model-00001-of-00001.safetensors"})
	writeTensors(t, filepath.Join(dir, "vae", "diffusion_pytorch_model.fp16.safetensors"), "half")
	// text_encoder: an fp16 file and an fp16 sharded copy (transformers
	// prefers the file).
	writeTensors(t, filepath.Join(dir, "text_encoder", "model.fp16.safetensors"), "single")
	writeTensors(t, filepath.Join(dir, "text_encoder", "model.fp16-00001-of-00001.safetensors"), "sharded")
	writeIndex(t, filepath.Join(dir, "text_encoder", "model.safetensors.index.fp16.json"), map[string]string{"sharded": "model.fp16-00001-of-00001.safetensors"})
	// text_encoder_2: plain file; fp16 only sharded.
	writeTensors(t, filepath.Join(dir, "text_encoder_2", "model.safetensors"), "plain")
	writeTensors(t, filepath.Join(dir, "text_encoder_2", "model.fp16-00001-of-00002.safetensors"), "x")
	writeTensors(t, filepath.Join(dir, "text_encoder_2", "model.fp16-00002-of-00002.safetensors"), "y")
	writeIndex(t, filepath.Join(dir, "text_encoder_2", "model.safetensors.index.fp16.json"), map[string]string{
		"x": "model.fp16-00001-of-00002.safetensors", "y": "model.fp16-00002-of-00002.safetensors",
	})
	// image_encoder: only a torch .bin, no variant.
	copyFile(t, filepath.Join(golden.Repo(t), "ip-adapter", "sdxl_models", "ip-adapter_tiny-sdxl.bin"), filepath.Join(dir, "image_encoder", "pytorch_model.bin"))
	return dir
}

func TestResolveWeightPreference(t *testing.T) {
	dir := variantPipeline(t)
	type want struct {
		files   []string
		variant string
		tensors []string
	}
	for _, c := range []struct {
		variant string
		want    map[string]want
	}{
		{"fp16", map[string]want{
			"unet": {[]string{"diffusion_pytorch_model.safetensors.index.fp16.json", "diffusion_pytorch_model.fp16-00001-of-00002.safetensors",
				"diffusion_pytorch_model.fp16-00002-of-00002.safetensors"}, "fp16", []string{"a", "b"}},
			"vae":            {[]string{"diffusion_pytorch_model.fp16.safetensors"}, "fp16", []string{"half"}},
			"text_encoder":   {[]string{"model.fp16.safetensors"}, "fp16", []string{"single"}},
			"text_encoder_2": {[]string{"model.safetensors.index.fp16.json", "model.fp16-00001-of-00002.safetensors", "model.fp16-00002-of-00002.safetensors"}, "fp16", []string{"x", "y"}},
			"image_encoder":  {[]string{"pytorch_model.bin"}, "", nil},
		}},
		{"", map[string]want{
			"unet":           {[]string{"diffusion_pytorch_model.safetensors"}, "", []string{"plain"}},
			"vae":            {[]string{"diffusion_pytorch_model.safetensors.index.json", "diffusion_pytorch_model-00001-of-00001.safetensors"}, "", []string{"sharded"}},
			"text_encoder_2": {[]string{"model.safetensors"}, "", []string{"plain"}},
			"image_encoder":  {[]string{"pytorch_model.bin"}, "", nil},
		}},
	} {
		t.Run("variant="+c.variant, func(t *testing.T) {
			opts := Options{Variant: c.variant}
			if c.variant == "" {
				opts.Skip = []string{"text_encoder"} // it has only fp16 weights
			}
			p, err := Resolve(context.Background(), dir, opts)
			if err != nil {
				t.Fatal(err)
			}
			for name, w := range c.want {
				comp := p.Components[name]
				if !slices.Equal(baseNames(comp.WeightFiles), w.files) || comp.Variant != w.variant {
					t.Errorf("%s: %v (variant %q), want %v (%q)", name, baseNames(comp.WeightFiles), comp.Variant, w.files, w.variant)
				}
				if filepath.Dir(comp.WeightFiles[0]) != filepath.Join(dir, name) {
					t.Errorf("%s: weights in %s", name, filepath.Dir(comp.WeightFiles[0]))
				}
				got := sourceNames(t, comp)
				if w.tensors != nil && !slices.Equal(got, w.tensors) {
					t.Errorf("%s: tensors %v, want %v", name, got, w.tensors)
				}
				if w.tensors == nil && (len(got) == 0 || !strings.HasPrefix(got[0], "image_proj.")) {
					t.Errorf("%s: the .bin gave %v", name, got)
				}
			}
			fallback := hasNote(p.Notes, `image_encoder: no "fp16" weights`, "pytorch_model.bin.index.fp16.json")
			if fallback != (c.variant == "fp16") || len(p.Notes) != map[bool]int{true: 1, false: 0}[fallback] {
				t.Errorf("notes %v", p.Notes)
			}
		})
	}
}
