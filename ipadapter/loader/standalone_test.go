package loader

import (
	"path/filepath"
	"testing"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/golden"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/hub"
)

// TestResolveStandalone resolves the image encoder folder that sits next to
// the tiny IP-Adapters (h94/IP-Adapter's layout), which has no
// model_index.json: its class comes from its config.json.
func TestResolveStandalone(t *testing.T) {
	repoDir := golden.Repo(t)
	repo := filepath.Join(repoDir, "ip-adapter")
	c, _, err := ResolveStandalone(t.Context(), "image_encoder", Location{Repo: repo, Subfolder: "sdxl_models/image_encoder"}, hub.Options{Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	if c.Kind != Model || c.Class != "CLIPVisionModelWithProjection" || c.Library != libTransformers {
		t.Errorf("resolved %s %s/%s, want a transformers CLIPVisionModelWithProjection model", c.Kind, c.Library, c.Class)
	}
	if len(c.WeightFiles) != 1 || filepath.Base(c.WeightFiles[0]) != "model.safetensors" {
		t.Errorf("weight files %v, want model.safetensors", c.WeightFiles)
	}
	src, err := c.Source()
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if len(src.Infos()) == 0 {
		t.Error("the encoder's weights hold no tensors")
	}
	if _, _, err := ResolveStandalone(t.Context(), "image_encoder", Location{Repo: repo, Subfolder: "sdxl_models/nothing"}, hub.Options{Offline: true}); err == nil {
		t.Error("a folder without a config resolved")
	}
}
