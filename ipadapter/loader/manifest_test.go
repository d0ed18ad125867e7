package loader

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gomlx/compute/dtypes"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/golden"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// sdxlManifests are the diffusers manifests of SDXL base's model
// components, with the transformers class their config needs.
var sdxlManifests = map[string]struct{ manifest, arch string }{
	"unet":           {"sdxl_base_unet", ""},
	"vae":            {"sdxl_base_vae", ""},
	"text_encoder":   {"sdxl_base_text_encoder", "CLIPTextModel"},
	"text_encoder_2": {"sdxl_base_text_encoder_2", "CLIPTextModelWithProjection"},
}

// manifestInfos lists a manifest's tensors in the given dtype.
func manifestInfos(m *golden.Manifest, dt dtypes.DType) []weights.Info {
	infos := make([]weights.Info, len(m.Tensors))
	for i, e := range m.Tensors {
		infos[i] = weights.Info{Name: e.Name, DType: dt, Shape: e.Shape}
	}
	return infos
}

// writeShards writes infos as a sparse sharded checkpoint: n shards named
// by shardName(i) and the index.
func writeShards(t *testing.T, dir, index string, infos []weights.Info, n int, shardName func(i int) string) {
	t.Helper()
	weightMap := map[string]string{}
	per := (len(infos) + n - 1) / n
	for i := range n {
		part := infos[i*per : min((i+1)*per, len(infos))]
		writeSparse(t, filepath.Join(dir, shardName(i)), part)
		for _, info := range part {
			weightMap[info.Name] = shardName(i)
		}
	}
	writeIndex(t, filepath.Join(dir, index), weightMap)
}

// fakeSDXLRepo lays out SDXL base as the Hub repository has it, with the
// real configs and, for the weights, sparse files with the real names and
// shapes: the UNet and text_encoder_2 as fp16 shards, the VAE plain and
// fp16, text_encoder fp16 only.
func fakeSDXLRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "model_index.json"), []byte(`{"_class_name": "StableDiffusionXLPipeline", "_diffusers_version": "0.19.0.dev0",
		"force_zeros_for_empty_prompt": true, "add_watermarker": null,
		"scheduler": ["diffusers", "EulerDiscreteScheduler"], "text_encoder": ["transformers", "CLIPTextModel"],
		"text_encoder_2": ["transformers", "CLIPTextModelWithProjection"], "tokenizer": ["transformers", "CLIPTokenizer"],
		"tokenizer_2": ["transformers", "CLIPTokenizer"], "unet": ["diffusers", "UNet2DConditionModel"], "vae": ["diffusers", "AutoencoderKL"]}`))
	for _, c := range []string{"tokenizer", "tokenizer_2", "scheduler"} {
		copyTree(t, filepath.Join(tinyDir(t), c), filepath.Join(dir, c))
	}
	for name, m := range sdxlManifests {
		manifest := golden.LoadManifest(t, m.manifest)
		var cfg map[string]any
		if err := json.Unmarshal(manifest.Config, &cfg); err != nil {
			t.Fatal(err)
		}
		if m.arch != "" {
			cfg["architectures"] = []string{m.arch}
		}
		data, err := json.Marshal(cfg)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, name, "config.json"), data)
	}
	half := func(name string) []weights.Info {
		return manifestInfos(golden.LoadManifest(t, sdxlManifests[name].manifest), dtypes.Float16)
	}
	writeShards(t, filepath.Join(dir, "unet"), "diffusion_pytorch_model.safetensors.index.fp16.json", half("unet"), 2,
		func(i int) string { return fmt.Sprintf("diffusion_pytorch_model.fp16-%05d-of-00002.safetensors", i+1) })
	writeSparse(t, filepath.Join(dir, "vae", "diffusion_pytorch_model.safetensors"), manifestInfos(golden.LoadManifest(t, "sdxl_base_vae"), dtypes.Float32))
	writeSparse(t, filepath.Join(dir, "vae", "diffusion_pytorch_model.fp16.safetensors"), half("vae"))
	writeSparse(t, filepath.Join(dir, "text_encoder", "model.fp16.safetensors"), half("text_encoder"))
	writeShards(t, filepath.Join(dir, "text_encoder_2"), "model.safetensors.index.fp16.json", half("text_encoder_2"), 2,
		func(i int) string { return fmt.Sprintf("model.fp16-%05d-of-00002.safetensors", i+1) })
	return dir
}

