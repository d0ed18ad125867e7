package weights

import (
	"encoding/binary"
	"math/big"

	"github.com/nlpodyssey/gopickle/types"
)

// The legacy format (torch.save before 1.6, or with
// _use_new_zipfile_serialization=False) is five pickles back to back — the
// magic number, the format version, a sys_info dict, the object (storages
// as persistent ids), the sorted list of storage keys — followed by each
// storage in that order: an 8-byte little-endian element count, then the
// raw elements.
var (
	legacyMagic           = mustBig("1950a86a20f9469cfc6c")
	legacyProtocolVersion = 1001
)

func mustBig(hex string) *big.Int {
	b, _ := new(big.Int).SetString(hex, 16)
	return b
}

// parseTorchLegacy reads the legacy format; storage bytes are sliced out of buf.
func parseTorchLegacy(path string, buf []byte) (*torchFile, error) {
	magic, pos, err := loadPickle(buf, nil)
	if err != nil {
		return nil, errorf(ErrUnknownFormat, "not a PyTorch checkpoint (the file does not start with torch.save's magic-number pickle: %v)", err)
	}
	if m, ok := magic.(*big.Int); !ok || m.Cmp(legacyMagic) != 0 {
		return nil, errorf(ErrUnknownFormat, "not a PyTorch checkpoint: the first pickle is %v, not torch.save's magic number", magic)
	}
	version, n, err := loadPickle(buf[pos:], nil)
	if err != nil {
		return nil, err
	}
	pos += n
	if v, ok := version.(int); !ok || v != legacyProtocolVersion {
		return nil, errorf(ErrUnsupported, "legacy checkpoint format version %v, expected %d", version, legacyProtocolVersion)
	}
	sysInfo, n, err := loadPickle(buf[pos:], nil)
	if err != nil {
		return nil, err
	}
	pos += n
	if err := checkSysInfo(sysInfo); err != nil {
		return nil, err
	}
	storages := newStorageTable(true)
	root, n, err := loadPickle(buf[pos:], storages.load)
	if err != nil {
		return nil, err
	}
	pos += n
	pickleLen := n
	keysValue, n, err := loadPickle(buf[pos:], nil)
	if err != nil {
		return nil, err
	}
	pos += n
	data, err := legacyStorages(buf, pos, keysValue, storages)
	if err != nil {
		return nil, err
	}
	storageBytes := func(s *torchStorage) ([]byte, error) {
		span, ok := data[s]
		if !ok {
			return nil, errorf(ErrCorrupt, "storage %q is not in the file's storage list: the file is damaged; download it again", s.key)
		}
		return span.data, span.err
	}
	return newTorchFile(path, root, pickleLen, storageBytes)
}

// checkSysInfo refuses big-endian checkpoints; the rest of sys_info (type
// sizes of the machine that saved it) does not matter for tensor data.
func checkSysInfo(v any) error {
	d, ok := v.(*types.Dict)
	if !ok {
		return errorf(ErrCorrupt, "legacy checkpoint: sys_info is a %s, not a dict: the file is damaged", pyTypeName(v))
	}
	if le, ok := d.Get("little_endian"); ok && le != true {
		return errorf(ErrUnsupported, "the checkpoint was saved on a big-endian machine: only little-endian checkpoints are read")
	}
	return nil
}

// legacySpan is where a legacy storage's bytes are, or why they cannot be
// read (reported later, with the name of a tensor that needs them).
type legacySpan struct {
	data []byte
	err  error
}

// legacyStorages locates each storage's bytes after the pickles, in the
// order of the key list, checking each recorded element count against the
// one the pickle declared. Once one storage is damaged or cut off, the
// position of every later one is unknown, so they all carry an error.
func legacyStorages(buf []byte, pos int, keysValue any, table *storageTable) (map[*torchStorage]legacySpan, error) {
	list, ok := keysValue.(*types.List)
	if !ok {
		return nil, errorf(ErrCorrupt, "legacy checkpoint: the storage key list is a %s, not a list: the file is damaged", pyTypeName(keysValue))
	}
	out := make(map[*torchStorage]legacySpan, list.Len())
	var broken error // set once a storage could not be located
	for _, k := range *list {
		key, ok := pyString(k)
		if !ok {
			return nil, errorf(ErrCorrupt, "legacy checkpoint: storage key is a %s, not a string: the file is damaged", pyTypeName(k))
		}
		s, ok := table.byKey[key]
		if !ok || s.root != nil {
			return nil, errorf(ErrCorrupt, "legacy checkpoint: storage %q is listed but no tensor uses it: the file is damaged", key)
		}
		if _, dup := out[s]; dup {
			return nil, errorf(ErrCorrupt, "legacy checkpoint: storage %q is listed twice: the file is damaged", key)
		}
		if broken != nil {
			out[s] = legacySpan{err: broken}
			continue
		}
		size := s.numel * int64(s.dtype.Size())
		switch {
		case len(buf)-pos < 8:
			broken = errorf(ErrTruncated, "legacy checkpoint: the file ends before storage %q: it is truncated; download it again", key)
		case binary.LittleEndian.Uint64(buf[pos:]) != uint64(s.numel):
			broken = errorf(ErrCorrupt, "legacy checkpoint: storage %q records %d elements but the pickle declares %d: the file is damaged; download it again",
				key, binary.LittleEndian.Uint64(buf[pos:]), s.numel)
		case int64(len(buf)-pos-8) < size:
			broken = errorf(ErrTruncated, "legacy checkpoint: storage %q is shorter than the tensor needs: %s[%d] takes %d bytes, %d are left in the file; it is truncated, download it again",
				key, s.class, s.numel, size, len(buf)-pos-8)
		}
		if broken != nil {
			out[s] = legacySpan{err: broken}
			continue
		}
		pos += 8
		out[s] = legacySpan{data: buf[pos : pos+int(size) : pos+int(size)]}
		pos += int(size)
	}
	return out, nil
}
