package clip

import (
	"fmt"
	"sync"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
)

// execCache holds one compiled graph per output selection of a model (and,
// inside each nn.Exec, one per input shape), over one set of weights.
type execCache struct {
	name    string
	backend compute.Backend
	store   *model.Store
	opts    nn.Options

	mu    sync.Mutex
	execs map[string]*nn.Exec
}

func newExecCache(name string, backend compute.Backend, store *model.Store, opts nn.Options) *execCache {
	return &execCache{name: name, backend: backend, store: store, opts: opts, execs: map[string]*nn.Exec{}}
}

// call runs the graph for the selection key (building it with build the
// first time) and returns its outputs as host tensors.
func (ec *execCache) call(key string, build nn.BuildFn, inputs ...any) ([]*tensors.Tensor, error) {
	ec.mu.Lock()
	e, ok := ec.execs[key]
	if !ok {
		var err error
		if e, err = nn.NewExec(ec.name, ec.backend, ec.store, ec.opts, build); err != nil {
			ec.mu.Unlock()
			return nil, err
		}
		ec.execs[key] = e
	}
	ec.mu.Unlock()
	outs, err := e.Call(inputs...)
	if err != nil {
		return nil, err
	}
	for i, t := range outs {
		if err := t.ToLocal(); err != nil {
			return nil, fmt.Errorf("%s: copying output %d to the host: %w", ec.name, i, err)
		}
	}
	return outs, nil
}

// compilations sums the graphs built so far (for tests of the caching).
func (ec *execCache) compilations() int {
	ec.mu.Lock()
	defer ec.mu.Unlock()
	n := 0
	for _, e := range ec.execs {
		n += e.Compilations()
	}
	return n
}

// close frees the compiled graphs.
func (ec *execCache) close() {
	ec.mu.Lock()
	defer ec.mu.Unlock()
	for k, e := range ec.execs {
		e.Finalize()
		delete(ec.execs, k)
	}
}

// optionalOutputs are the outputs after the hidden states, in graph order:
// last_hidden_state, pooled and the projected embeddings (text_embeds or
// image_embeds).
type optionalOutputs[T any] [3]T

// callOutputs is call for the output layout both encoders share: the
// selected hidden states (nHidden of them), then those optional outputs
// whose flag in want is set. build returns every node (nil for the
// unselected optional ones); the results come back split the same way,
// nil where not selected.
func (ec *execCache) callOutputs(key string, nHidden int, want optionalOutputs[bool], input *tensors.Tensor,
	build func(c nn.Ctx, in *graph.Node) ([]*graph.Node, optionalOutputs[*graph.Node])) ([]*tensors.Tensor, optionalOutputs[*tensors.Tensor], error) {
	var got optionalOutputs[*tensors.Tensor]
	outs, err := ec.call(key, func(c nn.Ctx, in []*graph.Node) []*graph.Node {
		hidden, optional := build(c, in[0])
		list := append([]*graph.Node(nil), hidden...)
		for _, v := range optional {
			if v != nil {
				list = append(list, v)
			}
		}
		return list
	}, input)
	if err != nil {
		return nil, got, err
	}
	rest := outs[nHidden:]
	for i, on := range want {
		if on {
			got[i], rest = rest[0], rest[1:]
		}
	}
	return outs[:nHidden], got, nil
}