// checkManifestComponents opens each model component and compares its
// tensors with the diffusers manifest: every tensor there, with its shape,
// nothing else, in float16.
func checkManifestComponents(t *testing.T, p *Pipeline) {
	t.Helper()
	for name, m := range sdxlManifests {
		t.Run(name, func(t *testing.T) {
			src, err := p.Components[name].Source()
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			var names []string
			var shapes [][]int
			for _, info := range src.Infos() {
				names, shapes = append(names, info.Name), append(shapes, info.Shape)
				if info.DType != dtypes.Float16 {
					t.Errorf("%s is %s", info.Name, info.DType)
				}
			}
			golden.LoadManifest(t, m.manifest).CheckNamesAndShapes(t, names, shapes)
		})
	}
}

// TestResolveSDXLBaseLayout resolves a full-size SDXL base repository
// layout with variant fp16: the fp16 shards and files are chosen, and every
// tensor of every manifest is found.
func TestResolveSDXLBaseLayout(t *testing.T) {
	dir := fakeSDXLRepo(t)
	p, err := Resolve(context.Background(), dir, Options{Variant: "fp16"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"unet": {"diffusion_pytorch_model.safetensors.index.fp16.json", "diffusion_pytorch_model.fp16-00001-of-00002.safetensors",
			"diffusion_pytorch_model.fp16-00002-of-00002.safetensors"},
		"vae":            {"diffusion_pytorch_model.fp16.safetensors"},
		"text_encoder":   {"model.fp16.safetensors"},
		"text_encoder_2": {"model.safetensors.index.fp16.json", "model.fp16-00001-of-00002.safetensors", "model.fp16-00002-of-00002.safetensors"},
	}
	for name, files := range want {
		if c := p.Components[name]; !slices.Equal(baseNames(c.WeightFiles), files) || c.Variant != "fp16" {
			t.Errorf("%s: %v (%q), want %v", name, baseNames(c.WeightFiles), c.Variant, files)
		}
	}
	if len(p.Notes) != 0 || len(p.Components) != 7 || !p.Index.ForceZerosForEmptyPrompt {
		t.Errorf("notes %v, components %v", p.Notes, p.Names())
	}
	checkManifestComponents(t, p)
}

// TestSingleFileSDXLBaseLayout reads a sparse file with the 2513 tensors
// (and two non-parameter extras) of the real sd_xl_base_1.0.safetensors
// with the SDXL base configs: every component holds exactly the diffusers
// manifest's tensors.
func TestSingleFileSDXLBaseLayout(t *testing.T) {
	dir := fakeSDXLRepo(t)
	infos := manifestInfos(golden.LoadManifest(t, "sd_xl_base_1.0_sgm_keys"), dtypes.Float16)
	infos = append(infos,
		weights.Info{Name: "conditioner.embedders.0.transformer.text_model.embeddings.position_ids", DType: dtypes.Int64, Shape: []int{1, 77}},
		weights.Info{Name: "conditioner.embedders.1.model.logit_scale", DType: dtypes.Float32})
	ckpt := filepath.Join(t.TempDir(), "sd_xl_base_1.0.safetensors")
	writeSparse(t, ckpt, infos)
	p, err := SingleFile(context.Background(), ckpt, dir, Options{Variant: "fp16"})
	if err != nil {
		t.Fatal(err)
	}
	if !hasNote(p.Notes, "2 tensors that are not parameters left out") || len(p.Notes) != 2 {
		t.Errorf("notes %v", p.Notes)
	}
	for name := range sdxlManifests {
		if c := p.Components[name]; !slices.Equal(c.WeightFiles, []string{ckpt}) {
			t.Errorf("%s: %v", name, c.WeightFiles)
		}
	}
	checkManifestComponents(t, p)
}
