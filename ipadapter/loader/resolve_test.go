package loader

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/golden"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/hub"
)

// TestResolveTinyFolder resolves the fixture pipeline folder: every
// component of its model_index.json with the right kind and files.
func TestResolveTinyFolder(t *testing.T) {
	dir := tinyDir(t)
	p, err := Resolve(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Dir != dir || p.Index.ClassName != "StableDiffusionXLPipeline" || len(p.Notes) != 0 {
		t.Errorf("dir %s, class %s, notes %v", p.Dir, p.Index.ClassName, p.Notes)
	}
	want := map[string]struct {
		kind    Kind
		config  string
		weights []string
		tensors int
	}{
		"unet":              {Model, "config.json", []string{"diffusion_pytorch_model.safetensors"}, 428},
		"vae":               {Model, "config.json", []string{"diffusion_pytorch_model.safetensors"}, 244},
		"text_encoder":      {Model, "config.json", []string{"model.safetensors"}, 52},
		"text_encoder_2":    {Model, "config.json", []string{"model.safetensors"}, 69},
		"image_encoder":     {Model, "config.json", []string{"model.safetensors"}, -1},
		"scheduler":         {Scheduler, "scheduler_config.json", nil, 0},
		"feature_extractor": {Processor, "preprocessor_config.json", nil, 0},
		"tokenizer":         {Tokenizer, "tokenizer_config.json", nil, 0},
		"tokenizer_2":       {Tokenizer, "tokenizer_config.json", nil, 0},
	}
	if !slices.Equal(p.Names(), sortedKeys(want)) {
		t.Errorf("components %v", p.Names())
	}
	for name, w := range want {
		c, err := p.Component(name)
		if err != nil {
			t.Fatal(err)
		}
		if c.Kind != w.kind || c.Dir != filepath.Join(dir, name) || c.ConfigPath != filepath.Join(dir, name, w.config) {
			t.Errorf("%s: kind %s, dir %s, config %s", name, c.Kind, c.Dir, c.ConfigPath)
		}
		if !slices.Equal(baseNames(c.WeightFiles), w.weights) || c.Variant != "" {
			t.Errorf("%s: weights %v (variant %q), want %v", name, c.WeightFiles, c.Variant, w.weights)
		}
		if w.tensors > 0 {
			if n := len(sourceNames(t, c)); n != w.tensors {
				t.Errorf("%s: %d tensors, want %d", name, n, w.tensors)
			}
		}
		if c.Kind != Model {
			if _, err := c.Source(); err == nil || !strings.Contains(err.Error(), "has no weights") {
				t.Errorf("%s: Source of a %s: %v", name, c.Kind, err)
			}
		}
	}
	tok, _ := p.Component("tokenizer")
	if got := baseNames(tok.Files); !slices.Equal(got, []string{"vocab.json", "merges.txt", "special_tokens_map.json"}) {
		t.Errorf("tokenizer files %v", got)
	}
	if _, err := p.Component("safety_checker"); err == nil || !strings.Contains(err.Error(), "it has feature_extractor, image_encoder") {
		t.Errorf("missing component: %v", err)
	}
}

// TestResolveVariantFallbackTiny: the fixture has no fp16 files, so every
// model falls back to its plain weights, each with a note, as diffusers
// does.
func TestResolveVariantFallbackTiny(t *testing.T) {
	p, err := Resolve(context.Background(), tinyDir(t), Options{Variant: "fp16"})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"unet", "vae", "text_encoder", "text_encoder_2", "image_encoder"} {
		c := p.Components[name]
		if c.Variant != "" || len(c.WeightFiles) != 1 {
			t.Errorf("%s: %v %q", name, c.WeightFiles, c.Variant)
		}
		if !hasNote(p.Notes, name+": no \"fp16\" weights", "loading the plain weights") {
			t.Errorf("no fallback note for %s in %v", name, p.Notes)
		}
	}
	if len(p.Notes) != 5 {
		t.Errorf("%d notes: %v", len(p.Notes), p.Notes)
	}
}

