package nn

import (
	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/support/exceptions"
)

// Options are the graph-building choices that depend on the backend, not
// on the model.
type Options struct {
	// DType is the compute dtype (Float32 on CPU; Float16/BFloat16 on GPU).
	// Weights stored in another dtype are converted in the graph.
	DType dtypes.DType
	// Im2Col computes convolutions as matrix products of the weights with
	// the k·k shifted views of the input (one product over stacked patches,
	// or a sum of per-tap products on large feature maps; see
	// Conv2d.im2col) instead of the backend's convolution: several times
	// faster on the pure-Go backend; on CUDA, with TF32 off for matrix
	// products, it keeps full float32 precision where the backend's
	// float32 convolutions run in TF32 (see package vae).
	Im2Col bool
	// FusedAttention lets attention use the backend's fused kernel (cuDNN
	// flash attention on CUDA) when nothing needs the attention weights.
	FusedAttention bool
}

// DefaultOptions picks the choices that are fastest and exact enough on a
// backend: float32 everywhere; im2col on the pure-Go backend.
func DefaultOptions(backend compute.Backend) Options {
	o := Options{DType: dtypes.Float32}
	// The pure-Go backend's Name() is a display name ("Go Backend"); String() is "go".
	if backend != nil && backend.String() == "go" {
		o.Im2Col = true
	}
	return o
}

// Ctx is what a layer's Apply method builds its graph with: the graph, the
// loaded weights and the Options. It is passed by value; it is cheap.
type Ctx struct {
	g      *graph.Graph
	store  *model.Store
	opts   Options
	cache  map[string]*graph.Node
	record *Recorder
}

// NewCtx makes a Ctx for graph g over the weights in store.
func NewCtx(g *graph.Graph, store *model.Store, opts Options) Ctx {
	if opts.DType == dtypes.InvalidDType {
		opts.DType = dtypes.Float32
	}
	return Ctx{g: g, store: store, opts: opts, cache: map[string]*graph.Node{}}
}

// Graph is the graph being built.
func (c Ctx) Graph() *graph.Graph { return c.g }

// DType is the compute dtype.
func (c Ctx) DType() dtypes.DType { return c.opts.DType }

// Options returns the graph-building options.
func (c Ctx) Options() Options { return c.opts }

// WithRecorder returns a Ctx whose layers report intermediate values (for
// attention maps and debugging) to r.
func (c Ctx) WithRecorder(r *Recorder) Ctx { c.record = r; return c }

// Recorder returns the recorder set with WithRecorder, or nil.
func (c Ctx) Recorder() *Recorder { return c.record }

// W returns the weight with the full checkpoint name, in the compute dtype.
// A missing weight is a bug in the model code (loading already checked the
// checkpoint against the model's Specs), reported as a graph-building error.
func (c Ctx) W(name string) *graph.Node {
	if n, ok := c.cache[name]; ok {
		return n
	}
	v := c.store.GetVariable("/" + name)
	if v == nil {
		exceptions.Panicf("weight %q is not loaded", name)
	}
	n := v.NodeValue(c.g)
	if n.DType() != c.opts.DType && n.DType().IsFloat() {
		n = graph.ConvertDType(n, c.opts.DType)
	}
	c.cache[name] = n
	return n
}

// Has reports whether a weight is loaded (optional parts of a model).
func (c Ctx) Has(name string) bool { return c.store.GetVariable("/"+name) != nil }

// Scalar returns a constant in the compute dtype.
func (c Ctx) Scalar(v float64) *graph.Node { return graph.Scalar(c.g, c.opts.DType, v) }
