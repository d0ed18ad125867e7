package adapter

import (
	"fmt"
	"slices"

	"github.com/gomlx/compute/dtypes/bfloat16"
	"github.com/gomlx/compute/dtypes/float16"
	"github.com/gomlx/gomlx/core/tensors"
)

// float32s copies a float tensor (float32, float64, float16, bfloat16: the
// compute dtypes an encoder may return) to float32 host values.
func float32s(t *tensors.Tensor) ([]float32, error) {
	var out []float32
	err := t.ConstFlatData(func(flat any) {
		switch f := flat.(type) {
		case []float32:
			out = slices.Clone(f)
		case []float64:
			out = convert(f, func(x float64) float32 { return float32(x) })
		case []float16.Float16:
			out = convert(f, func(x float16.Float16) float32 { return x.Float32() })
		case []bfloat16.BFloat16:
			out = convert(f, func(x bfloat16.BFloat16) float32 { return x.Float32() })
		}
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		return nil, fmt.Errorf("tensor of dtype %s is not a float tensor", t.DType())
	}
	return out, nil
}

func convert[T any](in []T, f func(T) float32) []float32 {
	out := make([]float32, len(in))
	for i, x := range in {
		out[i] = f(x)
	}
	return out
}
