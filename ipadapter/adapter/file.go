package adapter

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/internal/errtext"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// File is an opened IP-Adapter weight file in the h94/IP-Adapter layout:
// an image_proj group (the image projection network) and an ip_adapter
// group (to_k_ip / to_v_ip of every cross-attention layer). Opening checks
// every tensor's name and shape; no data is read until the weights are
// loaded.
type File struct {
	// Name is the file's base name, used in messages.
	Name string
	// Projection holds the sizes of the image projection, derived from the
	// file's shapes.
	Projection ProjectionConfig
	// Layers describes the ip_adapter group, in key-id order (1, 3, 5, …).
	Layers []IPLayer

	src  weights.Source
	own  bool        // Close closes src
	maps []tensorMap // image_proj: original → diffusers names
}

// IPLayer is one cross-attention layer's key/value projections in a file.
type IPLayer struct {
	ID       int // the original key id: 2·(position in diffusers' attn_processors order of the attn2 layers)+1
	Hidden   int // rows of to_k_ip: the layer's channels (640 or 1280 in SDXL)
	CrossDim int // columns: the width of the image tokens (the UNet's cross_attention_dim)
}

// Open opens an adapter file (.bin or .safetensors; weights.Open tells the
// format from the content) and checks it. Close it when the weights are
// loaded.
func Open(path string) (*File, error) {
	src, err := weights.Open(path)
	if err != nil {
		return nil, fmt.Errorf("IP-Adapter: %w", err)
	}
	f, err := FromSource(filepath.Base(path), src)
	if err != nil {
		src.Close()
		return nil, err
	}
	f.own = true
	return f, nil
}

// FromSource checks a source holding an adapter's tensors (names as in the
// .safetensors files: image_proj.<name>, ip_adapter.<name>). name is used
// in messages. The File does not own src.
func FromSource(name string, src weights.Source) (*File, error) {
	f := &File{Name: name, src: src}
	if err := f.checkGroups(); err != nil {
		return nil, err
	}
	proj := weights.WithPrefix(src, groupImageProj)
	kind, err := detectKind(name, proj.Infos())
	if err != nil {
		return nil, err
	}
	if f.maps, err = projectionKeys(kind, proj.Infos()); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	view, err := newView(proj, f.maps)
	if err != nil {
		return nil, fmt.Errorf("%s: image_proj: %w", name, err)
	}
	if f.Projection, err = deriveProjection(kind, view); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := checkProjection(f.Projection, view); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if f.Layers, err = readIPLayers(weights.WithPrefix(src, groupIPAdapter)); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if cd := f.Layers[0].CrossDim; cd != f.Projection.CrossDim {
		return nil, fmt.Errorf("%s: the image projection makes %d-wide tokens but to_k_ip/to_v_ip take %d-wide ones: the two groups do not belong together", name, f.Projection.CrossDim, cd)
	}
	return f, nil
}

// checkGroups requires both groups and nothing else (the .bin files are
// exactly {"image_proj": …, "ip_adapter": …}).
func (f *File) checkGroups() error {
	var other []string
	found := map[string]bool{}
	for _, n := range weights.Names(f.src) {
		g, _, _ := strings.Cut(n, ".")
		if g == groupImageProj || g == groupIPAdapter {
			found[g] = true
		} else {
			other = append(other, n)
		}
	}
	switch {
	case !found[groupImageProj] && !found[groupIPAdapter]:
		return fmt.Errorf("%s is not an IP-Adapter weight file: required keys are (`image_proj` and `ip_adapter`) missing from the state dict (its tensors are %s)", f.Name, errtext.Abbreviate(other, 4))
	case !found[groupImageProj] || !found[groupIPAdapter]:
		missing := groupImageProj
		if found[groupImageProj] {
			missing = groupIPAdapter
		}
		return fmt.Errorf("%s: the %s group is missing: an IP-Adapter file needs both image_proj and ip_adapter (a truncated or partial export?)", f.Name, missing)
	case len(other) > 0:
		return fmt.Errorf("%s has tensors outside the image_proj and ip_adapter groups, which no IP-Adapter has: %s", f.Name, errtext.Abbreviate(other, 6))
	}
	return nil
}

