package clip

import (
	"testing"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/golden"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
)

// specNamesAndShapes splits specs for Manifest.CheckNamesAndShapes.
func specNamesAndShapes(specs []nn.Spec) ([]string, [][]int) {
	names := make([]string, len(specs))
	shapes := make([][]int, len(specs))
	for i, s := range specs {
		names[i], shapes[i] = s.Name, s.Shape
	}
	return names, shapes
}

// TestFullSizeModelsMatchManifests constructs SDXL's two text encoders and
// IP-Adapter's ViT-H/14 and ViT-bigG/14 image encoders from the real
// configs (no weights) and checks every parameter name and shape against
// the manifests of the published checkpoints. The manifests list no
// position_ids: transformers registers it as a non-persistent buffer, and
// these models do not register it either (loading tolerates it in older
// files).
func TestFullSizeModelsMatchManifests(t *testing.T) {
	for _, name := range []string{"sdxl_base_text_encoder", "sdxl_base_text_encoder_2"} {
		t.Run(name, func(t *testing.T) {
			m := golden.LoadManifest(t, name)
			cfg, err := ParseTextConfig(m.Config)
			if err != nil {
				t.Fatal(err)
			}
			cfg.WithProjection = m.Model == ArchTextModelWithProjection // the manifest config has no "architectures"
			if cfg.Architecture() != m.Model {
				t.Fatalf("manifest model %q is not a CLIP text model", m.Model)
			}
			model, err := NewTextModel(cfg)
			if err != nil {
				t.Fatal(err)
			}
			names, shapes := specNamesAndShapes(model.Specs())
			m.CheckNamesAndShapes(t, names, shapes)
			if got := nn.NumParameters(model.Specs()); got != m.NParams {
				t.Errorf("%d parameters, manifest %d", got, m.NParams)
			}
		})
	}
	for _, name := range []string{"h94_models_image_encoder_vit-h-14", "h94_sdxl_models_image_encoder_vit-bigG-14"} {
		t.Run(name, func(t *testing.T) {
			m := golden.LoadManifest(t, name)
			cfg, err := ParseVisionConfig(m.Config)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Architecture() != m.Model {
				t.Fatalf("config builds %s, manifest is %s", cfg.Architecture(), m.Model)
			}
			model, err := NewVisionModel(cfg)
			if err != nil {
				t.Fatal(err)
			}
			names, shapes := specNamesAndShapes(model.Specs())
			m.CheckNamesAndShapes(t, names, shapes)
			if got := nn.NumParameters(model.Specs()); got != m.NParams {
				t.Errorf("%d parameters, manifest %d", got, m.NParams)
			}
		})
	}
}
