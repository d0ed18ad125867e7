package nn

import (
	"fmt"
	"sync/atomic"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/support/exceptions"
)

// BuildFn builds a model's graph: inputs in, outputs out.
type BuildFn func(c Ctx, inputs []*graph.Node) []*graph.Node

// Exec is a model graph compiled once per combination of input shapes and
// then called with new input values. Scales, masks, timesteps and other
// per-request values are inputs, so changing them never recompiles;
// Compilations counts how often a graph was built, for tests that check it.
type Exec struct {
	name     string
	exec     *model.Exec
	compiles atomic.Int64
}

// NewExec prepares (but does not yet compile) a graph over the weights in
// store.
func NewExec(name string, backend compute.Backend, store *model.Store, opts Options, build BuildFn) (*Exec, error) {
	e := &Exec{name: name}
	fn := func(scope *model.Scope, inputs []*graph.Node) []*graph.Node {
		e.compiles.Add(1)
		return build(NewCtx(inputs[0].Graph(), scope.Store(), opts), inputs)
	}
	me, err := model.NewExec(backend, store, fn)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	e.exec = me.WithName(name)
	return e, nil
}

// Call runs the graph (compiling it first for new input shapes). Inputs are
// *tensors.Tensor or Go values (slices, scalars). Graph-building failures
// come back as errors, never as panics.
func (e *Exec) Call(inputs ...any) ([]*tensors.Tensor, error) {
	var outputs []*tensors.Tensor
	if err := e.try(func() (err error) { outputs, err = e.exec.Call(inputs...); return err }); err != nil {
		return nil, err
	}
	return outputs, nil
}

// try runs f and returns its error, or the panic of a failed graph
// building, as an error naming the graph.
func (e *Exec) try(f func() error) (err error) {
	if caught := exceptions.Try(func() { err = f() }); caught != nil {
		return fmt.Errorf("%s: %v", e.name, caught)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", e.name, err)
	}
	return nil
}

// Compilations is the number of graphs built so far.
func (e *Exec) Compilations() int { return int(e.compiles.Load()) }

// Finalize frees the compiled graphs.
func (e *Exec) Finalize() { e.exec.Finalize() }
