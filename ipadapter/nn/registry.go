package nn

import (
	"fmt"
	"slices"
	"strings"
)

// Spec is one parameter of a model: its checkpoint name and shape.
type Spec struct {
	Name  string
	Shape []int
}

// NumElements is the product of the shape's dimensions.
func (s Spec) NumElements() int {
	n := 1
	for _, d := range s.Shape {
		n *= d
	}
	return n
}

func (s Spec) String() string { return fmt.Sprintf("%s%v", s.Name, s.Shape) }

// Registry collects the parameters of a model while it is constructed.
// Sub-registries made with In share the list and add a name prefix.
type Registry struct {
	prefix string
	specs  *[]Spec
	index  map[string]int
}

// NewRegistry starts an empty model description.
func NewRegistry() *Registry {
	return &Registry{specs: new([]Spec), index: map[string]int{}}
}

// In returns a registry whose names are prefixed with name + ".".
// Several parts join with dots: In("down_blocks", "0") = "down_blocks.0.".
func (r *Registry) In(parts ...string) *Registry {
	sub := *r
	for _, p := range parts {
		sub.prefix += p + "."
	}
	return &sub
}

// Inf is In with a formatted name: r.Inf("resnets.%d", i).
func (r *Registry) Inf(format string, args ...any) *Registry {
	return r.In(fmt.Sprintf(format, args...))
}

// Prefix is the registry's name prefix (ending with "." unless empty).
func (r *Registry) Prefix() string { return r.prefix }

// Name returns the full name of a parameter of this registry.
func (r *Registry) Name(name string) string { return r.prefix + name }

// Add registers a parameter and returns its full name. Registering the same
// name twice with the same shape is allowed (shared weights); with another
// shape it is a construction bug, reported by Validate.
func (r *Registry) Add(name string, shape ...int) string {
	full := r.prefix + name
	if i, ok := r.index[full]; ok {
		if !slices.Equal((*r.specs)[i].Shape, shape) {
			*r.specs = append(*r.specs, Spec{Name: full, Shape: slices.Clone(shape)}) // kept so Validate reports it
		}
		return full
	}
	r.index[full] = len(*r.specs)
	*r.specs = append(*r.specs, Spec{Name: full, Shape: slices.Clone(shape)})
	return full
}

// Specs returns the registered parameters in construction order.
func (r *Registry) Specs() []Spec { return slices.Clone(*r.specs) }

// Validate reports construction errors: a name registered with two shapes,
// or a non-positive dimension.
func (r *Registry) Validate() error {
	seen := map[string][]int{}
	var errs []string
	for _, s := range *r.specs {
		if prev, ok := seen[s.Name]; ok && !slices.Equal(prev, s.Shape) {
			errs = append(errs, fmt.Sprintf("%s registered as %v and %v", s.Name, prev, s.Shape))
		}
		seen[s.Name] = s.Shape
		for _, d := range s.Shape {
			if d <= 0 {
				errs = append(errs, fmt.Sprintf("%s has shape %v", s.Name, s.Shape))
				break
			}
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("invalid model description: %s", strings.Join(errs, "; "))
	}
	return nil
}

// NumParameters sums the elements of all parameters.
func NumParameters(specs []Spec) int64 {
	var n int64
	for _, s := range specs {
		n += int64(s.NumElements())
	}
	return n
}
