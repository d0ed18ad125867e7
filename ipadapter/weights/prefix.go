package weights

import (
	"fmt"
	"slices"
	"strings"
)

// prefixView is the part of a Source under one name prefix.
type prefixView struct {
	src    Source
	prefix string
	infos  []Info
}

// WithPrefix returns the tensors of src whose names start with prefix, with
// the prefix removed: the UNet of a single-file checkpoint is
// WithPrefix(src, "model.diffusion_model"), the image projection of an
// IP-Adapter file WithPrefix(src, "image_proj"). A dot is added to a
// non-empty prefix that lacks one, so "image_proj" never matches
// "image_projection.x".
//
// The view does not own src: its Close does nothing, so several views can
// share one open file; close src itself when done.
func WithPrefix(src Source, prefix string) Source {
	if prefix != "" && !strings.HasSuffix(prefix, ".") {
		prefix += "."
	}
	v := &prefixView{src: src, prefix: prefix}
	for _, info := range src.Infos() {
		if rest, ok := strings.CutPrefix(info.Name, prefix); ok && rest != "" {
			info.Name = rest
			v.infos = append(v.infos, info)
		}
	}
	sortInfos(v.infos)
	return v
}

func (v *prefixView) Infos() []Info { return slices.Clone(v.infos) }

func (v *prefixView) Info(name string) (Info, bool) {
	if name == "" {
		return Info{}, false
	}
	info, ok := v.src.Info(v.prefix + name)
	if !ok {
		return Info{}, false
	}
	info.Name = name
	return info, true
}

func (v *prefixView) Bytes(name string) ([]byte, error) {
	if name == "" {
		return nil, fmt.Errorf("no tensor named %q under prefix %q", name, v.prefix)
	}
	return v.src.Bytes(v.prefix + name)
}

func (v *prefixView) Metadata() map[string]string { return v.src.Metadata() }

// Close does nothing: the view does not own its source.
func (v *prefixView) Close() error { return nil }
