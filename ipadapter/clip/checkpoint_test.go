package clip

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/internal/testutil"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// randomNamed draws N(0, 0.2²) float32 values for each spec, renaming
// each tensor with rename (nil keeps names).
func randomNamed(specs []nn.Spec, seed uint64, rename func(string) string) []weights.Named {
	rng := rand.New(rand.NewPCG(seed, 3))
	var out []weights.Named
	for _, s := range specs {
		name := s.Name
		if rename != nil {
			name = rename(name)
		}
		out = append(out, testutil.Float32Named(name, s.Shape, testutil.Normal(rng, s.NumElements(), 0.2)))
	}
	return out
}

// writeModelFolder writes config.json and model.safetensors to a new
// folder and returns it.
func writeModelFolder(t *testing.T, config string, ts []weights.Named) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := weights.WriteSafetensors(filepath.Join(dir, WeightsFile), ts, nil); err != nil {
		t.Fatal(err)
	}
	return dir
}

// smallTextConfig is a tiny CLIPTextModelWithProjection config (vocab of
// 50, 6 positions) for tests that write their own checkpoints.
const smallTextConfig = `{
  "architectures": ["CLIPTextModelWithProjection"], "model_type": "clip_text_model",
  "vocab_size": 50, "hidden_size": 8, "intermediate_size": 12, "projection_dim": 6,
  "num_hidden_layers": 2, "num_attention_heads": 2, "max_position_embeddings": 6,
  "hidden_act": "gelu", "layer_norm_eps": 1e-5, "eos_token_id": %d,
  "bos_token_id": 0, "pad_token_id": 1, "torch_dtype": "float32", "dropout": 0.0
}`

// smallVisionConfig is a tiny CLIPVisionModelWithProjection config
// (28×28 images, 14×14 patches: 5 positions).
const smallVisionConfig = `{
  "architectures": ["CLIPVisionModelWithProjection"], "model_type": "clip_vision_model",
  "hidden_size": 8, "intermediate_size": 12, "projection_dim": 6, "num_hidden_layers": 2,
  "num_attention_heads": 2, "num_channels": 3, "image_size": 28, "patch_size": 14,
  "hidden_act": "quick_gelu", "layer_norm_eps": 1e-5
}`

// smallVisionModel builds the model of smallVisionConfig.
func smallVisionModel(t *testing.T) *VisionModel {
	t.Helper()
	cfg, err := ParseVisionConfig([]byte(smallVisionConfig))
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewVisionModel(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
