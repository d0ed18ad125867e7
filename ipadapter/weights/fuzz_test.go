package weights_test

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// Fuzz targets: whatever the bytes, the readers return an error or a
// Source whose every tensor reads back with the byte size its Info implies.
// `go test` runs the seeds only; `go test -fuzz FuzzParseSafetensors`
// explores.

// checkReadable asserts the invariants of a successfully parsed Source.
func checkReadable(t *testing.T, src weights.Source) {
	t.Helper()
	infos := src.Infos()
	for i, info := range infos {
		if i > 0 && infos[i-1].Name >= info.Name {
			t.Fatalf("Infos not sorted and unique: %q then %q", infos[i-1].Name, info.Name)
		}
		if got, ok := src.Info(info.Name); !ok || got.Name != info.Name || got.DType != info.DType || len(got.Shape) != len(info.Shape) {
			t.Fatalf("Info(%q) = %v, %v; Infos says %v", info.Name, got, ok, info)
		}
		for _, d := range info.Shape {
			if d < 0 {
				t.Fatalf("%v has a negative dimension", info)
			}
		}
		b, err := src.Bytes(info.Name)
		if err != nil {
			t.Fatalf("Bytes(%q): %v", info.Name, err)
		}
		if int64(len(b)) != info.ByteSize() {
			t.Fatalf("%v: %d bytes, want %d", info, len(b), info.ByteSize())
		}
		if info.ByteSize() <= 1<<20 {
			if _, err := weights.Tensor(src, info.Name, nil, dtypes.InvalidDType); err != nil {
				t.Fatalf("Tensor(%q): %v", info.Name, err)
			}
		}
	}
}

// fixtureBytes reads a fixture file (relative to the fixture folder).
func fixtureBytes(f *testing.F, rel string) []byte {
	f.Helper()
	data, err := os.ReadFile(filepath.Join(goldenDir(f), filepath.FromSlash(rel)))
	if err != nil {
		f.Fatal(err)
	}
	return data
}

func FuzzParseSafetensors(f *testing.F) {
	for _, p := range fixtureWeightFiles(f) {
		if !strings.HasSuffix(p, ".safetensors") {
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		if len(data) <= 600<<10 {
			f.Add(data)
		} else if n := binary.LittleEndian.Uint64(data); n < uint64(len(data)) {
			f.Add(data[:8+n]) // the header alone: parses, then fails on offsets
		}
		for _, cut := range []int{0, 4, 8, 9, 64, 1000} {
			f.Add(data[:min(cut, len(data))])
		}
	}
	// A small file with every dtype the pipeline uses, a 0-d and an empty
	// tensor, and metadata.
	path := filepath.Join(f.TempDir(), "small.safetensors")
	err := weights.WriteSafetensors(path, []weights.Named{
		{Name: "a", DType: dtypes.Float32, Shape: []int{2}, Data: f32Bytes(1, 2)},
		{Name: "b", DType: dtypes.Float16, Shape: []int{}, Data: []byte{0, 0x3c}},
		{Name: "c", DType: dtypes.BFloat16, Shape: []int{1, 1}, Data: []byte{0x80, 0x3f}},
		{Name: "d", DType: dtypes.Int64, Shape: []int{0}, Data: nil},
	}, map[string]string{"format": "pt"})
	if err != nil {
		f.Fatal(err)
	}
	small, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(small)
	f.Fuzz(func(t *testing.T, data []byte) {
		src, err := weights.ParseSafetensors(data)
		if err != nil {
			if src != nil {
				t.Fatal("a Source and an error")
			}
			return
		}
		checkReadable(t, src)
	})
}

// The torch fuzz target takes either a whole file (zip or legacy format,
// recognised by its first bytes) or a bare data.pkl stream, which it wraps
// in a zip together with the storages of the fixture .bin files, so that
// mutations of real torch pickles reach the tensor-building code.
var legacyPrefixes = [][]byte{legacyHeader(false)[:4], legacyHeader(true)[:4]}

func isWholeTorchFile(data []byte) bool {
	if bytes.HasPrefix(data, []byte("PK")) {
		return true
	}
	for _, p := range legacyPrefixes {
		if bytes.HasPrefix(data, p) {
			return true
		}
	}
	return false
}

// fixtureStorages reads data.pkl and the storages of every fixture .bin;
// a key used by several files keeps its longest storage, which is long
// enough for each of them.
func fixtureStorages(f *testing.F) (pickles [][]byte, storages map[string]testStorage) {
	storages = map[string]testStorage{}
	for _, p := range fixtureWeightFiles(f) {
		if !strings.HasSuffix(p, ".bin") {
			continue
		}
		zr, err := zip.OpenReader(p)
		if err != nil {
			f.Fatal(err)
		}
		for _, zf := range zr.File {
			rc, err := zf.Open()
			if err != nil {
				f.Fatal(err)
			}
			data, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				f.Fatal(err)
			}
			_, rest, _ := strings.Cut(zf.Name, "/")
			switch {
			case rest == "data.pkl":
				pickles = append(pickles, data)
			case strings.HasPrefix(rest, "data/"):
				key := strings.TrimPrefix(rest, "data/")
				if len(data) > len(storages[key].data) {
					storages[key] = testStorage{class: "ByteStorage", data: data}
				}
			}
		}
		zr.Close()
	}
	if len(pickles) == 0 {
		f.Fatal("no .bin fixtures")
	}
	return pickles, storages
}

func FuzzTorchPickle(f *testing.F) {
	pickles, storages := fixtureStorages(f)
	for _, pkl := range pickles {
		f.Add(pkl)
		for _, cut := range []int{1, 2, 50, 500, len(pkl) / 2} {
			f.Add(pkl[:cut])
		}
	}
	// Whole small files in both formats, with views, shared storages,
	// parameters and v3 tensors, and the same in protocol 4.
	base := iota32(12)
	kinds := testCkpt{
		storages: map[string]testStorage{
			"w":    {class: "FloatStorage", data: f32Bytes(base...)},
			"half": {class: "UntypedStorage", data: []byte{0x00, 0x3c, 0x00, 0x40, 0x00, 0x42}},
		},
		root: pyOrderedDict{
			{"weight_t", tensorRef{key: "w", size: []int{4, 3}, stride: []int{1, 4}}},
			{"row1", tensorRef{key: "w", offset: 4, size: []int{4}}},
			{"param", tensorRef{key: "w", offset: 8, size: []int{2, 2}, kind: "param"}},
			{"sub", tensorRef{key: "w", size: []int{}, kind: "fromtype"}},
			{"half", tensorRef{key: "half", offset: 1, size: []int{2}, kind: "v3:float16"}},
			{"step", 1000},
		},
	}
	for _, proto4 := range []bool{false, true} {
		kinds.proto4 = proto4
		f.Add(kinds.legacyBytes())
		f.Add(kinds.pickle(false))
		f.Add(kinds.zipBytes(f))
	}
	// Malicious streams.
	f.Add(encodePickle(pyReduce{pyGlobal{"os", "system"}, pyTuple{"true"}}, false))
	f.Add(encodePickle(pyReduce{pyGlobal{"builtins", "eval"}, pyTuple{"1"}}, true))
	f.Add([]byte("\x80\x02}(K\x01u."))
	f.Fuzz(func(t *testing.T, data []byte) {
		file := data
		if !isWholeTorchFile(data) {
			file = buildZip(t, "archive", data, storages)
		}
		src, err := weights.ParseTorch(file)
		if err != nil {
			if src != nil {
				t.Fatal("a Source and an error")
			}
			return
		}
		checkReadable(t, src)
	})
}
