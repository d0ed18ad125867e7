package adapter

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/compute/dtypes"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/golden"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/clip"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/unet"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// shapeSource is a weights.Source with names and shapes but no data, for
// checking full-size layouts without the multi-GB files.
type shapeSource struct{ infos []weights.Info }

func newShapeSource(infos []weights.Info) *shapeSource {
	s := &shapeSource{infos: slices.Clone(infos)}
	slices.SortFunc(s.infos, func(a, b weights.Info) int { return strings.Compare(a.Name, b.Name) })
	return s
}

func (s *shapeSource) Infos() []weights.Info { return slices.Clone(s.infos) }
func (s *shapeSource) Info(name string) (weights.Info, bool) {
	i, ok := slices.BinarySearchFunc(s.infos, name, func(info weights.Info, n string) int { return strings.Compare(info.Name, n) })
	if !ok {
		return weights.Info{}, false
	}
	return s.infos[i], true
}
func (s *shapeSource) Bytes(string) ([]byte, error) {
	return nil, errors.New("a shape-only source has no data")
}
func (s *shapeSource) Metadata() map[string]string { return nil }
func (s *shapeSource) Close() error                { return nil }

// adapterManifest is one file of manifests/h94_ip_adapter_sdxl_files.json.
type adapterManifest struct {
	ImageProj []golden.ManifestEntry `json:"image_proj"`
	IPAdapter []golden.ManifestEntry `json:"ip_adapter"`
}

// loadAdapterManifests returns the full-size h94 SDXL adapter files as
// shape-only sources (names as in their .safetensors twins), by file name.
func loadAdapterManifests(t *testing.T) map[string]weights.Source {
	t.Helper()
	out := map[string]weights.Source{}
	for name, f := range readAdapterFiles(t) {
		var infos []weights.Info
		for _, group := range []struct {
			prefix  string
			entries []golden.ManifestEntry
		}{{groupImageProj, f.ImageProj}, {groupIPAdapter, f.IPAdapter}} {
			for _, e := range group.entries {
				infos = append(infos, weights.Info{Name: group.prefix + "." + e.Name, DType: dtypes.Float16, Shape: e.Shape})
			}
		}
		out[strings.TrimSuffix(name, ".bin")+".safetensors"] = newShapeSource(infos)
	}
	if len(out) != 4 {
		t.Fatalf("%d adapter files in the manifest, want 4", len(out))
	}
	return out
}

// TestFullSizeAdaptersFitSDXL maps each full-size h94 SDXL adapter onto the
// SDXL base UNet: kind and sizes as published, every ip_adapter key used
// for exactly the UNet's IP parameters, every image_proj key used by the
// projection network (checked by FromSource), and the right encoder
// accepted while the other is refused with a message that names the fix.
func TestFullSizeAdaptersFitSDXL(t *testing.T) {
	u := sdxlUNet(t)
	layers := u.CrossAttnLayerInfo()
	vitH := manifestEncoder(t, "h94_models_image_encoder_vit-h-14")
	bigG := manifestEncoder(t, "h94_sdxl_models_image_encoder_vit-bigG-14")
	want := map[string]struct {
		kind          Kind
		embed, tokens int
		encoder       clip.VisionConfig
		wrong         clip.VisionConfig
		wrongName     string
	}{
		"ip-adapter_sdxl.safetensors":                 {Plain, 1280, 4, bigG, vitH, "ViT-bigG/14"},
		"ip-adapter_sdxl_vit-h.safetensors":           {Plain, 1024, 4, vitH, bigG, "ViT-H/14"},
		"ip-adapter-plus_sdxl_vit-h.safetensors":      {Plus, 1280, 16, vitH, bigG, "ViT-H/14"},
		"ip-adapter-plus-face_sdxl_vit-h.safetensors": {Plus, 1280, 16, vitH, bigG, "ViT-H/14"},
	}
	for name, src := range loadAdapterManifests(t) {
		t.Run(name, func(t *testing.T) {
			w, ok := want[name]
			if !ok {
				t.Fatalf("unexpected file %s", name)
			}
			f, err := FromSource(name, src)
			if err != nil {
				t.Fatal(err)
			}
			p := f.Projection
			if p.Kind != w.kind || p.EmbedDim != w.embed || p.Tokens != w.tokens || p.CrossDim != 2048 {
				t.Errorf("projection %+v, want %s with %d-wide embeddings, %d tokens of 2048", p, w.kind, w.embed, w.tokens)
			}
			if p.Kind == Plus && (p.Hidden != 1280 || p.Heads != 20 || p.Depth != 4 || p.FFMult != 4) {
				t.Errorf("resampler %+v, want hidden 1280, 20 heads, depth 4, ff×4", p)
			}
			for a := range 2 {
				view, err := f.UNetSource(layers, a)
				if err != nil {
					t.Fatal(err)
				}
				unused, err := nn.CheckSpecs(u.IPSpecs(a), view)
				if err != nil || len(unused) > 0 {
					t.Fatalf("adapter %d: %v (unused %v)", a, err, unused)
				}
			}
			if err := f.CheckEncoder(w.encoder); err != nil {
				t.Errorf("right encoder refused: %v", err)
			}
			err = f.CheckEncoder(w.wrong)
			wantError(t, err, name+" needs the "+w.wrongName+" image encoder", "h94/IP-Adapter", "the loaded encoder is")
			t.Logf("wrong encoder: %v", err)
		})
	}
}

func sdxlUNet(t *testing.T) *unet.UNet {
	t.Helper()
	m := golden.LoadManifest(t, "sdxl_base_unet")
	cfg, err := unet.ParseConfig(m.Config)
	if err != nil {
		t.Fatal(err)
	}
	u, err := unet.Build(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func manifestEncoder(t *testing.T, name string) clip.VisionConfig {
	t.Helper()
	cfg, err := clip.ParseVisionConfig(golden.LoadManifest(t, name).Config)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// readAdapterFiles reads the per-file tensor lists of the adapter manifest.
func readAdapterFiles(t *testing.T) map[string]adapterManifest {
	t.Helper()
	var m struct {
		Files map[string]adapterManifest `json:"files"`
	}
	golden.ReadManifestJSON(t, "h94_ip_adapter_sdxl_files", &m)
	return m.Files
}
