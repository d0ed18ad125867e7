package convert

import (
	"fmt"
	"slices"
	"strings"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// TensorMap is one tensor of a View: its name there (Name), the tensor of
// the underlying source it shows (From), and how.
type TensorMap struct {
	Name, From string
	// Lo and Hi select the rows [Lo, Hi) of From along its first dimension
	// (Hi == 0: the whole tensor). Row-major data makes it a sub-slice.
	Lo, Hi int
	// Shape, when not nil, is the shape shown instead of From's (after the
	// row selection): a reshape with the same number of elements, which
	// leaves row-major data unchanged.
	Shape []int
	// Transpose shows a 2-D From transposed. The only transform that has to
	// copy, so it is kept for small tensors (a text projection).
	Transpose bool
}

// View is a weights.Source showing tensors of another source under new
// names and shapes, as its TensorMaps say. It reads nothing until Bytes is
// called. It does not own the source: Close does nothing, and the source
// must stay open while the view is used.
type View struct {
	src   weights.Source
	infos []weights.Info // sorted by name
	maps  map[string]TensorMap
}

// NewView checks every map against src (the tensor exists, rows and
// reshapes fit, names are unique) and builds the view.
func NewView(src weights.Source, maps []TensorMap) (*View, error) {
	v := &View{src: src, maps: make(map[string]TensorMap, len(maps))}
	for _, m := range maps {
		if prev, dup := v.maps[m.Name]; dup {
			return nil, fmt.Errorf("two tensors map to %q: %q and %q", m.Name, prev.From, m.From)
		}
		info, ok := src.Info(m.From)
		if !ok {
			return nil, fmt.Errorf("tensor %q is missing", m.From)
		}
		shape, err := m.shape(info)
		if err != nil {
			return nil, err
		}
		info.Name, info.Shape = m.Name, shape
		v.maps[m.Name] = m
		v.infos = append(v.infos, info)
	}
	slices.SortFunc(v.infos, func(a, b weights.Info) int { return strings.Compare(a.Name, b.Name) })
	return v, nil
}

// shape is the shape m shows of a tensor described by info.
func (m TensorMap) shape(info weights.Info) ([]int, error) {
	shape := slices.Clone(info.Shape)
	if m.Hi != 0 {
		if len(shape) == 0 || m.Lo < 0 || m.Hi > shape[0] || m.Lo >= m.Hi {
			return nil, fmt.Errorf("tensor %q%v has no rows %d…%d", m.From, info.Shape, m.Lo, m.Hi-1)
		}
		shape[0] = m.Hi - m.Lo
	}
	if m.Transpose {
		if len(shape) != 2 || m.Hi != 0 || m.Shape != nil {
			return nil, fmt.Errorf("tensor %q%v: only a whole 2-D tensor can be shown transposed", m.From, info.Shape)
		}
		return []int{shape[1], shape[0]}, nil
	}
	if m.Shape != nil {
		if numel(m.Shape) != numel(shape) {
			return nil, fmt.Errorf("tensor %q%v cannot be shown as %v: the element counts differ", m.From, shape, m.Shape)
		}
		return slices.Clone(m.Shape), nil
	}
	return shape, nil
}

func numel(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// Origin returns how the view's tensor name is made from the source.
func (v *View) Origin(name string) (TensorMap, bool) {
	m, ok := v.maps[name]
	return m, ok
}

// Infos lists the view's tensors, sorted by name.
func (v *View) Infos() []weights.Info { return slices.Clone(v.infos) }

// Info describes one tensor of the view.
func (v *View) Info(name string) (weights.Info, bool) {
	i, ok := slices.BinarySearchFunc(v.infos, name, func(info weights.Info, n string) int { return strings.Compare(info.Name, n) })
	if !ok {
		return weights.Info{}, false
	}
	return v.infos[i], true
}

// Bytes returns the tensor's data: a sub-slice of the source's data, or a
// fresh copy for a transposed tensor.
func (v *View) Bytes(name string) ([]byte, error) {
	m, ok := v.maps[name]
	if !ok {
		return nil, fmt.Errorf("no tensor named %q", name)
	}
	raw, err := v.src.Bytes(m.From)
	if err != nil {
		return nil, err
	}
	info, _ := v.src.Info(m.From)
	if int64(len(raw)) != info.ByteSize() {
		return nil, fmt.Errorf("tensor %q: the source gave %d bytes for %s", m.From, len(raw), info)
	}
	switch {
	case m.Transpose:
		return transpose2D(raw, info.Shape[0], info.Shape[1], info.DType.Size()), nil
	case m.Hi != 0:
		row := len(raw) / info.Shape[0]
		return raw[m.Lo*row : m.Hi*row], nil
	}
	return raw, nil
}

// transpose2D returns the row-major data of the transpose of a rows×cols
// matrix of elements of size bytes.
func transpose2D(raw []byte, rows, cols, size int) []byte {
	out := make([]byte, len(raw))
	for r := range rows {
		for c := range cols {
			src := (r*cols + c) * size
			dst := (c*rows + r) * size
			copy(out[dst:dst+size], raw[src:src+size])
		}
	}
	return out
}

// Metadata is the source's metadata.
func (v *View) Metadata() map[string]string { return v.src.Metadata() }

// Close does nothing: the view does not own its source.
func (v *View) Close() error { return nil }
