package clip

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// WeightsFile is the checkpoint file a model folder holds.
const WeightsFile = "model.safetensors"

// openWeights opens dir/model.safetensors with a hint when only a variant
// file (model.fp16.safetensors) is there.
func openWeights(dir string) (weights.Source, error) {
	p := filepath.Join(dir, WeightsFile)
	src, err := weights.OpenSafetensors(p)
	if err == nil {
		return src, nil
	}
	if errors.Is(err, fs.ErrNotExist) {
		if matches, _ := filepath.Glob(filepath.Join(dir, "model.*.safetensors")); len(matches) > 0 {
			return nil, fmt.Errorf("%s not found (the folder has %s: open it with weights.OpenSafetensors and use NewTextEncoder/NewVisionEncoder)", p, filepath.Base(matches[0]))
		}
	}
	return nil, err // the error names the file
}

// loadFolder is what LoadTextEncoder and LoadVisionEncoder share: the
// folder's config, the model it describes, then the model.safetensors
// weights through newEncoder (which copies them, so the file is closed on
// return).
func loadFolder[C, M, E any](dir string, readConfig func(string) (C, error), newModel func(C) (M, error),
	newEncoder func(M, weights.Source) (E, error)) (E, error) {
	var none E
	cfg, err := readConfig(dir)
	if err != nil {
		return none, err
	}
	m, err := newModel(cfg)
	if err != nil {
		return none, fmt.Errorf("%s: %w", dir, err)
	}
	src, err := openWeights(dir)
	if err != nil {
		return none, err
	}
	defer src.Close()
	e, err := newEncoder(m, src)
	if err != nil {
		return none, fmt.Errorf("%s: %w", dir, err)
	}
	return e, nil
}

// isIgnorableBuffer reports checkpoint tensors a model may leave unused:
// position_ids, an index buffer older transformers versions saved next to
// the position embeddings (0…n-1, which the graph builds itself).
func isIgnorableBuffer(name string) bool {
	return strings.HasSuffix(name, "embeddings.position_ids")
}

// loadStore checks src against the model's specs and loads it in the
// compute dtype. Tensors the model does not use are an error (a checkpoint
// of another model), except ignorable buffers. A checkpoint saved without
// the sub-model prefix ("embeddings.…" instead of "text_model.embeddings.…",
// as recent transformers versions name CLIPTextModel's state) is accepted.
func loadStore(what string, specs []nn.Spec, prefix string, src weights.Source, backend compute.Backend, dtype dtypes.DType) (*model.Store, error) {
	src = withPrefix(src, prefix)
	store, unused, err := nn.Load(specs, src, backend, dtype)
	if err != nil {
		return nil, fmt.Errorf("loading the %s weights: %w", what, err)
	}
	unused = slices.DeleteFunc(unused, isIgnorableBuffer)
	if len(unused) > 0 {
		return nil, fmt.Errorf("loading the %s weights: the checkpoint has %d tensors this model does not use (%s): is config.json from the same model?",
			what, len(unused), strings.Join(unused[:min(len(unused), 5)], ", "))
	}
	return store, nil
}

// withPrefix returns src unchanged when any of its names starts with
// prefix; otherwise a view where every name that is not already a
// top-level name of the model (the projections) gains the prefix.
func withPrefix(src weights.Source, prefix string) weights.Source {
	for _, info := range src.Infos() {
		if strings.HasPrefix(info.Name, prefix) {
			return src
		}
	}
	a := &prefixedSource{Source: src, toFile: map[string]string{}}
	for _, info := range src.Infos() {
		name := info.Name
		if !strings.HasSuffix(name, "_projection.weight") {
			name = prefix + name
		}
		a.toFile[name] = info.Name
		info.Name = name
		a.infos = append(a.infos, info)
	}
	slices.SortFunc(a.infos, func(x, y weights.Info) int { return strings.Compare(x.Name, y.Name) })
	return a
}

// prefixedSource renames the tensors of a Source.
type prefixedSource struct {
	weights.Source
	toFile map[string]string
	infos  []weights.Info
}

func (s *prefixedSource) Infos() []weights.Info { return slices.Clone(s.infos) }

func (s *prefixedSource) Info(name string) (weights.Info, bool) {
	f, ok := s.toFile[name]
	if !ok {
		return weights.Info{}, false
	}
	info, ok := s.Source.Info(f)
	info.Name = name
	return info, ok
}

func (s *prefixedSource) Bytes(name string) ([]byte, error) {
	f, ok := s.toFile[name]
	if !ok {
		return nil, fmt.Errorf("no tensor named %q", name)
	}
	return s.Source.Bytes(f)
}

// resolveOptions fills in the zero Options with the backend's defaults.
func resolveOptions(backend compute.Backend, opts nn.Options) nn.Options {
	if opts == (nn.Options{}) {
		return nn.DefaultOptions(backend)
	}
	if opts.DType == dtypes.InvalidDType {
		opts.DType = dtypes.Float32
	}
	return opts
}
