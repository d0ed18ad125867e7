package weights

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"slices"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/atomicfile"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
)

// Named is one tensor to write: raw little-endian data in DType, row-major.
type Named struct {
	Name  string
	DType dtypes.DType
	Shape []int
	Data  []byte
}

// NamedFromTensor copies a GoMLX tensor's data into a Named for writing.
func NamedFromTensor(name string, t *tensors.Tensor) (Named, error) {
	n := Named{Name: name, DType: t.DType(), Shape: slices.Clone(t.Shape().Dimensions)}
	err := t.ConstBytes(func(data []byte) { n.Data = slices.Clone(data) })
	if err != nil {
		return n, fmt.Errorf("reading tensor %q: %w", name, err)
	}
	return n, nil
}

// WriteSafetensors writes tensors (in the given order) and optional metadata
// to path in the safetensors format. The file is written to a temporary file
// in the same folder and renamed into place, so an existing file is never
// left half-written.
func WriteSafetensors(path string, ts []Named, metadata map[string]string) error {
	header, err := safetensorsHeader(ts, metadata)
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return atomicfile.Write(path, func(w io.Writer) error { return encodeSafetensors(w, header, ts) })
}

// encodeSafetensors writes a header made by safetensorsHeader and the data.
func encodeSafetensors(w io.Writer, header []byte, ts []Named) error {
	var lenBuf [8]byte
	binary.LittleEndian.PutUint64(lenBuf[:], uint64(len(header)))
	if _, err := w.Write(lenBuf[:]); err != nil {
		return err
	}
	if _, err := w.Write(header); err != nil {
		return err
	}
	for _, t := range ts {
		if _, err := w.Write(t.Data); err != nil {
			return err
		}
	}
	return nil
}

// safetensorsHeader builds the JSON header, padded with spaces to a multiple
// of 8 bytes so the data that follows is aligned (as the Rust writer does).
func safetensorsHeader(ts []Named, metadata map[string]string) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	first := true
	sep := func() {
		if !first {
			buf.WriteByte(',')
		}
		first = false
	}
	if len(metadata) > 0 {
		sep()
		m, err := json.Marshal(metadata)
		if err != nil {
			return nil, err
		}
		buf.WriteString(`"__metadata__":`)
		buf.Write(m)
	}
	seen := make(map[string]bool, len(ts))
	var offset int64
	for _, t := range ts {
		if seen[t.Name] || t.Name == "__metadata__" {
			return nil, fmt.Errorf("duplicate or reserved tensor name %q", t.Name)
		}
		seen[t.Name] = true
		dt, ok := safetensorsName(t.DType)
		if !ok {
			return nil, fmt.Errorf("tensor %q: dtype %s has no safetensors name", t.Name, t.DType)
		}
		info := Info{Name: t.Name, DType: t.DType, Shape: t.Shape}
		if info.ByteSize() != int64(len(t.Data)) {
			return nil, fmt.Errorf("tensor %q: %s%v needs %d bytes, got %d", t.Name, t.DType, t.Shape, info.ByteSize(), len(t.Data))
		}
		shape := t.Shape
		if shape == nil {
			shape = []int{}
		}
		entry, err := json.Marshal(map[string]any{
			"dtype": dt, "shape": shape, "data_offsets": []int64{offset, offset + int64(len(t.Data))},
		})
		if err != nil {
			return nil, err
		}
		name, _ := json.Marshal(t.Name)
		sep()
		buf.Write(name)
		buf.WriteByte(':')
		buf.Write(entry)
		offset += int64(len(t.Data))
	}
	buf.WriteByte('}')
	for buf.Len()%8 != 0 {
		buf.WriteByte(' ')
	}
	return buf.Bytes(), nil
}
