package hostfloat

import (
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/compute/dtypes/bfloat16"
	"github.com/gomlx/compute/dtypes/float16"
	"github.com/gomlx/gomlx/core/tensors"
)

func TestFloat32s(t *testing.T) {
	want := []float32{1.5, -2, 0}
	for _, x := range []*tensors.Tensor{
		tensors.FromValue([]float32{1.5, -2, 0}),
		tensors.FromValue([]float64{1.5, -2, 0}),
		tensors.FromValue([]float16.Float16{float16.FromFloat32(1.5), float16.FromFloat32(-2), float16.FromFloat32(0)}),
		tensors.FromValue([]bfloat16.BFloat16{bfloat16.FromFloat32(1.5), bfloat16.FromFloat32(-2), bfloat16.FromFloat32(0)}),
	} {
		got, ok, err := Float32s(x)
		if err != nil || !ok || !slices.Equal(got, want) {
			t.Errorf("%s: %v, %v, %v; want %v", x.Shape(), got, ok, err, want)
		}
		if got, err := Floats(x); err != nil || !slices.Equal(got, want) {
			t.Errorf("Floats(%s) = %v, %v", x.Shape(), got, err)
		}
	}
	for _, x := range []*tensors.Tensor{tensors.FromValue([]int64{3, -1}), tensors.FromValue([]int32{3, -1})} {
		if got, ok, err := Float32s(x); err != nil || !ok || !slices.Equal(got, []float32{3, -1}) {
			t.Errorf("%s: %v, %v, %v", x.Shape(), got, ok, err)
		}
		if _, err := Floats(x); err == nil || !strings.Contains(err.Error(), "is not a float tensor") {
			t.Errorf("Floats(%s): %v", x.Shape(), err)
		}
	}
	if _, ok, err := Float32s(tensors.FromValue([]uint8{1})); ok || err != nil {
		t.Errorf("uint8: ok %v, err %v; want not ok", ok, err)
	}
}
