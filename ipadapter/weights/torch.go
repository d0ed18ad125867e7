package weights

import (
	"bytes"
	"fmt"
	"slices"
)

// maxStridedExtra bounds how much larger than its storage a non-contiguous
// tensor may be once gathered. Views that read elements more than once
// (expand()ed buffers, stride 0) are legal in torch, but a damaged stride
// could otherwise make one small storage demand terabytes when read.
const maxStridedExtra = 64 << 20

// torchEntry is where one tensor's data is and how to read it.
type torchEntry struct {
	storage    []byte // the bytes of the storage (or storage view) it reads
	offset     int64  // in elements of the tensor's dtype
	size       []int64
	stride     []int64
	contiguous bool
}

// torchFile is a PyTorch checkpoint (zip or legacy) opened as a Source.
// Storage bytes are slices of the memory-mapped file, in their own dtype:
// an fp16 checkpoint stays fp16 and nothing is copied until a tensor is read.
type torchFile struct {
	mappedFile // zero for ParseTorch
	path       string
	infos      []Info
	byName     map[string]int
	entries    []torchEntry // parallel to infos
}

// OpenTorch opens a PyTorch checkpoint written by torch.save: the zip format
// (torch >= 1.6) or the legacy format (a sequence of pickles followed by the
// raw storages). The file is memory-mapped and its pickle read with an
// allow-list of globals, like torch.load(weights_only=True): nothing in it is
// executed. Nested dicts are flattened with dots.
func OpenTorch(path string) (Source, error) {
	mf, err := mapFile(path, "PyTorch checkpoint")
	if err != nil {
		return nil, err
	}
	t, err := parseTorch(path, []byte(mf.mapping))
	if err != nil {
		mf.unmap()
		return nil, fmt.Errorf("reading PyTorch checkpoint %s: %w", path, err)
	}
	t.mappedFile = mf
	return t, nil
}

// ParseTorch reads a whole PyTorch checkpoint held in memory (zip or legacy
// format). It is what OpenTorch does after mapping the file, exposed for
// tests, fuzzing and files that are not on disk. The Source's slices point
// into buf.
func ParseTorch(buf []byte) (Source, error) {
	t, err := parseTorch("<memory>", buf)
	if err != nil {
		return nil, err
	}
	return t, nil
}

func parseTorch(path string, buf []byte) (*torchFile, error) {
	if err := checkLFSPointer(buf); err != nil {
		return nil, err
	}
	switch {
	case len(buf) == 0:
		return nil, errorf(ErrTruncated, "the file is empty; download it again")
	case isZip(buf):
		return parseTorchZip(path, buf)
	case isTar(buf):
		return nil, errorf(ErrUnsupported, "this is a PyTorch checkpoint in the pre-1.0 tar format, which this package does not read: load it with torch and re-save it as .safetensors")
	}
	return parseTorchLegacy(path, buf)
}

func isZip(buf []byte) bool {
	return bytes.HasPrefix(buf, []byte("PK\x03\x04")) || bytes.HasPrefix(buf, []byte("PK\x05\x06"))
}

func isTar(buf []byte) bool {
	return len(buf) >= 262 && bytes.Equal(buf[257:262], []byte("ustar"))
}

// newTorchFile names the tensors of an unpickled checkpoint and checks each
// against the bytes of its storage, which storageBytes finds (and checks
// against the element count the pickle declares). pickleLen sizes the walk's
// budget.
func newTorchFile(path string, root any, pickleLen int, storageBytes func(*torchStorage) ([]byte, error)) (*torchFile, error) {
	named, err := flattenState(root, 16*pickleLen+1024)
	if err != nil {
		return nil, err
	}
	t := &torchFile{path: path, byName: make(map[string]int, len(named))}
	slices.SortFunc(named, func(a, b namedTensor) int {
		switch {
		case a.name < b.name:
			return -1
		case a.name > b.name:
			return 1
		}
		return 0
	})
	cache := map[*torchStorage][]byte{}
	for _, nt := range named {
		sb, ok := cache[nt.t.storage]
		if !ok {
			if sb, err = viewBytes(nt.t.storage, storageBytes); err != nil {
				return nil, fmt.Errorf("tensor %q: %w", nt.name, err)
			}
			cache[nt.t.storage] = sb
		}
		info, entry, err := checkTorchTensor(nt, sb)
		if err != nil {
			return nil, err
		}
		t.byName[info.Name] = len(t.infos)
		t.infos = append(t.infos, info)
		t.entries = append(t.entries, entry)
	}
	return t, nil
}

