package server_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/gomlx/compute/dtypes"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// switchRepo lays out an h94-like repository in which switching adapters
// needs another image encoder, as ip-adapter_sdxl (ViT-bigG, the
// folder's image_encoder) → a _vit-h adapter (models/image_encoder) does:
//
//	sdxl_models/ip-adapter_tiny-sdxl.safetensors  the plain fixture adapter
//	sdxl_models/image_encoder/                    the fixture encoder (projection_dim 24)
//	sdxl_models/ip-adapter_narrow.safetensors     a plain adapter reading 16-wide image embeddings
//	models/image_encoder/                         the fixture encoder projected to 16
//	models/broken_encoder/                        its config, weights that do not load
//
// The narrow files are the fixture's with their projections cut to the
// first 16 embedding dimensions, so they compute real (not all-zero)
// embeddings.
func switchRepo(t *testing.T) (repo, narrow string) {
	t.Helper()
	src := filepath.Join(fixtures(t), "ip-adapter", "sdxl_models")
	repo, narrow = t.TempDir(), "ip-adapter_narrow.safetensors"
	copyFile(t, filepath.Join(src, plainAdapter), filepath.Join(repo, "sdxl_models", plainAdapter))
	for _, f := range []string{"config.json", "model.safetensors"} {
		copyFile(t, filepath.Join(src, "image_encoder", f), filepath.Join(repo, "sdxl_models", "image_encoder", f))
	}
	// image_proj.proj.weight is [tokens·dim, 24]: keep 16 columns.
	cutTensor(t, filepath.Join(src, plainAdapter), filepath.Join(repo, "sdxl_models", narrow), "image_proj.proj.weight", 1, 16)
	// visual_projection.weight is [24, hidden]: keep 16 rows.
	enc := filepath.Join(repo, "models", "image_encoder")
	cutTensor(t, filepath.Join(src, "image_encoder", "model.safetensors"), filepath.Join(enc, "model.safetensors"), "visual_projection.weight", 0, 16)
	writeProjectionDim(t, filepath.Join(src, "image_encoder", "config.json"), filepath.Join(enc, "config.json"), 16)
	broken := filepath.Join(repo, "models", "broken_encoder")
	writeProjectionDim(t, filepath.Join(src, "image_encoder", "config.json"), filepath.Join(broken, "config.json"), 16)
	one := []weights.Named{{Name: "unrelated.weight", DType: dtypes.Float32, Shape: []int{1}, Data: make([]byte, 4)}}
	if err := weights.WriteSafetensors(filepath.Join(broken, "model.safetensors"), one, nil); err != nil {
		t.Fatal(err)
	}
	return repo, narrow
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// cutTensor copies a safetensors file, keeping the first keep entries of
// the 2-D tensor name along axis (0: rows, 1: columns).
func cutTensor(t *testing.T, from, to, name string, axis, keep int) {
	t.Helper()
	src, err := weights.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var out []weights.Named
	for _, info := range src.Infos() {
		data, err := src.Bytes(info.Name)
		if err != nil {
			t.Fatal(err)
		}
		n := weights.Named{Name: info.Name, DType: info.DType, Shape: append([]int(nil), info.Shape...), Data: append([]byte(nil), data...)}
		if info.Name == name {
			if len(info.Shape) != 2 || info.Shape[axis] < keep {
				t.Fatalf("%s: shape %v, cannot keep %d along axis %d", name, info.Shape, keep, axis)
			}
			rows, cols := info.Shape[0], info.Shape[1]
			size := int(info.ByteSize()) / (rows * cols)
			n.Shape[axis] = keep
			n.Data = nil
			for r := range min(rows, n.Shape[0]) {
				n.Data = append(n.Data, data[r*cols*size:(r*cols+n.Shape[1])*size]...)
			}
		}
		out = append(out, n)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := weights.WriteSafetensors(to, out, src.Metadata()); err != nil {
		t.Fatal(err)
	}
}

// writeProjectionDim copies a CLIP vision config with another
// projection_dim.
func writeProjectionDim(t *testing.T, from, to string, dim int) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	if err := json.Unmarshal(data, &cfg); err != nil {
		t.Fatal(err)
	}
	cfg["projection_dim"] = dim
	if data, err = json.Marshal(cfg); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
