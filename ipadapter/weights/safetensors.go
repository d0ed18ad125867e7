package weights

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/gomlx/compute/dtypes"
)

// maxHeaderSize is the largest JSON header accepted, as in the Rust
// safetensors crate (100 MB): a larger length field means a damaged file.
const maxHeaderSize = 100 << 20

// safetensorsDTypes maps the format's dtype names to GoMLX dtypes.
var safetensorsDTypes = map[string]dtypes.DType{
	"F64":  dtypes.Float64,
	"F32":  dtypes.Float32,
	"F16":  dtypes.Float16,
	"BF16": dtypes.BFloat16,
	"I64":  dtypes.Int64,
	"I32":  dtypes.Int32,
	"I16":  dtypes.Int16,
	"I8":   dtypes.Int8,
	"U8":   dtypes.Uint8,
	"U16":  dtypes.Uint16,
	"U32":  dtypes.Uint32,
	"U64":  dtypes.Uint64,
	"BOOL": dtypes.Bool,
}

// knownSafetensorsDTypes lists the dtype names this reader accepts, for
// error messages.
func knownSafetensorsDTypes() string {
	names := make([]string, 0, len(safetensorsDTypes))
	for name := range safetensorsDTypes {
		names = append(names, name)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// safetensorsName is the inverse of safetensorsDTypes.
func safetensorsName(dt dtypes.DType) (string, bool) {
	for name, d := range safetensorsDTypes {
		if d == dt {
			return name, true
		}
	}
	return "", false
}

// safetensorsFile is a memory-mapped .safetensors file.
type safetensorsFile struct {
	mappedFile // zero for ParseSafetensors
	path       string
	data       []byte // the part of the file after the header
	infos      []Info
	byName     map[string]int
	offsets    map[string][2]int64
	metadata   map[string]string
}

// OpenSafetensors memory-maps a .safetensors file and validates its header.
// Tensor data is only read when asked for.
func OpenSafetensors(path string) (Source, error) {
	mf, err := mapFile(path, "safetensors file")
	if err != nil {
		return nil, err
	}
	s := &safetensorsFile{path: path, mappedFile: mf}
	if err := s.parse([]byte(mf.mapping)); err != nil {
		s.Close()
		return nil, fmt.Errorf("reading safetensors file %s: %w", path, err)
	}
	return s, nil
}

// ParseSafetensors validates a whole safetensors file held in memory. It is
// what OpenSafetensors does after mapping the file, exposed for tests, fuzzing
// and files that are not on disk.
func ParseSafetensors(buf []byte) (Source, error) {
	s := &safetensorsFile{path: "<memory>"}
	if err := s.parse(buf); err != nil {
		return nil, err
	}
	return s, nil
}

type headerEntry struct {
	DType       string  `json:"dtype"`
	Shape       []int64 `json:"shape"`
	DataOffsets []int64 `json:"data_offsets"`
}

func (s *safetensorsFile) parse(buf []byte) error {
	if err := checkLFSPointer(buf); err != nil {
		return err
	}
	if len(buf) < 8 {
		return errorf(ErrTruncated, "file is truncated: %d bytes, smaller than the 8-byte header length; download it again", len(buf))
	}
	headerLen := binary.LittleEndian.Uint64(buf[:8])
	if headerLen > maxHeaderSize {
		return errorf(ErrCorrupt, "header length %d is larger than the 100 MB limit: not a safetensors file, or a damaged one; download it again", headerLen)
	}
	if headerLen > uint64(len(buf)-8) {
		return errorf(ErrTruncated, "header length %d is larger than the file (%d bytes): the file is truncated; download it again", headerLen, len(buf))
	}
	header := buf[8 : 8+headerLen]
	s.data = buf[8+headerLen:]

	var raw map[string]json.RawMessage
	if err := json.Unmarshal(header, &raw); err != nil || raw == nil {
		if err == nil {
			err = errors.New("not a JSON object")
		}
		return errorf(ErrCorrupt, "malformed JSON header: %v; the file is damaged, download it again", err)
	}
	s.offsets = make(map[string][2]int64, len(raw))
	type span struct {
		name       string
		begin, end int64
	}
	var spans []span
	for name, msg := range raw {
		if name == "__metadata__" {
			if err := json.Unmarshal(msg, &s.metadata); err != nil {
				return errorf(ErrCorrupt, "malformed __metadata__ (must map strings to strings): %v", err)
			}
			continue
		}
		var e headerEntry
		dec := json.NewDecoder(bytes.NewReader(msg))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&e); err != nil {
			return errorf(ErrCorrupt, "tensor %q: malformed header entry: %v", name, err)
		}
		dt, ok := safetensorsDTypes[e.DType]
		if !ok {
			return errorf(ErrUnsupported, "tensor %q: unsupported dtype %q (this reader knows %s)", name, e.DType, knownSafetensorsDTypes())
		}
		info := Info{Name: name, DType: dt, Shape: make([]int, len(e.Shape))}
		numel := int64(1)
		for i, d := range e.Shape {
			if d < 0 {
				return errorf(ErrCorrupt, "tensor %q: negative dimension in shape %v", name, e.Shape)
			}
			if d > 0 && numel > (1<<62)/d {
				return errorf(ErrCorrupt, "tensor %q: shape %v is too large", name, e.Shape)
			}
			numel *= d
			info.Shape[i] = int(d)
		}
		if len(e.DataOffsets) != 2 {
			return errorf(ErrCorrupt, "tensor %q: data_offsets must have 2 values, got %v", name, e.DataOffsets)
		}
		begin, end := e.DataOffsets[0], e.DataOffsets[1]
		if begin < 0 || end < begin {
			return errorf(ErrCorrupt, "tensor %q: invalid data_offsets [%d, %d]", name, begin, end)
		}
		if end > int64(len(s.data)) {
			return errorf(ErrTruncated, "tensor %q: data_offsets [%d, %d] go past the end of the data (%d bytes): the file is truncated; download it again",
				name, begin, end, len(s.data))
		}
		if numel > math.MaxInt64/int64(dt.Size()) {
			return errorf(ErrCorrupt, "tensor %q: shape %v is too large", name, e.Shape)
		}
		if want := numel * int64(dt.Size()); end-begin != want {
			return errorf(ErrCorrupt, "tensor %q: %s%v needs %d bytes but data_offsets [%d, %d] hold %d: the header does not match the data", name, e.DType, e.Shape, want, begin, end, end-begin)
		}
		s.infos = append(s.infos, info)
		s.offsets[name] = [2]int64{begin, end}
		spans = append(spans, span{name, begin, end})
	}
	slices.SortFunc(spans, func(a, b span) int {
		if a.begin != b.begin {
			return int(a.begin - b.begin)
		}
		return int(a.end - b.end)
	})
	for i := 1; i < len(spans); i++ {
		if prev := spans[i-1]; spans[i].begin < prev.end {
			return errorf(ErrCorrupt, "tensors %q and %q overlap (bytes [%d, %d] and [%d, %d]): the header is damaged", prev.name, spans[i].name, prev.begin, prev.end, spans[i].begin, spans[i].end)
		}
	}
	sortInfos(s.infos)
	s.byName = make(map[string]int, len(s.infos))
	for i, info := range s.infos {
		s.byName[info.Name] = i
	}
	return nil
}

func (s *safetensorsFile) Infos() []Info { return slices.Clone(s.infos) }

func (s *safetensorsFile) Info(name string) (Info, bool) {
	i, ok := s.byName[name]
	if !ok {
		return Info{}, false
	}
	return s.infos[i], true
}

func (s *safetensorsFile) Bytes(name string) ([]byte, error) {
	off, ok := s.offsets[name]
	if !ok {
		return nil, fmt.Errorf("%s: no tensor named %q", s.path, name)
	}
	if s.data == nil && off[1] > 0 {
		return nil, fmt.Errorf("%s: file is closed", s.path)
	}
	return s.data[off[0]:off[1]:off[1]], nil
}

func (s *safetensorsFile) Metadata() map[string]string { return s.metadata }

func (s *safetensorsFile) Close() error {
	s.data = nil
	return s.unmap()
}
