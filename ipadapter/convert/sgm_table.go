package convert

import (
	"fmt"
	"strings"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// outcome is what a mapping makes of one checkpoint tensor.
type outcome int

const (
	unknown outcome = iota // no rule knows the name: reported, not loaded
	mapped                 // shown under a diffusers name
	ignored                // a known non-parameter (a buffer, an unused scalar): left out on purpose
)

// prefixRule maps the tensors under one SGM module prefix to a diffusers
// module prefix.
type prefixRule struct {
	to string
	// modules renames the module path between the prefix and the parameter
	// name ("in_layers.0" → "norm1"; "" is the prefix module itself). The
	// rest of the name must then be <module>.weight or <module>.bias for a
	// listed module. With modules nil the rest of the name is kept as it is
	// (transformer blocks, whose inner names diffusers shares with SGM).
	modules map[string]string
	// squeeze lists source modules whose 4-D [out, in, 1, 1] weight (a 1×1
	// convolution) is shown as the [out, in] weight of a Linear.
	squeeze map[string]bool
}

// prefixTable holds the rules of one component, by SGM prefix (without the
// component's own prefix, without a trailing dot).
type prefixTable map[string]prefixRule

// leafModule is the modules table of a rule for a single layer: the prefix
// itself holds weight and bias.
var leafModule = map[string]string{"": ""}

// leaf maps one layer's weight and bias.
func (t prefixTable) leaf(from, to string) { t[from] = prefixRule{to: to, modules: leafModule} }

// same maps a module whose inner names are diffusers' already.
func (t prefixTable) same(from, to string) { t[from] = prefixRule{to: to} }

// renamed maps a module whose inner layers are renamed by modules.
func (t prefixTable) renamed(from, to string, modules map[string]string) {
	t[from] = prefixRule{to: to, modules: modules}
}

// lookup finds the rule of the longest prefix of name (whole dotted
// segments, leaving at least one segment) and returns it with the rest.
func (t prefixTable) lookup(name string) (prefixRule, string, bool) {
	for end := strings.LastIndexByte(name, '.'); end > 0; end = strings.LastIndexByte(name[:end], '.') {
		if r, ok := t[name[:end]]; ok {
			return r, name[end+1:], true
		}
	}
	return prefixRule{}, "", false
}

// isParam reports whether s names a layer's parameter.
func isParam(s string) bool { return s == "weight" || s == "bias" }

// mapName maps one tensor (name relative to the component's prefix).
func (t prefixTable) mapName(name string, info weights.Info) ([]TensorMap, outcome, error) {
	r, rest, ok := t.lookup(name)
	if !ok {
		return nil, unknown, nil
	}
	if r.modules == nil {
		return []TensorMap{{Name: r.to + "." + rest, From: name}}, mapped, nil
	}
	module, param := "", rest
	if i := strings.LastIndexByte(rest, '.'); i >= 0 {
		module, param = rest[:i], rest[i+1:]
	}
	newModule, ok := r.modules[module]
	if !ok || !isParam(param) {
		return nil, unknown, nil
	}
	out := TensorMap{Name: joinName(r.to, newModule, param), From: name}
	if r.squeeze[module] && param == "weight" {
		switch s := info.Shape; {
		case len(s) == 4 && s[2] == 1 && s[3] == 1:
			out.Shape = []int{s[0], s[1]}
		case len(s) != 2:
			return nil, unknown, fmt.Errorf("%s has shape %v: want a 1×1 convolution [out, in, 1, 1] (or a Linear [out, in])", name, s)
		}
	}
	return []TensorMap{out}, mapped, nil
}

// joinName joins the non-empty parts with dots.
func joinName(parts ...string) string {
	var kept []string
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, ".")
}
