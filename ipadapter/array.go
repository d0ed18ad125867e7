package ipadapter

import (
	"fmt"
	"slices"

	"github.com/gomlx/gomlx/core/tensors"
)

// Array is a float32 host array in row-major order: latents [B, 4, h, w]
// or decoded images [B, H, W, 3], like the NumPy arrays diffusers returns.
type Array struct {
	Shape []int
	Data  []float32
}

// newArray wraps data with a shape (not copied).
func newArray(data []float32, shape ...int) *Array {
	return &Array{Shape: slices.Clone(shape), Data: data}
}

// Tensor returns the array as a host tensor (copied), e.g. for
// adapter.EmbedsFromTensor.
func (a *Array) Tensor() (*tensors.Tensor, error) {
	n := 1
	for _, d := range a.Shape {
		if d < 0 {
			return nil, fmt.Errorf("array shape %v has a negative dimension", a.Shape)
		}
		n *= d
	}
	if n != len(a.Data) {
		return nil, fmt.Errorf("array shape %v needs %d values, it has %d", a.Shape, n, len(a.Data))
	}
	return tensorOf(a.Data, a.Shape...), nil
}

// tensorOf copies float32 data into a host tensor of the given dimensions
// (which the callers build from the data's own size).
func tensorOf(data []float32, dims ...int) *tensors.Tensor {
	return tensors.FromFlatDataAndDimensions(data, dims...)
}
