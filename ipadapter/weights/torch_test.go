package weights_test

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// writeTemp writes data to a file in a test temp folder.
func writeTemp(t testing.TB, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func f32Bytes(vs ...float32) []byte {
	b := make([]byte, 4*len(vs))
	for i, v := range vs {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
	}
	return b
}

func iota32(n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(i)
	}
	return v
}

func float32sOf(t *testing.T, src weights.Source, name string) []float32 {
	t.Helper()
	v, _, err := weights.Float32s(src, name)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// The legacy format, rebuilt from the fixture twins the way torch's
// _legacy_save lays it out, reads back identical to the .safetensors twin,
// for pickle protocols 2 and 4.
func TestLegacyFormatMatchesSafetensors(t *testing.T) {
	for _, base := range adapterTwins(t) {
		st := mustOpen(t, base+".safetensors")
		for _, proto4 := range []bool{false, true} {
			c := ckptFromSource(t, st, true)
			c.proto4 = proto4
			p := writeTemp(t, "legacy.bin", c.legacyBytes())
			requireSameTensors(t, mustOpen(t, p), st)
		}
	}
}

// Zip checkpoints read whatever the archive folder is called, and with
// protocol-4 pickles (STACK_GLOBAL, MEMOIZE, SHORT_BINUNICODE).
func TestZipFolderNameAndProtocol4(t *testing.T) {
	st := mustOpen(t, adapterTwins(t)[0]+".safetensors")
	c := ckptFromSource(t, st, true)
	c.folder = "some-other_name.v2"
	c.proto4 = true
	p := writeTemp(t, "x.bin", c.zipBytes(t))
	requireSameTensors(t, mustOpen(t, p), st)
}

// checkpointVariants returns the same checkpoint as a zip and a legacy file.
func checkpointVariants(t *testing.T, c testCkpt) map[string]weights.Source {
	t.Helper()
	out := map[string]weights.Source{}
	for name, data := range map[string][]byte{"zip": c.zipBytes(t), "legacy": c.legacyBytes()} {
		out[name] = mustOpen(t, writeTemp(t, name+".bin", data))
	}
	return out
}

// Tensor kinds and layouts torch writes: a transposed (non-contiguous)
// view, two tensors sharing one storage at different offsets, an
// nn.Parameter, a tensor over an untyped storage with a dtype object
// (_rebuild_tensor_v3), a subclass wrapper (_rebuild_from_type_v2), a 0-d
// tensor, int64 and bool tensors; non-tensor leaves are skipped.
func TestTorchTensorKinds(t *testing.T) {
	base := iota32(12) // a 3x4 matrix, row-major
	c := testCkpt{
		storages: map[string]testStorage{
			"w":    {class: "FloatStorage", data: f32Bytes(base...)},
			"half": {class: "UntypedStorage", data: []byte{0x00, 0x3c, 0x00, 0x40, 0x00, 0x42}}, // fp16 1, 2, 3
			"long": {class: "LongStorage", data: binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint64(nil, 7), math.MaxUint64)},
			"mask": {class: "BoolStorage", data: []byte{1, 0, 1}},
		},
		root: pyOrderedDict{
			{"weight", tensorRef{key: "w", size: []int{3, 4}}},
			{"weight_t", tensorRef{key: "w", size: []int{4, 3}, stride: []int{1, 4}}},
			{"row1", tensorRef{key: "w", offset: 4, size: []int{4}}},
			{"col2", tensorRef{key: "w", offset: 2, size: []int{3}, stride: []int{4}}},
			{"scalar", tensorRef{key: "w", offset: 5, size: []int{}}},
			{"param", tensorRef{key: "w", offset: 8, size: []int{2, 2}, kind: "param"}},
			{"sub", tensorRef{key: "w", size: []int{2}, kind: "fromtype"}},
			{"half", tensorRef{key: "half", offset: 1, size: []int{2}, kind: "v3:float16"}},
			{"ids", tensorRef{key: "long", size: []int{2}}},
			{"mask", tensorRef{key: "mask", size: []int{3}}},
			{"step", 1000},
			{"note", "trained for a while"},
			{"config", pyDict{{"lr", pyList{1, 2}}}},
		},
	}
	for format, src := range checkpointVariants(t, c) {
		t.Run(format, func(t *testing.T) {
			wantNames := []string{"col2", "half", "ids", "mask", "param", "row1", "scalar", "sub", "weight", "weight_t"}
			if got := weights.Names(src); !slices.Equal(got, wantNames) {
				t.Fatalf("names %v, want %v", got, wantNames)
			}
			checks := []struct {
				name  string
				shape []int
				want  []float32
			}{
				{"weight", []int{3, 4}, base},
				{"weight_t", []int{4, 3}, []float32{0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}},
				{"row1", []int{4}, []float32{4, 5, 6, 7}},
				{"col2", []int{3}, []float32{2, 6, 10}},
				{"scalar", []int{}, []float32{5}},
				{"param", []int{2, 2}, []float32{8, 9, 10, 11}},
				{"sub", []int{2}, []float32{0, 1}},
				{"half", []int{2}, []float32{2, 3}},
			}
			for _, ck := range checks {
				info, ok := src.Info(ck.name)
				if !ok || !slices.Equal(info.Shape, ck.shape) {
					t.Fatalf("%s: info %v, want shape %v", ck.name, info, ck.shape)
				}
				if got := float32sOf(t, src, ck.name); !slices.Equal(got, ck.want) {
					t.Errorf("%s = %v, want %v", ck.name, got, ck.want)
				}
			}
			if info, _ := src.Info("half"); info.DType != dtypes.Float16 {
				t.Errorf("half has dtype %s", info.DType)
			}
			ids, err := src.Bytes("ids")
			if err != nil {
				t.Fatal(err)
			}
			if info, _ := src.Info("ids"); info.DType != dtypes.Int64 || int64(binary.LittleEndian.Uint64(ids[8:])) != -1 {
				t.Errorf("ids: %v %v", info, ids)
			}
			mask, err := src.Bytes("mask")
			if err != nil {
				t.Fatal(err)
			}
			if info, _ := src.Info("mask"); info.DType != dtypes.Bool || !slices.Equal(mask, []byte{1, 0, 1}) {
				t.Errorf("mask: %v %v", info, mask)
			}
			// The GoMLX path reads the gathered copy too.
			tt, err := weights.Tensor(src, "weight_t", nil, dtypes.Float32)
			if err != nil {
				t.Fatal(err)
			}
			if got := tt.Shape().Dimensions; !slices.Equal(got, []int{4, 3}) {
				t.Errorf("GoMLX tensor shape %v", got)
			}
		})
	}
}