// TestResolveReplaceAndSkip takes the VAE from a folder of its own and adds
// the h94-style image encoder of the fixture's adapters to a pipeline
// whose index lacks it, as SDXL base's does.
func TestResolveReplaceAndSkip(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, tinyDir(t), dir)
	index, err := os.ReadFile(filepath.Join(dir, "model_index.json"))
	if err != nil {
		t.Fatal(err)
	}
	index = []byte(strings.Replace(string(index), `"image_encoder": [`, `"image_encoder": null, "_unused": [`, 1))
	writeFile(t, filepath.Join(dir, "model_index.json"), index)
	if err := os.RemoveAll(filepath.Join(dir, "image_encoder")); err != nil {
		t.Fatal(err)
	}
	otherVAE := t.TempDir()
	copyTree(t, filepath.Join(tinyDir(t), "vae"), otherVAE)
	adapters := filepath.Join(golden.Repo(t), "ip-adapter")

	p, err := Resolve(context.Background(), dir, Options{
		Replace: map[string]Location{
			"vae":           {Repo: otherVAE},
			"image_encoder": {Repo: adapters, Subfolder: "sdxl_models/image_encoder"},
		},
		Skip: []string{"_unused", "feature_extractor"},
	})
	if err != nil {
		t.Fatal(err)
	}
	vae := p.Components["vae"]
	if vae.Dir != otherVAE || !slices.Equal(vae.WeightFiles, []string{filepath.Join(otherVAE, "diffusion_pytorch_model.safetensors")}) || vae.Class != "AutoencoderKL" {
		t.Errorf("vae: %+v", vae)
	}
	enc := p.Components["image_encoder"]
	if enc.ClassRef != (ClassRef{"transformers", "CLIPVisionModelWithProjection"}) || enc.Dir != filepath.Join(adapters, "sdxl_models", "image_encoder") || len(enc.WeightFiles) != 1 {
		t.Errorf("image_encoder: %+v", enc)
	}
	if !hasNote(p.Notes, "vae: AutoencoderKL instead of the pipeline's from "+otherVAE) ||
		!hasNote(p.Notes, "image_encoder: CLIPVisionModelWithProjection added to the pipeline from "+adapters) {
		t.Errorf("notes %v", p.Notes)
	}
	if _, ok := p.Components["feature_extractor"]; ok {
		t.Error("a skipped component was resolved")
	}
	if _, err := Resolve(context.Background(), dir, Options{Skip: []string{"image_encodr"}}); err == nil || !strings.Contains(err.Error(), `Skip names "image_encodr"`) {
		t.Errorf("misspelt skip: %v", err)
	}
}

// TestResolveErrors: a missing model_index.json, config or weights is an
// error saying which file was looked for, and where.
func TestResolveErrors(t *testing.T) {
	ctx := context.Background()
	empty := t.TempDir()
	if _, err := Resolve(ctx, empty, Options{}); err == nil || !strings.Contains(err.Error(), "model_index.json") ||
		!strings.Contains(err.Error(), empty) || !errors.Is(err, hub.ErrEntryNotFound) {
		t.Errorf("no model_index.json: %v", err)
	}

	dir := t.TempDir()
	copyTree(t, tinyDir(t), dir)
	if err := os.Remove(filepath.Join(dir, "scheduler", "scheduler_config.json")); err != nil {
		t.Fatal(err)
	}
	_, err := Resolve(ctx, dir, Options{})
	if err == nil || !strings.Contains(err.Error(), "scheduler/scheduler_config.json") || !strings.Contains(err.Error(), "EulerDiscreteScheduler") {
		t.Errorf("no scheduler config: %v", err)
	}
	copyFile(t, filepath.Join(tinyDir(t), "scheduler", "scheduler_config.json"), filepath.Join(dir, "scheduler", "scheduler_config.json"))

	unetWeights := filepath.Join(dir, "unet", "diffusion_pytorch_model.safetensors")
	if err := os.Rename(unetWeights, filepath.Join(dir, "unet", "diffusion_pytorch_model.fp16.safetensors")); err != nil {
		t.Fatal(err)
	}
	_, err = Resolve(ctx, dir, Options{})
	for _, want := range []string{
		"unet: no weights in " + dir + "/unet",
		"looked for diffusion_pytorch_model.safetensors.index.json, diffusion_pytorch_model.safetensors, diffusion_pytorch_model.bin",
		`it has diffusion_pytorch_model.fp16.safetensors: set Options.Variant to "fp16"`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("only fp16 weights, no variant asked: %v\nwant %q", err, want)
		}
	}
	if !errors.Is(err, hub.ErrEntryNotFound) {
		t.Errorf("%v does not wrap ErrEntryNotFound", err)
	}

	if _, err := Resolve(ctx, tinyDir(t), Options{Replace: map[string]Location{"vae": {Repo: empty}}}); err == nil ||
		!strings.Contains(err.Error(), "vae (diffusers AutoencoderKL)") || !strings.Contains(err.Error(), "config.json not found in the local folder "+empty) {
		t.Errorf("empty replacement of a listed component: %v", err)
	}
	if _, err := Resolve(ctx, tinyDir(t), Options{Replace: map[string]Location{"controlnet": {Repo: empty}}}); err == nil ||
		!strings.Contains(err.Error(), "cannot tell what "+empty+" holds") {
		t.Errorf("empty folder added as a component: %v", err)
	}
	if _, err := Resolve(ctx, tinyDir(t), Options{Replace: map[string]Location{"vae": {Repo: filepath.Join(tinyDir(t), "scheduler")}}}); err == nil ||
		!strings.Contains(err.Error(), "vae: the pipeline's is a model (AutoencoderKL)") || !strings.Contains(err.Error(), "holds a scheduler (EulerDiscreteScheduler)") {
		t.Errorf("a scheduler folder as VAE: %v", err)
	}
}
