package weights

import (
	"math"

	"github.com/gomlx/compute/dtypes"
	"github.com/nlpodyssey/gopickle/types"
)

// storageTable is the persistent_load of one data pickle: it turns the
// persistent ids torch writes for storages into *torchStorage references,
// one per key, so tensors that share a storage share the reference.
type storageTable struct {
	legacy bool // legacy ids carry a sixth field, the view metadata
	byKey  map[string]*torchStorage
}

func newStorageTable(legacy bool) *storageTable {
	return &storageTable{legacy: legacy, byKey: map[string]*torchStorage{}}
}

// load implements persistent_load. A zip checkpoint's id is
// ("storage", storage_type, key, location, numel); a legacy one adds
// view_metadata: None or (view_key, offset, view_size).
func (st *storageTable) load(pid any) (any, error) {
	tup, ok := pid.(*types.Tuple)
	if !ok || tup.Len() == 0 {
		return nil, errorf(ErrCorrupt, "corrupted pickle stream: persistent id is a %T, not a storage tuple", pid)
	}
	kind, _ := pyString(tup.Get(0))
	if kind == "module" {
		return nil, errorf(ErrUnsupported, "the file is a pickled nn.Module (legacy torch.save(model)), not a state dict: re-save it with torch.save(model.state_dict())")
	}
	want := 5
	if st.legacy {
		want = 6
	}
	if kind != "storage" || tup.Len() != want {
		return nil, errorf(ErrCorrupt, "corrupted pickle stream: unexpected persistent id %q with %d fields", kind, tup.Len())
	}
	class, ok := tup.Get(1).(*storageClass)
	if !ok {
		return nil, errorf(ErrCorrupt, "corrupted pickle stream: storage type is a %T, not a torch storage class", tup.Get(1))
	}
	if class.dtype == dtypes.InvalidDType {
		return nil, errorf(ErrUnsupported, "storage type %s (quantized) is not supported", class.name)
	}
	key, ok := pyString(tup.Get(2))
	if !ok {
		return nil, errorf(ErrCorrupt, "corrupted pickle stream: storage key is a %T, not a string", tup.Get(2))
	}
	numel, err := pyInt(tup.Get(4), "storage size")
	if err != nil {
		return nil, err
	}
	if numel < 0 || numel > math.MaxInt64/int64(class.dtype.Size()) {
		return nil, errorf(ErrCorrupt, "corrupted pickle stream: storage %q has impossible size %d", key, numel)
	}
	s, err := st.root(key, class, numel)
	if err != nil || !st.legacy || tup.Get(5) == nil {
		return s, err
	}
	return st.view(s, tup.Get(5))
}

// root returns the storage for key, declaring it on first use.
func (st *storageTable) root(key string, class *storageClass, numel int64) (*torchStorage, error) {
	if s, ok := st.byKey[key]; ok {
		if s.root != nil || s.dtype != class.dtype || s.numel != numel {
			return nil, errorf(ErrCorrupt, "storage %q is declared twice, as %s[%d] and %s[%d]: the file is damaged", key, s.class, s.numel, class.name, numel)
		}
		return s, nil
	}
	s := &torchStorage{key: key, class: class.name, dtype: class.dtype, numel: numel}
	st.byKey[key] = s
	return s, nil
}

// view returns the legacy storage view described by meta.
func (st *storageTable) view(root *torchStorage, meta any) (*torchStorage, error) {
	tup, ok := meta.(*types.Tuple)
	if !ok || tup.Len() != 3 {
		return nil, errorf(ErrCorrupt, "corrupted pickle stream: storage view metadata of %q is a %T, not (key, offset, size)", root.key, meta)
	}
	key, ok := pyString(tup.Get(0))
	if !ok {
		return nil, errorf(ErrCorrupt, "corrupted pickle stream: storage view key is a %T", tup.Get(0))
	}
	offset, err := pyInt(tup.Get(1), "storage view offset")
	if err != nil {
		return nil, err
	}
	size, err := pyInt(tup.Get(2), "storage view size")
	if err != nil {
		return nil, err
	}
	if offset < 0 || size < 0 || offset > root.numel || size > root.numel-offset {
		return nil, errorf(ErrCorrupt, "storage view %q covers elements [%d, %d+%d) of storage %q, which has %d: the file is damaged", key, offset, offset, size, root.key, root.numel)
	}
	if v, ok := st.byKey[key]; ok {
		if v.root != root || v.viewOffset != offset || v.numel != size {
			return nil, errorf(ErrCorrupt, "storage view %q is declared twice differently: the file is damaged", key)
		}
		return v, nil
	}
	v := &torchStorage{key: key, class: root.class, dtype: root.dtype, numel: size, root: root, viewOffset: offset}
	st.byKey[key] = v
	return v, nil
}

// pyString reads a Python str (or the bytes Python 2 pickles hold).
func pyString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case []byte:
		return string(x), true
	}
	return "", false
}
