package weights_test

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// Builders of PyTorch checkpoints in both on-disk formats, laid out the way
// torch/serialization.py writes them, for tests that need files torch would
// write (legacy format, non-contiguous views, shared storages, parameters)
// or damaged ones.

// testStorage is one storage: its torch class and raw little-endian bytes.
type testStorage struct {
	class string // "HalfStorage", "FloatStorage", ... or "UntypedStorage"
	data  []byte
	count int // element count when data is nil (sparse full-size files)
}

var storageElemSize = map[string]int{
	"DoubleStorage": 8, "FloatStorage": 4, "HalfStorage": 2, "BFloat16Storage": 2,
	"LongStorage": 8, "IntStorage": 4, "ShortStorage": 2, "CharStorage": 1,
	"ByteStorage": 1, "BoolStorage": 1, "UntypedStorage": 1,
}

var storageClassOf = map[dtypes.DType]string{
	dtypes.Float64: "DoubleStorage", dtypes.Float32: "FloatStorage", dtypes.Float16: "HalfStorage",
	dtypes.BFloat16: "BFloat16Storage", dtypes.Int64: "LongStorage", dtypes.Int32: "IntStorage",
	dtypes.Int16: "ShortStorage", dtypes.Int8: "CharStorage", dtypes.Uint8: "ByteStorage", dtypes.Bool: "BoolStorage",
}

func (s testStorage) numel() int {
	if s.data == nil {
		return s.count
	}
	return len(s.data) / storageElemSize[s.class]
}

// tensorRef is a tensor node in a checkpoint tree: a view of storage key.
type tensorRef struct {
	key    string
	offset int
	size   []int
	stride []int // nil: row-major
	// how torch wrote it: "" (_rebuild_tensor_v2), "param" (nn.Parameter),
	// "v3:<dtype>" (_rebuild_tensor_v3 over an untyped storage),
	// "fromtype" (_rebuild_from_type_v2 around v2).
	kind string
}

func rowMajor(size []int) []int {
	stride := make([]int, len(size))
	s := 1
	for i := len(size) - 1; i >= 0; i-- {
		stride[i] = s
		s *= size[i]
	}
	return stride
}

func ints(xs []int) pyTuple {
	t := make(pyTuple, len(xs))
	for i, x := range xs {
		t[i] = x
	}
	return t
}

// testCkpt is a checkpoint to write.
type testCkpt struct {
	root     any
	storages map[string]testStorage
	proto4   bool
	folder   string // zip folder; "archive" when empty
}

// pickle encodes root with the persistent ids of the zip (legacy=false) or
// legacy format.
func (c testCkpt) pickle(legacy bool) []byte {
	return encodePickleHook(c.root, c.proto4, func(v any) (any, bool) {
		t, ok := v.(tensorRef)
		if !ok {
			return nil, false
		}
		return c.tensorNode(t, legacy), true
	})
}

func (c testCkpt) tensorNode(t tensorRef, legacy bool) any {
	s := c.storages[t.key]
	pid := pyTuple{"storage", pyGlobal{"torch", s.class}, t.key, "cpu", s.numel()}
	if legacy {
		pid = append(pid, nil)
	}
	stride := t.stride
	if stride == nil {
		stride = rowMajor(t.size)
	}
	hooks := pyOrderedDict{}
	args := pyTuple{pyPersID(pid), t.offset, ints(t.size), ints(stride), false, hooks}
	v2 := pyReduce{pyGlobal{"torch._utils", "_rebuild_tensor_v2"}, args}
	switch {
	case t.kind == "param":
		return pyReduce{pyGlobal{"torch._utils", "_rebuild_parameter"}, pyTuple{v2, true, pyOrderedDict{}}}
	case t.kind == "fromtype":
		return pyReduce{pyGlobal{"torch._tensor", "_rebuild_from_type_v2"},
			pyTuple{pyGlobal{"torch._utils", "_rebuild_tensor_v2"}, pyGlobal{"torch.nn.parameter", "Parameter"}, args, pyDict{}}}
	case strings.HasPrefix(t.kind, "v3:"):
		pid[1] = pyGlobal{"torch.storage", "UntypedStorage"}
		v3args := append(slices.Clone(args), pyGlobal{"torch", strings.TrimPrefix(t.kind, "v3:")})
		v3args[0] = pyPersID(pid)
		return pyReduce{pyGlobal{"torch._utils", "_rebuild_tensor_v3"}, v3args}
	}
	return v2
}

