package loader

import (
	"encoding/binary"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/compute/dtypes"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/golden"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// tinyDir is the fixture's tiny SDXL pipeline folder.
func tinyDir(t *testing.T) string {
	t.Helper()
	return filepath.Join(golden.Repo(t), "tiny-sdxl")
}

// isolateHubEnv clears the variables ipadapter/hub reads, so tests never
// see this machine's cache, token or offline setting.
func isolateHubEnv(t *testing.T) {
	t.Helper()
	for _, name := range []string{
		"HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "XDG_CACHE_HOME", "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN",
		"HF_TOKEN_PATH", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_HUB_DISABLE_IMPLICIT_TOKEN", "HF_ENDPOINT",
	} {
		t.Setenv(name, "")
	}
	t.Setenv("HF_HOME", t.TempDir())
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// copyTree copies a folder (the fixture is read-only, tests change copies).
func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		copyFile(t, p, filepath.Join(to, rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// writeTensors writes small float32 tensors (values 0, 1, 2, …).
func writeTensors(t *testing.T, path string, names ...string) {
	t.Helper()
	var ts []weights.Named
	for i, n := range names {
		data := make([]byte, 8)
		binary.LittleEndian.PutUint32(data, uint32(i))
		ts = append(ts, weights.Named{Name: n, DType: dtypes.Float32, Shape: []int{2}, Data: data})
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := weights.WriteSafetensors(path, ts, nil); err != nil {
		t.Fatal(err)
	}
}

// safetensorsDType names a dtype in a safetensors header.
var safetensorsDType = map[dtypes.DType]string{dtypes.Float16: "F16", dtypes.Float32: "F32", dtypes.Int64: "I64"}

// writeSparse writes a safetensors file with a real header and no data: the
// file is extended to its full size with a hole, so full-size checkpoints
// cost no disk.
func writeSparse(t *testing.T, path string, infos []weights.Info) {
	t.Helper()
	header := map[string]any{}
	var offset int64
	for _, info := range infos {
		shape := info.Shape
		if shape == nil {
			shape = []int{}
		}
		header[info.Name] = map[string]any{"dtype": safetensorsDType[info.DType], "shape": shape, "data_offsets": []int64{offset, offset + info.ByteSize()}}
		offset += info.ByteSize()
	}
	h, err := json.Marshal(header)
	if err != nil {
		t.Fatal(err)
	}
	for len(h)%8 != 0 {
		h = append(h, ' ')
	}
	buf := binary.LittleEndian.AppendUint64(nil, uint64(len(h)))
	writeFile(t, path, append(buf, h...))
	if err := os.Truncate(path, int64(8+len(h))+offset); err != nil {
		t.Fatal(err)
	}
}

// writeIndex writes a sharded checkpoint's index.
func writeIndex(t *testing.T, path string, weightMap map[string]string) {
	t.Helper()
	data, err := json.Marshal(map[string]any{"metadata": map[string]any{}, "weight_map": weightMap})
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, data)
}

// baseNames returns the base names of paths.
func baseNames(paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = filepath.Base(p)
	}
	return out
}

// sourceNames opens a component's weights and lists them.
func sourceNames(t *testing.T, c *Component) []string {
	t.Helper()
	src, err := c.Source()
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	return weights.Names(src)
}

func hasNote(notes []string, parts ...string) bool {
	return slices.ContainsFunc(notes, func(n string) bool {
		for _, p := range parts {
			if !strings.Contains(n, p) {
				return false
			}
		}
		return true
	})
}
