package weights

import (
	"errors"
	"fmt"
	"os"

	"github.com/edsrzf/mmap-go"
)

// mappedFile is a weights file memory-mapped read-only: the readers slice
// tensor data straight out of the mapping.
type mappedFile struct {
	file    *os.File
	mapping mmap.MMap
}

// mapFile opens and maps path; what names the format in errors
// ("safetensors file", "PyTorch checkpoint"). An empty file, which cannot be
// mapped, is reported as truncated.
func mapFile(path, what string) (mappedFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return mappedFile{}, fmt.Errorf("opening %s: %w", what, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return mappedFile{}, fmt.Errorf("opening %s %s: %w", what, path, err)
	}
	if st.Size() == 0 {
		f.Close()
		return mappedFile{}, errorf(ErrTruncated, "%s %s is empty: the download was interrupted or the file was truncated; download it again", what, path)
	}
	m, err := mmap.Map(f, mmap.RDONLY, 0)
	if err != nil {
		f.Close()
		return mappedFile{}, fmt.Errorf("memory-mapping %s: %w", path, err)
	}
	return mappedFile{file: f, mapping: m}, nil
}

// unmap releases the mapping and the file; a second call does nothing.
func (m *mappedFile) unmap() error {
	var errs []error
	if m.mapping != nil {
		errs = append(errs, m.mapping.Unmap())
		m.mapping = nil
	}
	if m.file != nil {
		errs = append(errs, m.file.Close())
		m.file = nil
	}
	return errors.Join(errs...)
}
