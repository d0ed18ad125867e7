package nn

import (
	"fmt"
	"math"

	"github.com/gomlx/gomlx/core/graph"
)

// SiLU is x·sigmoid(x) (torch.nn.SiLU, "swish").
func SiLU(x *graph.Node) *graph.Node { return graph.Mul(x, graph.Sigmoid(x)) }

// GELU is the exact, erf-based GELU (torch.nn.functional.gelu's default).
func GELU(x *graph.Node) *graph.Node {
	return graph.Mul(graph.MulScalar(x, 0.5), graph.OnePlus(graph.Erf(graph.MulScalar(x, 1/math.Sqrt2))))
}

// GELUTanh is the tanh approximation (transformers' "gelu_new",
// "gelu_pytorch_tanh").
func GELUTanh(x *graph.Node) *graph.Node {
	inner := graph.MulScalar(graph.Add(x, graph.MulScalar(graph.Mul(graph.Square(x), x), 0.044715)), math.Sqrt(2/math.Pi))
	return graph.Mul(graph.MulScalar(x, 0.5), graph.OnePlus(graph.Tanh(inner)))
}

// QuickGELU is x·sigmoid(1.702·x), OpenAI CLIP's approximation.
func QuickGELU(x *graph.Node) *graph.Node {
	return graph.Mul(x, graph.Sigmoid(graph.MulScalar(x, 1.702)))
}

// Activation returns the activation named as in transformers' ACT2FN.
func Activation(name string) (func(*graph.Node) *graph.Node, error) {
	switch name {
	case "quick_gelu":
		return QuickGELU, nil
	case "gelu":
		return GELU, nil
	case "gelu_new", "gelu_pytorch_tanh":
		return GELUTanh, nil
	case "silu", "swish":
		return SiLU, nil
	}
	return nil, fmt.Errorf("unsupported activation %q (supported: quick_gelu, gelu, gelu_new, gelu_pytorch_tanh, silu)", name)
}
