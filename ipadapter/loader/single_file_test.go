package loader

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/golden"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/hub"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// TestSingleFileGolden reads the tiny SGM checkpoint with the fixture
// folder as config, as from_single_file(file, config=folder) does: the four
// models come from the file under diffusers names, the rest from the
// folder, and a component's tensor is the folder's rounded to float16.
func TestSingleFileGolden(t *testing.T) {
	golden.ForGroup(t, "single_file", func(t *testing.T, c *golden.Case) {
		file, err := c.ResourcePath("single_file")
		if err != nil {
			t.Fatal(err)
		}
		model, err := c.ResourcePath("model")
		if err != nil {
			t.Fatal(err)
		}
		p, err := SingleFile(context.Background(), file, model, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if p.Source != file || len(p.Components) != 9 {
			t.Errorf("source %s, components %v", p.Source, p.Names())
		}
		if !hasNote(p.Notes, "conditioner.embedders.0", "is text_encoder", "by width") || len(p.Notes) != 1 {
			t.Errorf("notes %v", p.Notes)
		}
		for name, n := range map[string]int{"unet": 428, "vae": 244, "text_encoder": 52, "text_encoder_2": 69} {
			comp := p.Components[name]
			if !slices.Equal(comp.WeightFiles, []string{file}) || comp.ConfigPath != filepath.Join(model, name, "config.json") || comp.Dir != filepath.Join(model, name) {
				t.Errorf("%s: %+v", name, comp)
			}
			if !strings.Contains(comp.Origin, file) || !strings.Contains(comp.Origin, "config from "+model+"/"+name) {
				t.Errorf("%s: origin %s", name, comp.Origin)
			}
			if got := len(sourceNames(t, comp)); got != n {
				t.Errorf("%s: %d tensors, want %d", name, got, n)
			}
		}
		// One tensor of each transform, against the folder's, rounded.
		for name, tensor := range map[string]string{
			"text_encoder_2": "text_projection.weight",                              // transposed
			"vae":            "decoder.mid_block.attentions.0.to_q.weight",          // 1×1 convolution reshaped
			"unet":           "up_blocks.0.upsamplers.0.conv.weight",                // renamed
			"text_encoder":   "text_model.encoder.layers.2.self_attn.k_proj.weight", // as stored
		} {
			checkRounded(t, p.Components[name], filepath.Join(model, name), tensor)
		}
		if c := p.Components["image_encoder"]; c.Dir != filepath.Join(model, "image_encoder") || len(c.WeightFiles) != 1 {
			t.Errorf("image_encoder from the config folder: %+v", c)
		}

		// A replaced VAE comes from its folder, not from the file.
		p2, err := SingleFile(context.Background(), file, model, Options{Replace: map[string]Location{"vae": {Repo: model, Subfolder: "vae"}}})
		if err != nil {
			t.Fatal(err)
		}
		if vae := p2.Components["vae"]; !slices.Equal(vae.WeightFiles, []string{filepath.Join(model, "vae", "diffusion_pytorch_model.safetensors")}) {
			t.Errorf("replaced vae: %+v", vae)
		}
	})
}

// checkRounded compares one tensor of a component with the folder's float32
// tensor rounded to the component's dtype.
func checkRounded(t *testing.T, c *Component, folder, name string) {
	t.Helper()
	src, err := c.Source()
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	ref, err := weights.Open(firstWeights(t, folder))
	if err != nil {
		t.Fatal(err)
	}
	defer ref.Close()
	info, ok := src.Info(name)
	want, ok2 := ref.Info(name)
	if !ok || !ok2 || !slices.Equal(info.Shape, want.Shape) {
		t.Fatalf("%s %s: %v vs %v", c.Name, name, info, want)
	}
	got, err := src.Bytes(name)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := ref.Bytes(name)
	if err != nil {
		t.Fatal(err)
	}
	rounded, err := weights.ConvertBytes(raw, want.DType, info.DType)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, rounded) {
		t.Errorf("%s %s differs from the folder's tensor", c.Name, name)
	}
}

func firstWeights(t *testing.T, dir string) string {
	t.Helper()
	for _, n := range []string{"diffusion_pytorch_model.safetensors", "model.safetensors"} {
		if _, err := os.Stat(filepath.Join(dir, n)); err == nil {
			return filepath.Join(dir, n)
		}
	}
	t.Fatalf("no weights in %s", dir)
	return ""
}