func (c testCkpt) sortedKeys() []string {
	keys := make([]string, 0, len(c.storages))
	for k := range c.storages {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// zipBytes writes the zip format: <folder>/data.pkl, <folder>/data/<key>
// (stored, uncompressed) and <folder>/version.
func (c testCkpt) zipBytes(t testing.TB) []byte {
	t.Helper()
	return buildZip(t, c.folderName(), c.pickle(false), c.storages)
}

func (c testCkpt) folderName() string {
	if c.folder == "" {
		return "archive"
	}
	return c.folder
}

func buildZip(t testing.TB, folder string, pkl []byte, storages map[string]testStorage) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	put := func(name string, data []byte) {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: folder + "/" + name, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	put("data.pkl", pkl)
	keys := make([]string, 0, len(storages))
	for k := range storages {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		put("data/"+k, storages[k].data)
	}
	put("version", []byte("3\n"))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// legacyHeader is what the legacy format writes before the object pickle:
// the magic number, the format version and sys_info.
func legacyHeader(proto4 bool) []byte {
	magic, _ := new(big.Int).SetString("1950a86a20f9469cfc6c", 16)
	var b bytes.Buffer
	b.Write(encodePickle(magic, proto4))
	b.Write(encodePickle(1001, proto4))
	b.Write(encodePickle(pyDict{
		{"protocol_version", 1001}, {"little_endian", true},
		{"type_sizes", pyDict{{"short", 2}, {"int", 4}, {"long", 4}}},
	}, proto4))
	return b.Bytes()
}

// legacyBytes writes the legacy format: header pickles, the object, the
// sorted storage keys, then each storage as an 8-byte element count and
// its bytes.
func (c testCkpt) legacyBytes() []byte {
	var b bytes.Buffer
	b.Write(legacyHeader(c.proto4))
	b.Write(c.pickle(true))
	keys := c.sortedKeys()
	list := make(pyList, len(keys))
	for i, k := range keys {
		list[i] = k
	}
	b.Write(encodePickle(list, c.proto4))
	for _, k := range keys {
		s := c.storages[k]
		binary.Write(&b, binary.LittleEndian, uint64(s.numel()))
		b.Write(s.data)
	}
	return b.Bytes()
}

// ckptFromSource rebuilds a torch checkpoint holding src's tensors, one
// storage each. With nested, names split at their first dot into nested
// state dicts, as IP-Adapter's {"image_proj": {...}, "ip_adapter": {...}}.
func ckptFromSource(t testing.TB, src weights.Source, nested bool) testCkpt {
	t.Helper()
	c := testCkpt{storages: map[string]testStorage{}}
	var flat pyOrderedDict
	groups := map[string]pyOrderedDict{}
	var order []string
	for i, info := range src.Infos() {
		data, err := src.Bytes(info.Name)
		if err != nil {
			t.Fatal(err)
		}
		class, ok := storageClassOf[info.DType]
		if !ok {
			t.Fatalf("no storage class for %s", info.DType)
		}
		key := fmt.Sprint(i)
		c.storages[key] = testStorage{class: class, data: bytes.Clone(data)}
		ref := tensorRef{key: key, size: info.Shape}
		if !nested {
			flat = append(flat, pyItem{info.Name, ref})
			continue
		}
		group, rest, ok := strings.Cut(info.Name, ".")
		if !ok {
			t.Fatalf("cannot nest %q", info.Name)
		}
		if _, seen := groups[group]; !seen {
			order = append(order, group)
		}
		groups[group] = append(groups[group], pyItem{rest, ref})
	}
	if !nested {
		c.root = flat
		return c
	}
	var root pyDict
	for _, g := range order {
		root = append(root, pyItem{g, groups[g]})
	}
	c.root = root
	return c
}

// requireSameTensors fails unless a and b hold the same names, dtypes,
// shapes and bytes.
func requireSameTensors(t *testing.T, a, b weights.Source) {
	t.Helper()
	ia, ib := a.Infos(), b.Infos()
	if len(ia) != len(ib) {
		t.Fatalf("%d tensors vs %d: %v vs %v", len(ia), len(ib), weights.Names(a), weights.Names(b))
	}
	for i := range ia {
		if ia[i].Name != ib[i].Name || ia[i].DType != ib[i].DType || !slices.Equal(ia[i].Shape, ib[i].Shape) {
			t.Fatalf("tensor %d: %v vs %v", i, ia[i], ib[i])
		}
		da, err := a.Bytes(ia[i].Name)
		if err != nil {
			t.Fatal(err)
		}
		db, err := b.Bytes(ib[i].Name)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(da, db) {
			t.Fatalf("tensor %s: bytes differ", ia[i].Name)
		}
	}
}
