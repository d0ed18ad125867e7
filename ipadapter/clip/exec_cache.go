package clip

import (
	"fmt"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"
)

// execCache is an nn.ExecCache with one compiled graph per output
// selection of a model (and, inside each nn.Exec, one per input shape),
// whose calls return host tensors.
type execCache struct {
	*nn.ExecCache
	name string
}

func newExecCache(name string, backend compute.Backend, store *model.Store, opts nn.Options) *execCache {
	return &execCache{ExecCache: nn.NewExecCache(name, backend, store, opts), name: name}
}

// call runs the graph for the selection key (building it with build the
// first time) and returns its outputs as host tensors.
func (ec *execCache) call(key string, build nn.BuildFn, inputs ...any) ([]*tensors.Tensor, error) {
	e, err := ec.Get(key, func() nn.BuildFn { return build })
	if err != nil {
		return nil, err
	}
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
