package nn

import (
	"github.com/gomlx/gomlx/core/graph"
)

// Embedding is torch.nn.Embedding: a [num, dim] table indexed by integer ids.
type Embedding struct {
	Name     string
	Num, Dim int
}

// Embedding registers an embedding table "<name>.weight".
func (r *Registry) Embedding(name string, num, dim int) Embedding {
	r.Add(name+".weight", num, dim)
	return Embedding{Name: r.Name(name), Num: num, Dim: dim}
}

// Apply looks up ids [...] (integers) and returns [..., dim].
func (e Embedding) Apply(c Ctx, ids *graph.Node) *graph.Node {
	return graph.Gather(c.W(e.Name+".weight"), graph.InsertAxes(ids, -1))
}

// Param is a bare parameter tensor (class embeddings, learned latents).
type Param struct {
	Name  string
	Shape []int
}

// Param registers a bare parameter under its full name.
func (r *Registry) Param(name string, shape ...int) Param {
	r.Add(name, shape...)
	return Param{Name: r.Name(name), Shape: shape}
}

// Value returns the parameter as a node in the compute dtype.
func (p Param) Value(c Ctx) *graph.Node { return c.W(p.Name) }
