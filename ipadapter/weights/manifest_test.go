package weights_test

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// The manifests list the names, shapes and dtypes of the real SDXL and
// IP-Adapter checkpoints (10 GB and more). These tests write files with the
// real headers but sparse data (os.Truncate: no gigabytes are written), so
// the readers are checked at full size: every name, shape and dtype comes
// back, offsets into multi-gigabyte files stay in range, and the parameter
// counts add up to the manifest's.

type manifestTensor struct {
	Name  string `json:"name"`
	Shape []int  `json:"shape"`
	DType string `json:"dtype"`
}

type manifestFile struct {
	NTensors int              `json:"n_tensors"`
	NParams  int64            `json:"n_params"`
	Tensors  []manifestTensor `json:"tensors"`
	Files    json.RawMessage  `json:"files"`
}

type adapterManifest struct {
	ImageProj []manifestTensor `json:"image_proj"`
	IPAdapter []manifestTensor `json:"ip_adapter"`
	NParams   int64            `json:"n_params"`
}

func readManifest(t *testing.T, name string, v any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(goldenDir(t), "manifests", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

var manifestDTypes = map[string]string{"F32": "Float32", "F16": "Float16", "BF16": "BFloat16", "I64": "Int64"}

// checkAgainstManifest checks src holds exactly the manifest's tensors and
// returns the total element count.
func checkAgainstManifest(t *testing.T, src weights.Source, want []manifestTensor) int64 {
	t.Helper()
	if got := len(src.Infos()); got != len(want) {
		t.Fatalf("%d tensors, manifest has %d", got, len(want))
	}
	var params int64
	for _, m := range want {
		info, ok := src.Info(m.Name)
		if !ok {
			t.Fatalf("tensor %s missing", m.Name)
		}
		if !slices.Equal(info.Shape, m.Shape) || info.DType.String() != manifestDTypes[m.DType] {
			t.Fatalf("%s: got %v, manifest says %s%v", m.Name, info, m.DType, m.Shape)
		}
		b, err := src.Bytes(m.Name)
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(b)) != info.ByteSize() {
			t.Fatalf("%s: %d bytes, want %d", m.Name, len(b), info.ByteSize())
		}
		params += int64(info.NumElements())
	}
	// Touch the data of the last tensor in the file: it must be mapped.
	last := want[len(want)-1].Name
	b, _ := src.Bytes(last)
	for _, x := range b {
		if x != 0 {
			t.Fatalf("%s: sparse data is not zero", last)
		}
	}
	return params
}

// sparseSafetensors writes a safetensors file with the manifest's header
// and a hole for the data.
func sparseSafetensors(t *testing.T, ts []manifestTensor) string {
	t.Helper()
	header := map[string]any{"__metadata__": map[string]string{"format": "pt"}}
	var offset int64
	for _, m := range ts {
		info := weights.Info{Shape: m.Shape}
		n := int64(info.NumElements()) * map[string]int64{"F32": 4, "F16": 2, "BF16": 2, "I64": 8}[m.DType]
		header[m.Name] = map[string]any{"dtype": m.DType, "shape": m.Shape, "data_offsets": []int64{offset, offset + n}}
		offset += n
	}
	h, err := json.Marshal(header)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "sparse.safetensors")
	data := append(binary.LittleEndian.AppendUint64(nil, uint64(len(h))), h...)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(p, int64(len(data))+offset); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestManifestsSafetensors(t *testing.T) {
	var summary map[string]struct {
		NTensors int   `json:"n_tensors"`
		NParams  int64 `json:"n_params"`
	}
	readManifest(t, "summary.json", &summary)
	names, err := filepath.Glob(filepath.Join(goldenDir(t), "manifests", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	tested := 0
	for _, p := range names {
		name := filepath.Base(p)
		var m manifestFile
		readManifest(t, name, &m)
		if len(m.Tensors) == 0 {
			continue // summary.json, and the adapter files (below)
		}
		tested++
		t.Run(name, func(t *testing.T) {
			sum, ok := summary[strings.TrimSuffix(name, ".json")]
			if !ok || sum.NTensors != len(m.Tensors) {
				t.Fatalf("summary.json has %+v for %s, manifest lists %d tensors", sum, name, len(m.Tensors))
			}
			src := mustOpen(t, sparseSafetensors(t, m.Tensors))
			if params := checkAgainstManifest(t, src, m.Tensors); params != sum.NParams {
				t.Errorf("%d parameters, summary says %d", params, sum.NParams)
			}
		})
	}
	if tested < 7 {
		t.Errorf("only %d manifests with tensors", tested)
	}
}

// The h94 IP-Adapter files are torch .bin files of nested dicts: rebuilt as
// legacy checkpoints with sparse storages, they flatten to the names the
// .safetensors conversions use.
func TestManifestsAdapterBins(t *testing.T) {
	var m struct {
		Files map[string]adapterManifest `json:"files"`
	}
	readManifest(t, "h94_ip_adapter_sdxl_files.json", &m)
	var summary map[string]json.RawMessage
	readManifest(t, "summary.json", &summary)
	var sizes map[string]int64
	if err := json.Unmarshal(summary["h94_ip_adapter_sdxl_files"], &sizes); err != nil {
		t.Fatal(err)
	}
	if len(m.Files) != 4 {
		t.Fatalf("%d adapter files in the manifest", len(m.Files))
	}
	for file, am := range m.Files {
		t.Run(file, func(t *testing.T) {
			var want []manifestTensor
			c := testCkpt{storages: map[string]testStorage{}}
			var root pyDict
			for _, group := range []struct {
				name string
				ts   []manifestTensor
			}{{"image_proj", am.ImageProj}, {"ip_adapter", am.IPAdapter}} {
				var d pyOrderedDict
				for _, mt := range group.ts {
					key := fmt.Sprintf("%05d", len(c.storages))
					c.storages[key] = testStorage{class: map[string]string{"F16": "HalfStorage", "F32": "FloatStorage"}[mt.DType], count: weights.Info{Shape: mt.Shape}.NumElements()}
					d = append(d, pyItem{mt.Name, tensorRef{key: key, size: mt.Shape}})
					want = append(want, manifestTensor{group.name + "." + mt.Name, mt.Shape, mt.DType})
				}
				root = append(root, pyItem{group.name, d})
			}
			c.root = root
			src := mustOpen(t, sparseLegacy(t, c))
			params := checkAgainstManifest(t, src, want)
			if params != am.NParams || params != sizes[file] {
				t.Errorf("%d parameters, manifest says %d and summary %d", params, am.NParams, sizes[file])
			}
		})
	}
}

// sparseLegacy writes c in the legacy format with holes for storage data.
func sparseLegacy(t *testing.T, c testCkpt) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "sparse.bin")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	keys := c.sortedKeys()
	list := make(pyList, len(keys))
	for i, k := range keys {
		list[i] = k
	}
	head := append(legacyHeader(false), c.pickle(true)...)
	head = append(head, encodePickle(list, false)...)
	if _, err := f.Write(head); err != nil {
		t.Fatal(err)
	}
	pos := int64(len(head))
	for _, k := range keys {
		s := c.storages[k]
		if _, err := f.WriteAt(binary.LittleEndian.AppendUint64(nil, uint64(s.numel())), pos); err != nil {
			t.Fatal(err)
		}
		pos += 8 + int64(s.numel()*storageElemSize[s.class])
	}
	if err := f.Truncate(pos); err != nil {
		t.Fatal(err)
	}
	return p
}
