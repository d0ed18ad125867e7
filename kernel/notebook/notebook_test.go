package notebook

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFromEnvDefaults(t *testing.T) {
	for _, k := range []string{"MODEL", "VARIANT", "ADAPTERS", "SUBFOLDER", "ADAPTER", "PLUS", "PLUS_FACE", "VITH", "IMAGES", "STEPS", "SIZE"} {
		t.Setenv("IPADAPTER_NOTEBOOK_"+k, "")
	}
	c, err := FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if c.Model != "stabilityai/stable-diffusion-xl-base-1.0" || c.AdaptersRepo != "h94/IP-Adapter" || c.Steps != 30 || c.Size != 0 || c.Images != "" {
		t.Errorf("defaults %+v", c)
	}
	if !strings.Contains(c.String(), "guide's URLs") {
		t.Errorf("String() = %q", c.String())
	}
}

func TestFromEnvErrors(t *testing.T) {
	t.Setenv("IPADAPTER_NOTEBOOK_STEPS", "two")
	if _, err := FromEnv(); err == nil || !strings.Contains(err.Error(), "IPADAPTER_NOTEBOOK_STEPS") {
		t.Errorf("bad steps: %v", err)
	}
}

func TestAdaptersReadViTH(t *testing.T) {
	c := Config{AdaptersRepo: "h94/IP-Adapter", Subfolder: "sdxl_models", Adapter: "a.safetensors", Plus: "p.safetensors", PlusFace: "f.safetensors", ViTH: "models/image_encoder"}
	if r := c.Adapters(c.Adapter); r.ImageEncoderFolder != "" || r.Repo != "h94/IP-Adapter" || r.Subfolder != "sdxl_models" {
		t.Errorf("plain adapter request %+v", r)
	}
	if r := c.Adapters(c.Plus, c.PlusFace); r.ImageEncoderFolder != "models/image_encoder" || len(r.WeightNames) != 2 {
		t.Errorf("vit-h adapters request %+v", r)
	}
}

// fixtureImages is the repository's folder of stand-in images.
func fixtureImages(t *testing.T) string {
	dir, err := filepath.Abs("../../testdata/golden/images")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Skip("no fixture images:", err)
	}
	return dir
}

func TestStandInImages(t *testing.T) {
	c := Config{Images: fixtureImages(t)}
	for name := range references {
		img, err := c.Image(t.Context(), name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if img.Bounds().Empty() {
			t.Errorf("%s is empty", name)
		}
	}
	styles, err := c.StyleImages(t.Context())
	if err != nil || len(styles) != 2 {
		t.Errorf("%d style images, %v", len(styles), err)
	}
	if _, err := c.Image(t.Context(), "unicorn"); err == nil {
		t.Error("an unknown image name was accepted")
	}
}