// TestSingleFileErrorsAndExtras: components the checkpoint lacks, model
// components of the config it does not hold, and tensors it has that no
// component uses.
func TestSingleFileErrorsAndExtras(t *testing.T) {
	ctx := context.Background()
	repoDir := golden.Repo(t)
	file := filepath.Join(repoDir, "single-file", "tiny-sdxl_sgm.fp16.safetensors")
	src, err := weights.OpenSafetensors(file)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	// A copy without the VAE, with an EMA tensor and an unknown one.
	var ts []weights.Named
	for _, info := range src.Infos() {
		if strings.HasPrefix(info.Name, "first_stage_model.") {
			continue
		}
		data, err := src.Bytes(info.Name)
		if err != nil {
			t.Fatal(err)
		}
		ts = append(ts, weights.Named{Name: info.Name, DType: info.DType, Shape: info.Shape, Data: data})
	}
	extra := weights.Named{Name: "model_ema.decay", DType: ts[0].DType, Shape: nil, Data: []byte{0, 0}}
	odd := weights.Named{Name: "denoiser.sigmas", DType: ts[0].DType, Shape: []int{1}, Data: []byte{0, 0}}
	noVAE := filepath.Join(t.TempDir(), "no_vae.safetensors")
	if err := weights.WriteSafetensors(noVAE, append(ts, extra, odd), nil); err != nil {
		t.Fatal(err)
	}
	model := tinyDir(t)
	_, err = SingleFile(ctx, noVAE, model, Options{})
	if err == nil || !strings.Contains(err.Error(), `has no vae (no tensors under "first_stage_model."): give it with Options.Replace`) {
		t.Errorf("no VAE: %v", err)
	}
	p, err := SingleFile(ctx, noVAE, model, Options{Replace: map[string]Location{"vae": {Repo: model, Subfolder: "vae"}}})
	if err != nil {
		t.Fatal(err)
	}
	if !hasNote(p.Notes, "1 tensors that are not parameters left out (model_ema.decay)") || !hasNote(p.Notes, "1 tensors no component uses, not loaded (denoiser.sigmas)") {
		t.Errorf("notes %v", p.Notes)
	}

	// A config whose image_encoder weights are not on this machine: the
	// single file does not hold it either.
	cfg := t.TempDir()
	copyTree(t, model, cfg)
	if err := os.Remove(filepath.Join(cfg, "image_encoder", "model.safetensors")); err != nil {
		t.Fatal(err)
	}
	if _, err := SingleFile(ctx, file, cfg, Options{}); err == nil || !strings.Contains(err.Error(), "the single file does not hold image_encoder either") {
		t.Errorf("image_encoder without weights: %v", err)
	}
	if _, err := SingleFile(ctx, file, cfg, Options{Skip: []string{"image_encoder"}}); err != nil {
		t.Errorf("skipping it: %v", err)
	}
	if _, err := SingleFile(ctx, model, model, Options{}); err == nil || !strings.Contains(err.Error(), "is a folder") {
		t.Errorf("a folder as checkpoint: %v", err)
	}
	if _, err := SingleFile(ctx, "https://huggingface.co/org/name/tree/main", model, Options{}); err == nil || !strings.Contains(err.Error(), "not a Hub file URL") {
		t.Errorf("a repository page as checkpoint: %v", err)
	}
}

// TestSingleFileFromHub downloads the checkpoint from a Hub URL and reads
// the configs from a cached repository.
func TestSingleFileFromHub(t *testing.T) {
	isolateHubEnv(t)
	repoDir := golden.Repo(t)
	fh := newFakeHub(t, map[string]string{"stabilityai/sdxl": filepath.Join(repoDir, "single-file"), "org/tiny-sdxl": tinyDir(t)})
	opts := Options{Hub: hub.Options{CacheDir: t.TempDir(), Endpoint: fh.srv.URL}}
	url := "https://huggingface.co/stabilityai/sdxl/blob/" + hubCommit + "/tiny-sdxl_sgm.fp16.safetensors"
	// The config repository lists an image_encoder, whose weights are
	// neither in the file nor downloaded with the configs (diffusers fails
	// alike): it must be replaced or skipped.
	if _, err := SingleFile(context.Background(), url, "org/tiny-sdxl", opts); err == nil || !strings.Contains(err.Error(), "image_encoder") {
		t.Errorf("image_encoder from a config repository: %v", err)
	}
	opts.Skip = []string{"image_encoder"}
	p, err := SingleFile(context.Background(), url, "org/tiny-sdxl", opts)
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(opts.Hub.CacheDir, "models--stabilityai--sdxl", "snapshots", hubCommit, "tiny-sdxl_sgm.fp16.safetensors")
	if unet := p.Components["unet"]; !slices.Equal(unet.WeightFiles, []string{want}) || len(sourceNames(t, unet)) != 428 {
		t.Errorf("unet: %+v", unet)
	}
	// Only the configs of the checkpoint's components were fetched.
	for _, r := range fh.seen() {
		if strings.Contains(r, "/org/tiny-sdxl/") && strings.Contains(r, "/unet/diffusion_pytorch_model") {
			t.Errorf("the config repository's UNet weights were asked for: %s", r)
		}
	}
}