// Legacy checkpoints from old torch versions can refer to storage views:
// (view_key, offset, size) of a root storage.
func TestLegacyStorageViews(t *testing.T) {
	data := f32Bytes(iota32(10)...)
	root := pyDict{
		{"a", pyReduce{pyGlobal{"torch._utils", "_rebuild_tensor_v2"}, pyTuple{
			pyPersID{"storage", pyGlobal{"torch", "FloatStorage"}, "root", "cpu", 10, pyTuple{"view1", 6, 3}},
			1, pyTuple{2}, pyTuple{1}, false, pyOrderedDict{}}}},
		{"b", pyReduce{pyGlobal{"torch._utils", "_rebuild_tensor_v2"}, pyTuple{
			pyPersID{"storage", pyGlobal{"torch", "FloatStorage"}, "root", "cpu", 10, nil},
			0, pyTuple{2}, pyTuple{1}, false, pyOrderedDict{}}}},
	}
	var buf []byte
	buf = append(buf, legacyHeader(false)...)
	buf = append(buf, encodePickle(root, false)...)
	buf = append(buf, encodePickle(pyList{"root"}, false)...)
	buf = binary.LittleEndian.AppendUint64(buf, 10)
	buf = append(buf, data...)
	src := mustOpen(t, writeTemp(t, "views.bin", buf))
	if got := float32sOf(t, src, "a"); !slices.Equal(got, []float32{7, 8}) {
		t.Errorf("a = %v, want [7 8]", got)
	}
	if got := float32sOf(t, src, "b"); !slices.Equal(got, []float32{0, 1}) {
		t.Errorf("b = %v, want [0 1]", got)
	}
}

// ParseTorch reads the same as OpenTorch, from memory.
func TestParseTorch(t *testing.T) {
	base := adapterTwins(t)[0]
	data, err := os.ReadFile(base + ".bin")
	if err != nil {
		t.Fatal(err)
	}
	src, err := weights.ParseTorch(data)
	if err != nil {
		t.Fatal(err)
	}
	requireSameTensors(t, src, mustOpen(t, base+".safetensors"))
}

// Legacy files pickled with protocol 0 or 1 start with the magic number as
// a text LONG; Open still recognises them.
func TestLegacyProtocol1Magic(t *testing.T) {
	st := mustOpen(t, adapterTwins(t)[0]+".safetensors")
	data := ckptFromSource(t, st, true).legacyBytes()
	magicEnd := len(encodePickle(legacyMagicForTest(), false))
	text := append([]byte("L119547037146038801333356L\n."), data[magicEnd:]...)
	requireSameTensors(t, mustOpen(t, writeTemp(t, "p1.pt", text)), st)
}

func legacyMagicForTest() *big.Int {
	m, _ := new(big.Int).SetString("119547037146038801333356", 10)
	return m
}

// torch never compresses zip entries, but a re-zipped checkpoint may be:
// deflated data.pkl and storages read the same.
func TestZipDeflatedEntries(t *testing.T) {
	st := mustOpen(t, adapterTwins(t)[0]+".safetensors")
	c := ckptFromSource(t, st, true)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	put := func(name string, data []byte) {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: "archive/" + name, Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	put("data.pkl", c.pickle(false))
	for _, k := range c.sortedKeys() {
		put("data/"+k, c.storages[k].data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	requireSameTensors(t, mustOpen(t, writeTemp(t, "deflated.bin", buf.Bytes())), st)
}
