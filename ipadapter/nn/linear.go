package nn

import (
	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/graph"
	gnn "github.com/gomlx/gomlx/ml/nn"
)

// Linear is torch.nn.Linear: y = x·Wᵀ + b with W of shape [out, in].
type Linear struct {
	Name    string // prefix of "<name>.weight" and "<name>.bias"
	In, Out int
	Bias    bool
}

// Linear registers a linear layer.
func (r *Registry) Linear(name string, in, out int, bias bool) Linear {
	l := Linear{Name: r.Name(name), In: in, Out: out, Bias: bias}
	r.Add(name+".weight", out, in)
	if bias {
		r.Add(name+".bias", out)
	}
	return l
}

// Apply maps x [..., In] to [..., Out].
func (l Linear) Apply(c Ctx, x *graph.Node) *graph.Node {
	var b *graph.Node
	if l.Bias {
		b = c.W(l.Name + ".bias")
	}
	return gnn.Dense(x, c.W(l.Name+".weight"), b, compute.DenseLayoutOutputsInput)
}