// checkProjection compares the projection's tensors with the parameters of
// the network its config builds: every tensor used, every shape as
// derived. A file that fails here is damaged or of a layout diffusers would
// refuse too (load_state_dict(strict=True)).
func checkProjection(cfg ProjectionConfig, view weights.Source) error {
	r := nn.NewRegistry()
	if _, err := NewProjection(cfg, r); err != nil {
		return err
	}
	unused, err := nn.CheckSpecs(r.Specs(), view)
	if err != nil {
		return fmt.Errorf("image_proj does not fit a %s projection: %w", cfg.Kind, err)
	}
	if len(unused) > 0 {
		return fmt.Errorf("image_proj has tensors a %s projection does not use: %s", cfg.Kind, errtext.Abbreviate(unused, 6))
	}
	return nil
}

// readIPLayers reads the ip_adapter group: to_k_ip and to_v_ip for key ids
// 1, 3, …, 2n−1, two-dimensional, equal shapes, one token width.
func readIPLayers(src weights.Source) ([]IPLayer, error) {
	byID := map[int]map[string][]int{}
	var unknown []string
	for _, info := range src.Infos() {
		id, proj, ok := parseIPKey(info.Name)
		if !ok {
			unknown = append(unknown, info.Name)
			continue
		}
		if byID[id] == nil {
			byID[id] = map[string][]int{}
		}
		byID[id][proj] = info.Shape
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("ip_adapter has keys that are not <id>.to_k_ip.weight / <id>.to_v_ip.weight: %s "+
			"(LoRA weights mean a FaceID adapter, which is not supported)", errtext.Abbreviate(unknown, 6))
	}
	layers := make([]IPLayer, len(byID))
	for id, projs := range byID {
		i, odd := layerOfKeyID(id)
		if !odd || i >= len(layers) {
			ids := slices.Sorted(maps.Keys(byID))
			return nil, fmt.Errorf("ip_adapter key ids are %v, want 1, 3, 5, …, %d (one odd id per cross-attention layer)", ids, keyID(len(layers)-1))
		}
		k, v := projs[toKIP], projs[toVIP]
		switch {
		case k == nil || v == nil:
			return nil, fmt.Errorf("ip_adapter layer %d has only one of to_k_ip and to_v_ip", id)
		case len(k) != 2 || !slices.Equal(k, v):
			return nil, fmt.Errorf("ip_adapter layer %d: to_k_ip is %v and to_v_ip %v, want two equal [hidden, cross_attention_dim] matrices", id, k, v)
		}
		layers[i] = IPLayer{ID: id, Hidden: k[0], CrossDim: k[1]}
	}
	if len(layers) == 0 {
		return nil, fmt.Errorf("the ip_adapter group is empty")
	}
	for _, l := range layers {
		if l.CrossDim != layers[0].CrossDim {
			return nil, fmt.Errorf("ip_adapter layers %d and %d take tokens of widths %d and %d", layers[0].ID, l.ID, layers[0].CrossDim, l.CrossDim)
		}
	}
	return layers, nil
}

// Kind is the adapter's projection type.
func (f *File) Kind() Kind { return f.Projection.Kind }

// Close closes the file if Open opened it.
func (f *File) Close() error {
	if f.own {
		return f.src.Close()
	}
	return nil
}

// ProjectionSource is the image_proj group under diffusers' names, each
// prefixed with prefix + "." when prefix is not empty (the names
// NewProjection registers under nn.Registry.In(prefix)).
func (f *File) ProjectionSource(prefix string) (weights.Source, error) {
	renamed := slices.Clone(f.maps)
	if prefix != "" {
		for i := range renamed {
			renamed[i].Name = prefix + "." + renamed[i].Name
		}
	}
	v, err := newView(weights.WithPrefix(f.src, groupImageProj), renamed)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Name, err)
	}
	return v, nil
}
