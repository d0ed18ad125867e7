package weights

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
)

// maxPickleSize bounds data.pkl. Real ones are well under a megabyte (names
// and shapes only); a larger one is damage or a zip bomb.
const maxPickleSize = 256 << 20

// parseTorchZip reads the zip format torch.save writes since 1.6: one folder
// (named after the file when it was saved, any name) holding data.pkl, the
// pickled object, and data/<key>, one entry per storage, stored
// uncompressed. Storage bytes are sliced straight out of buf.
func parseTorchZip(path string, buf []byte) (*torchFile, error) {
	zr, err := zip.NewReader(bytes.NewReader(buf), int64(len(buf)))
	if err != nil {
		return nil, errorf(ErrTruncated, "the zip archive is truncated or damaged (%v): download it again", err)
	}
	files := make(map[string]*zip.File, len(zr.File))
	var pkls []string
	for _, f := range zr.File {
		files[f.Name] = f
		if dir, base, ok := strings.Cut(f.Name, "/"); ok && base == "data.pkl" && dir != "" {
			pkls = append(pkls, f.Name)
		}
	}
	switch {
	case len(pkls) == 0:
		return nil, errorf(ErrUnknownFormat, "zip archive has no <folder>/data.pkl: it is not a PyTorch checkpoint")
	case len(pkls) > 1:
		return nil, errorf(ErrCorrupt, "zip archive has several data.pkl (%s): not a single PyTorch checkpoint", strings.Join(pkls, ", "))
	}
	prefix := strings.TrimSuffix(pkls[0], "data.pkl")
	if _, ok := files[prefix+"constants.pkl"]; ok {
		return nil, errorf(ErrUnsupported, "this is a TorchScript archive (torch.jit.save), not a torch.save checkpoint: export its state_dict() instead")
	}
	if bo, ok := files[prefix+"byteorder"]; ok {
		order, err := readZipEntry(bo, 16)
		if err != nil {
			return nil, err
		}
		if s := strings.TrimSpace(string(order)); s != "little" {
			return nil, errorf(ErrUnsupported, "checkpoint byte order is %q: only little-endian checkpoints are read", s)
		}
	}
	pkl, err := readZipEntry(files[pkls[0]], maxPickleSize)
	if err != nil {
		return nil, err
	}
	storages := newStorageTable(false)
	root, _, err := loadPickle(pkl, storages.load)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", pkls[0], err)
	}
	storageBytes := func(s *torchStorage) ([]byte, error) {
		name := prefix + "data/" + s.key
		f, ok := files[name]
		if !ok {
			return nil, errorf(ErrCorrupt, "storage entry %s is missing from the zip archive: the file is damaged or incomplete; download it again", name)
		}
		need := s.numel * int64(s.dtype.Size())
		data, err := zipEntryBytes(buf, f, need)
		if err != nil {
			return nil, err
		}
		if int64(len(data)) < need {
			return nil, errorf(ErrCorrupt, "storage entry %s is shorter than the tensor needs: %d bytes, but %s[%d] takes %d; the file is damaged, download it again",
				name, len(data), s.class, s.numel, need)
		}
		return data[:need:need], nil
	}
	return newTorchFile(path, root, len(pkl), storageBytes)
}

// zipEntryBytes returns an entry's bytes: a slice of buf when stored (how
// torch writes storages), else the first need bytes decompressed into memory
// (never more than the tensors need, whatever the entry claims).
func zipEntryBytes(buf []byte, f *zip.File, need int64) ([]byte, error) {
	if f.Method != zip.Store {
		return readZipPrefix(f, need)
	}
	off, err := f.DataOffset()
	if err != nil {
		return nil, errorf(ErrTruncated, "zip entry %s: %v; the file is truncated or damaged, download it again", f.Name, err)
	}
	size := f.CompressedSize64
	if size != f.UncompressedSize64 {
		return nil, errorf(ErrCorrupt, "zip entry %s is stored with sizes %d and %d that differ: the file is damaged; download it again", f.Name, size, f.UncompressedSize64)
	}
	if off < 0 || size > uint64(len(buf)) || uint64(off) > uint64(len(buf))-size {
		return nil, errorf(ErrTruncated, "zip entry %s (bytes %d..%d) goes past the end of the file (%d bytes): the file is truncated; download it again", f.Name, off, uint64(off)+size, len(buf))
	}
	return buf[off : uint64(off)+size : uint64(off)+size], nil
}

// readZipPrefix decompresses up to n bytes of a compressed entry. Memory
// grows with the data actually decompressed, so a damaged size cannot make
// it allocate more than the entry really holds.
func readZipPrefix(f *zip.File, n int64) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, errorf(ErrCorrupt, "zip entry %s: %v; the file is damaged, download it again", f.Name, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, n))
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, errorf(ErrCorrupt, "zip entry %s: %v; the file is damaged, download it again", f.Name, err)
	}
	return data, nil
}

// readZipEntry reads a (small) entry into memory, verifying its CRC.
func readZipEntry(f *zip.File, limit int64) ([]byte, error) {
	if f.UncompressedSize64 > uint64(limit) {
		return nil, errorf(ErrCorrupt, "zip entry %s claims %d bytes, more than the %d expected: the file is damaged", f.Name, f.UncompressedSize64, limit)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, errorf(ErrCorrupt, "zip entry %s: %v; the file is damaged, download it again", f.Name, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err == nil && int64(len(data)) > limit {
		err = errors.New("longer than its header says")
	}
	if err != nil {
		kind := ErrCorrupt
		if errors.Is(err, io.ErrUnexpectedEOF) {
			kind = ErrTruncated
		}
		return nil, errorf(kind, "zip entry %s: %v; the file is damaged, download it again", f.Name, err)
	}
	return data, nil
}
