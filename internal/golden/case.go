package golden

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"path"
	"path/filepath"
	"strings"
	"sync"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// Path turns a fixture-relative path (as written in resources) into a path
// on disk. Resources never leave the fixture folder; one that does is an
// error in the fixture set.
func (c *Case) Path(rel string) (string, error) {
	clean := path.Clean(rel)
	if path.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") {
		return "", fmt.Errorf("case %s: resource path %q leaves the fixture folder", c.ID, rel)
	}
	return filepath.Join(c.dir, filepath.FromSlash(clean)), nil
}

// Resource decodes resources[key] into v. found is false when the case does
// not have the key.
func (c *Case) Resource(key string, v any) (found bool, err error) {
	raw, ok := c.Resources[key]
	if !ok {
		return false, nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return true, fmt.Errorf("case %s: resources[%q]: %w", c.ID, key, err)
	}
	return true, nil
}

// ResourcePath returns the on-disk path of a resource whose value is one
// path (model, image_encoder, single_file, case_json).
func (c *Case) ResourcePath(key string) (string, error) {
	var rel string
	found, err := c.Resource(key, &rel)
	if err != nil {
		return "", err
	}
	if !found {
		return "", fmt.Errorf("case %s has no resources[%q]", c.ID, key)
	}
	return c.Path(rel)
}

// ResourcePaths returns the on-disk paths of a resource whose value is a
// list of paths (adapters, images).
func (c *Case) ResourcePaths(key string) ([]string, error) {
	var rels []string
	if _, err := c.Resource(key, &rels); err != nil {
		return nil, err
	}
	out := make([]string, len(rels))
	for i, r := range rels {
		p, err := c.Path(r)
		if err != nil {
			return nil, err
		}
		out[i] = p
	}
	return out, nil
}

// Component returns the folder of a model component following the index's
// rule: resources.components[name] if given, else <resources.model>/name.
func (c *Case) Component(name string) (string, error) {
	var comps map[string]string
	if _, err := c.Resource("components", &comps); err != nil {
		return "", err
	}
	if rel, ok := comps[name]; ok {
		return c.Path(rel)
	}
	var model string
	found, err := c.Resource("model", &model)
	if err != nil {
		return "", err
	}
	if !found {
		return "", fmt.Errorf("case %s has neither resources.components[%q] nor resources.model", c.ID, name)
	}
	return c.Path(model + "/" + name)
}

// Param decodes params[key] into v; found is false when absent.
func (c *Case) Param(key string, v any) (found bool, err error) {
	raw, ok := c.Params[key]
	if !ok {
		return false, nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return true, fmt.Errorf("case %s: params[%q]: %w", c.ID, key, err)
	}
	return true, nil
}

// Tensors opens the case's safetensors file (cached per case; the harness
// never closes it, the test process is short-lived).
func (c *Case) Tensors() (weights.Source, error) {
	casesMu.Lock()
	defer casesMu.Unlock()
	if src, ok := caseFiles[c]; ok {
		return src, nil
	}
	p, err := c.Path(c.File)
	if err != nil {
		return nil, err
	}
	src, err := weights.OpenSafetensors(p)
	if err != nil {
		return nil, fmt.Errorf("case %s: %w", c.ID, err)
	}
	caseFiles[c] = src
	return src, nil
}

var (
	casesMu   sync.Mutex
	caseFiles = map[*Case]weights.Source{}
)

// Float32s reads a float tensor of the case file ("in.x", "out.y") as
// float32 values with its shape.
func (c *Case) Float32s(name string) ([]float32, []int, error) {
	src, err := c.Tensors()
	if err != nil {
		return nil, nil, err
	}
	v, info, err := weights.Float32s(src, name)
	if err != nil {
		return nil, nil, fmt.Errorf("case %s: %w", c.ID, err)
	}
	return v, info.Shape, nil
}

// Float64s reads a float tensor of the case file as float64 values.
func (c *Case) Float64s(name string) ([]float64, []int, error) {
	src, err := c.Tensors()
	if err != nil {
		return nil, nil, err
	}
	v, info, err := weights.Float64s(src, name)
	if err != nil {
		return nil, nil, fmt.Errorf("case %s: %w", c.ID, err)
	}
	return v, info.Shape, nil
}

// Int64s reads an integer tensor (I64 or I32) of the case file.
func (c *Case) Int64s(name string) ([]int64, []int, error) {
	src, err := c.Tensors()
	if err != nil {
		return nil, nil, err
	}
	info, ok := src.Info(name)
	if !ok {
		return nil, nil, fmt.Errorf("case %s: no tensor %q", c.ID, name)
	}
	raw, err := src.Bytes(name)
	if err != nil {
		return nil, nil, err
	}
	if info.DType.IsFloat() {
		return nil, nil, fmt.Errorf("case %s: tensor %q is %s, not an integer tensor", c.ID, name, info.DType)
	}
	out := make([]int64, info.NumElements())
	switch info.DType.Size() {
	case 8:
		for i := range out {
			out[i] = int64(binary.LittleEndian.Uint64(raw[8*i:]))
		}
	case 4:
		for i := range out {
			out[i] = int64(int32(binary.LittleEndian.Uint32(raw[4*i:])))
		}
	default:
		return nil, nil, fmt.Errorf("case %s: tensor %q is %s, not I64/I32", c.ID, name, info.DType)
	}
	return out, info.Shape, nil
}