// viewBytes returns the bytes of a storage, or of the part of its root that
// a legacy storage view covers.
func viewBytes(s *torchStorage, storageBytes func(*torchStorage) ([]byte, error)) ([]byte, error) {
	if s.root == nil {
		return storageBytes(s)
	}
	root, err := storageBytes(s.root)
	if err != nil {
		return nil, err
	}
	es := int64(s.dtype.Size())
	return root[s.viewOffset*es : (s.viewOffset+s.numel)*es], nil
}

// checkTorchTensor validates one tensor's view against its storage's bytes.
func checkTorchTensor(nt namedTensor, sb []byte) (Info, torchEntry, error) {
	t := nt.t
	info := Info{Name: nt.name, DType: t.dtype, Shape: make([]int, len(t.size))}
	for i, d := range t.size {
		info.Shape[i] = int(d)
	}
	numel, end, ok := viewExtent(t.offset, t.size, t.stride)
	if !ok {
		return info, torchEntry{}, errorf(ErrCorrupt, "tensor %q: invalid view (offset %d, size %v, stride %v): the file is damaged; download it again", nt.name, t.offset, t.size, t.stride)
	}
	es := int64(t.dtype.Size())
	have := int64(len(sb)) / es
	if end > have {
		return info, torchEntry{}, errorf(ErrCorrupt, "tensor %q: storage %q is shorter than the tensor needs: it holds %d %s elements, the view (offset %d, size %v, stride %v) reads up to element %d; the file is damaged, download it again",
			nt.name, t.storage.key, have, t.dtype, t.offset, t.size, t.stride, end)
	}
	e := torchEntry{storage: sb, offset: t.offset, size: t.size, stride: t.stride, contiguous: isContiguous(t.size, t.stride)}
	if !e.contiguous && numel > (int64(len(sb))+maxStridedExtra)/es {
		return info, torchEntry{}, errorf(ErrUnsupported, "tensor %q: a view of %d elements over a storage of %d repeats elements too often to be materialised (size %v, stride %v)",
			nt.name, numel, have, t.size, t.stride)
	}
	return info, e, nil
}

func (t *torchFile) Infos() []Info { return slices.Clone(t.infos) }

func (t *torchFile) Info(name string) (Info, bool) {
	i, ok := t.byName[name]
	if !ok {
		return Info{}, false
	}
	return t.infos[i], true
}

// Bytes returns a contiguous tensor's bytes as a slice of the file, and a
// non-contiguous one gathered into a new row-major buffer.
func (t *torchFile) Bytes(name string) ([]byte, error) {
	i, ok := t.byName[name]
	if !ok {
		return nil, fmt.Errorf("%s: no tensor named %q", t.path, name)
	}
	if t.entries == nil {
		return nil, fmt.Errorf("%s: file is closed", t.path)
	}
	info, e := t.infos[i], t.entries[i]
	es := int64(info.DType.Size())
	n := info.ByteSize()
	if n == 0 {
		return []byte{}, nil
	}
	if e.contiguous {
		begin := e.offset * es
		return e.storage[begin : begin+n : begin+n], nil
	}
	out := make([]byte, n)
	gatherStrided(out, e.storage, int(es), e.offset, e.size, e.stride)
	return out, nil
}

// Metadata is nil: torch checkpoints have no string metadata.
func (t *torchFile) Metadata() map[string]string { return nil }

func (t *torchFile) Close() error {
	t.entries = nil
	return t.unmap()
}
