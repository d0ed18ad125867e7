package nn

import (
	"fmt"
	"slices"
	"strings"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/internal/errtext"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// CheckSpecs compares a checkpoint's tensors with a model's parameters,
// without reading any data. It returns the names the checkpoint has that the
// model does not use (the caller decides whether those are an error), and an
// error listing missing tensors and shape mismatches.
func CheckSpecs(specs []Spec, src weights.Source) (unused []string, err error) {
	want := make(map[string]bool, len(specs))
	var missing, mismatched []string
	for _, s := range specs {
		want[s.Name] = true
		info, ok := src.Info(s.Name)
		if !ok {
			missing = append(missing, s.Name)
			continue
		}
		if !slices.Equal(info.Shape, s.Shape) {
			mismatched = append(mismatched, fmt.Sprintf("%s: checkpoint has %v, model needs %v", s.Name, info.Shape, s.Shape))
		}
		if !info.DType.IsFloat() {
			mismatched = append(mismatched, fmt.Sprintf("%s: checkpoint has dtype %s, a float is needed", s.Name, info.DType))
		}
	}
	for _, info := range src.Infos() {
		if !want[info.Name] {
			unused = append(unused, info.Name)
		}
	}
	var parts []string
	if len(missing) > 0 {
		parts = append(parts, fmt.Sprintf("%d tensors missing (%s)", len(missing), errtext.Abbreviate(missing, 5)))
	}
	if len(mismatched) > 0 {
		parts = append(parts, fmt.Sprintf("%d shapes differ (%s)", len(mismatched), errtext.Abbreviate(mismatched, 5)))
	}
	if len(parts) > 0 {
		return unused, fmt.Errorf("checkpoint does not match the model's config: %s", strings.Join(parts, "; "))
	}
	return unused, nil
}

// Load checks src against specs and puts every parameter on the backend in
// a new Store, converted to dtype (dtypes.InvalidDType keeps each tensor's
// checkpoint dtype). Data goes from the (memory-mapped) file to the
// backend's buffer, one tensor at a time. Unused checkpoint tensors are
// returned for the caller to judge.
func Load(specs []Spec, src weights.Source, backend compute.Backend, dtype dtypes.DType) (store *model.Store, unused []string, err error) {
	if unused, err = CheckSpecs(specs, src); err != nil {
		return nil, unused, err
	}
	store = model.NewStore()
	if err := AddToStore(store, specs, src, backend, dtype); err != nil {
		return nil, unused, err
	}
	return store, unused, nil
}

// AddToStore loads the specs' tensors from src into an existing store (an
// adapter's weights next to the UNet's). A name already in the store is
// skipped (a weight registered twice, shared): to replace weights, delete
// them first.
func AddToStore(store *model.Store, specs []Spec, src weights.Source, backend compute.Backend, dtype dtypes.DType) error {
	for _, s := range specs {
		if store.GetVariable("/"+s.Name) != nil {
			continue // shared weight registered twice
		}
		t, err := weights.Tensor(src, s.Name, backend, dtype)
		if err != nil {
			return fmt.Errorf("loading %s: %w", s.Name, err)
		}
		if _, err := store.CreateVariable("/"+s.Name, t); err != nil {
			return fmt.Errorf("loading %s: %w", s.Name, err)
		}
	}
	return nil
}
