// Package hostfloat copies host tensors to float32 values whatever dtype
// they hold: model outputs come back in the compute dtype (float16 or
// bfloat16 on GPUs), and a scheduler's timesteps may be integers.
package hostfloat

import (
	"fmt"
	"slices"

	"github.com/gomlx/compute/dtypes/bfloat16"
	"github.com/gomlx/compute/dtypes/float16"
	"github.com/gomlx/gomlx/core/tensors"
)

// Float32s copies t's values to float32: float32, float64, float16,
// bfloat16, int64 and int32 tensors. ok is false for any other dtype.
func Float32s(t *tensors.Tensor) (values []float32, ok bool, err error) {
	err = t.ConstFlatData(func(flat any) {
		ok = true
		switch f := flat.(type) {
		case []float32:
			values = slices.Clone(f)
		case []float64:
			values = convert(f, func(x float64) float32 { return float32(x) })
		case []int64:
			values = convert(f, func(x int64) float32 { return float32(x) })
		case []int32:
			values = convert(f, func(x int32) float32 { return float32(x) })
		case []float16.Float16:
			values = convert(f, func(x float16.Float16) float32 { return x.Float32() })
		case []bfloat16.BFloat16:
			values = convert(f, func(x bfloat16.BFloat16) float32 { return x.Float32() })
		default:
			ok = false
		}
	})
	if err != nil {
		return nil, false, err
	}
	return values, ok, nil
}

// Floats is Float32s for float tensors only: any other dtype is an error.
func Floats(t *tensors.Tensor) ([]float32, error) {
	if t.DType().IsFloat() {
		values, ok, err := Float32s(t)
		if err != nil || ok {
			return values, err
		}
	}
	return nil, fmt.Errorf("tensor of dtype %s is not a float tensor", t.DType())
}

func convert[T any](in []T, f func(T) float32) []float32 {
	out := make([]float32, len(in))
	for i, x := range in {
		out[i] = f(x)
	}
	return out
}
