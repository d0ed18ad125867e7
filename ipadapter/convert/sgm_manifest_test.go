package convert

import (
	"slices"
	"testing"

	"github.com/gomlx/compute/dtypes"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/golden"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/clip"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/unet"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/vae"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// sdxlBaseConfigs reads the full-size SDXL base configs of the manifests.
func sdxlBaseConfigs(t *testing.T) SGMConfigs {
	t.Helper()
	u, err := unet.ParseConfig(golden.LoadManifest(t, "sdxl_base_unet").Config)
	if err != nil {
		t.Fatal(err)
	}
	v, err := vae.ParseConfig(golden.LoadManifest(t, "sdxl_base_vae").Config)
	if err != nil {
		t.Fatal(err)
	}
	te, err := clip.ParseTextConfig(golden.LoadManifest(t, "sdxl_base_text_encoder").Config)
	if err != nil {
		t.Fatal(err)
	}
	te2, err := clip.ParseTextConfig(golden.LoadManifest(t, "sdxl_base_text_encoder_2").Config)
	if err != nil {
		t.Fatal(err)
	}
	te2.WithProjection = true // the manifest's config has no "architectures"
	return SGMConfigs{UNet: u, VAE: v, TextEncoder: te, TextEncoder2: te2}
}

// sdxlSGMExtras are the non-parameters the real sd_xl_base_1.0.safetensors
// has besides the 2513 keys the conversion script writes.
var sdxlSGMExtras = []weights.Info{
	{Name: "conditioner.embedders.0.transformer.text_model.embeddings.position_ids", DType: dtypes.Int64, Shape: []int{1, 77}},
	{Name: "conditioner.embedders.1.model.logit_scale", DType: dtypes.Float32},
}

// TestSGMManifestSDXLBase maps the 2513 tensors of the real SDXL base
// single file (names and shapes from the manifest, plus its two
// non-parameter extras) with the real configs: every tensor is used or
// ignored as a known extra, and each component equals, name for name and
// shape for shape, both the diffusers manifest of that component and the
// parameters of the model its config builds.
func TestSGMManifestSDXLBase(t *testing.T) {
	m := golden.LoadManifest(t, "sd_xl_base_1.0_sgm_keys")
	if len(m.Tensors) != 2513 {
		t.Fatalf("manifest has %d tensors, want 2513", len(m.Tensors))
	}
	var infos []weights.Info
	for _, e := range m.Tensors {
		infos = append(infos, weights.Info{Name: e.Name, DType: dtypes.Float16, Shape: e.Shape})
	}
	src := newInfoSource(append(infos, sdxlSGMExtras...)...)
	cfg := sdxlBaseConfigs(t)
	split, err := SGMComponents(src, cfg)
	if err != nil {
		t.Fatal(err)
	}
	wantIgnored := []string{sdxlSGMExtras[0].Name, sdxlSGMExtras[1].Name}
	if !slices.Equal(split.Ignored, wantIgnored) {
		t.Errorf("ignored %v, want %v", split.Ignored, wantIgnored)
	}
	checkAgainstModels(t, cfg, src, split)
	for component, manifest := range map[string]string{
		UNet: "sdxl_base_unet", VAE: "sdxl_base_vae", TextEncoder: "sdxl_base_text_encoder", TextEncoder2: "sdxl_base_text_encoder_2",
	} {
		t.Run(component, func(t *testing.T) {
			var names []string
			var shapes [][]int
			for _, info := range split.Components[component].Infos() {
				names, shapes = append(names, info.Name), append(shapes, info.Shape)
			}
			golden.LoadManifest(t, manifest).CheckNamesAndShapes(t, names, shapes)
		})
	}
	// The only copy: text_projection, transposed; bigG's is square, so
	// check the transform rather than the shape.
	o, _ := split.Components[TextEncoder2].Origin("text_projection.weight")
	if !o.Transpose || o.From != "conditioner.embedders.1.model.text_projection" {
		t.Errorf("text_projection.weight comes from %+v", o)
	}
}
