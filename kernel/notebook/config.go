package notebook

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Config is the notebooks' choice of models and settings.
type Config struct {
	Model, Variant          string
	AdaptersRepo, Subfolder string
	Adapter, Plus, PlusFace string
	// ViTH is the image_encoder_folder the _vit-h adapters need.
	ViTH string
	// Images is the folder of stand-in reference images ("": the URLs of
	// diffusers' IP-Adapter guide).
	Images string
	Steps  int
	// Size is the generated images' height and width (0: the model's).
	Size int
}

// FromEnv reads the Config from the environment (see the package doc).
func FromEnv() (Config, error) {
	c := Config{
		Model:        env("IPADAPTER_NOTEBOOK_MODEL", "stabilityai/stable-diffusion-xl-base-1.0"),
		Variant:      env("IPADAPTER_NOTEBOOK_VARIANT", "fp16"),
		AdaptersRepo: env("IPADAPTER_NOTEBOOK_ADAPTERS", "h94/IP-Adapter"),
		Subfolder:    env("IPADAPTER_NOTEBOOK_SUBFOLDER", "sdxl_models"),
		Adapter:      env("IPADAPTER_NOTEBOOK_ADAPTER", "ip-adapter_sdxl.safetensors"),
		Plus:         env("IPADAPTER_NOTEBOOK_PLUS", "ip-adapter-plus_sdxl_vit-h.safetensors"),
		PlusFace:     env("IPADAPTER_NOTEBOOK_PLUS_FACE", "ip-adapter-plus-face_sdxl_vit-h.safetensors"),
		ViTH:         env("IPADAPTER_NOTEBOOK_VITH", "models/image_encoder"),
		Images:       os.Getenv("IPADAPTER_NOTEBOOK_IMAGES"),
	}
	var err error
	if c.Steps, err = envInt("IPADAPTER_NOTEBOOK_STEPS", 30); err != nil {
		return c, err
	}
	if c.Size, err = envInt("IPADAPTER_NOTEBOOK_SIZE", 0); err != nil {
		return c, err
	}
	return c, nil
}

// String lists the settings, for the notebook's output.
func (c Config) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "model %s (variant %q)\n", c.Model, c.Variant)
	fmt.Fprintf(&b, "adapters %s/%s: %s, %s, %s (ViT-H encoder %s)\n", c.AdaptersRepo, c.Subfolder, c.Adapter, c.Plus, c.PlusFace, c.ViTH)
	images := c.Images
	if images == "" {
		images = "the IP-Adapter guide's URLs"
	}
	size := "the model's default"
	if c.Size > 0 {
		size = fmt.Sprintf("%d×%d", c.Size, c.Size)
	}
	fmt.Fprintf(&b, "reference images from %s; %d steps; size %s", images, c.Steps, size)
	return b.String()
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func envInt(name string, def int) (int, error) {
	v := os.Getenv(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s=%q: want a non-negative integer", name, v)
	}
	return n, nil
}
