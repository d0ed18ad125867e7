package adapter

import (
	"fmt"
	"slices"
	"strings"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// renamedView is a weights.Source that shows tensors of another source
// under new names, some of them as a range of rows (the halves of a
// Resampler's to_kv). It reads nothing until Bytes is called, so mapping a
// file costs no copies; Bytes of a row range is a sub-slice of the
// underlying (memory-mapped) data, which works because tensors are
// row-major.
type renamedView struct {
	src   weights.Source
	infos []weights.Info
	maps  map[string]tensorMap
}

// newRenamedView checks that every mapped tensor exists and that row
// ranges fit, and builds the view. Names must be unique.
func newRenamedView(src weights.Source, maps []tensorMap) (*renamedView, error) {
	v := &renamedView{src: src, maps: make(map[string]tensorMap, len(maps))}
	for _, m := range maps {
		if _, dup := v.maps[m.Name]; dup {
			return nil, fmt.Errorf("two tensors map to %q", m.Name)
		}
		info, ok := src.Info(m.From)
		if !ok {
			return nil, fmt.Errorf("tensor %q is missing", m.From)
		}
		if m.Hi != 0 {
			if len(info.Shape) == 0 || m.Lo < 0 || m.Hi > info.Shape[0] || m.Lo >= m.Hi {
				return nil, fmt.Errorf("tensor %q%v has no rows %d…%d", m.From, info.Shape, m.Lo, m.Hi-1)
			}
			info.Shape = slices.Clone(info.Shape)
			info.Shape[0] = m.Hi - m.Lo
		}
		info.Name = m.Name
		v.maps[m.Name] = m
		v.infos = append(v.infos, info)
	}
	slices.SortFunc(v.infos, func(a, b weights.Info) int { return strings.Compare(a.Name, b.Name) })
	return v, nil
}

func (v *renamedView) Infos() []weights.Info { return slices.Clone(v.infos) }

func (v *renamedView) Info(name string) (weights.Info, bool) {
	i, ok := slices.BinarySearchFunc(v.infos, name, func(info weights.Info, n string) int { return strings.Compare(info.Name, n) })
	if !ok {
		return weights.Info{}, false
	}
	return v.infos[i], true
}

func (v *renamedView) Bytes(name string) ([]byte, error) {
	m, ok := v.maps[name]
	if !ok {
		return nil, fmt.Errorf("no tensor named %q", name)
	}
	raw, err := v.src.Bytes(m.From)
	if err != nil || m.Hi == 0 {
		return raw, err
	}
	info, _ := v.src.Info(m.From)
	row := len(raw) / info.Shape[0]
	return raw[m.Lo*row : m.Hi*row], nil
}

func (v *renamedView) Metadata() map[string]string { return v.src.Metadata() }

// Close does nothing: the view does not own its source.
func (v *renamedView) Close() error { return nil }
