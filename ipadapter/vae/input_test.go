package vae

import (
	"strings"
	"testing"

	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/tensors"
)

func TestBadInputs(t *testing.T) {
	m := randomModel(t, smallConfig())
	decodeCases := []struct {
		name string
		x    *tensors.Tensor
		want string
	}{
		{"nil", nil, "latents is nil"},
		{"3 channels", tensors.FromShape(shapeF32(1, 3, 4, 4)), "latents has 3 channels, the model needs 4"},
		{"rank 3", tensors.FromShape(shapeF32(4, 4, 4)), "must be [B, 4, H, W]"},
		{"rank 5", tensors.FromShape(shapeF32(1, 1, 4, 4, 4)), "must be [B, 4, H, W]"},
		{"zero batch", tensors.FromShape(shapeF32(0, 4, 4, 4)), "latents is empty"},
		{"zero width", tensors.FromShape(shapeF32(1, 4, 4, 0)), "latents is empty"},
		{"integers", tensors.FromValue([][][][]int32{{{{1}}, {{1}}, {{1}}, {{1}}}}), "a float tensor is needed"},
	}
	for _, tc := range decodeCases {
		t.Run("decode "+tc.name, func(t *testing.T) {
			for _, f := range []func(*tensors.Tensor) (*tensors.Tensor, error){m.Decode, m.DecodeLatents} {
				if _, err := f(tc.x); err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("error %v, want one containing %q", err, tc.want)
				}
			}
		})
	}
	encodeCases := []struct {
		name string
		x    *tensors.Tensor
		want string
	}{
		{"height 12", tensors.FromShape(shapeF32(1, 3, 12, 16)), "is 12×16 (H×W); both must be multiples of 8"},
		{"width 20", tensors.FromShape(shapeF32(1, 3, 16, 20)), "multiples of 8"},
		{"4 channels", tensors.FromShape(shapeF32(1, 4, 8, 8)), "image has 4 channels, the model needs 3"},
		{"empty", tensors.FromShape(shapeF32(1, 3, 0, 8)), "image is empty"},
	}
	for _, tc := range encodeCases {
		t.Run("encode "+tc.name, func(t *testing.T) {
			if _, err := m.Encode(tc.x); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
	// After all that, the model still works.
	x, _ := randomTensor(1, 1, 4, 3, 5)
	if out, err := m.Decode(x); err != nil || !equalInts(out.Shape().Dimensions, []int{1, 3, 24, 40}) {
		t.Fatalf("decode after bad inputs: %v %v", out, err)
	}
}

func TestPrecompile(t *testing.T) {
	m := randomModel(t, smallConfig())
	if err := m.Precompile(shapes.Shape{}, shapeF32(1, 4, 3, 5), shapeF32(1, 3, 16, 8)); err != nil {
		t.Fatal(err)
	}
	if m.decode.Compilations() != 0 || m.decodeLatents.Compilations() != 1 || m.encode.Compilations() != 1 {
		t.Fatalf("compilations %d/%d/%d, want 0/1/1", m.decode.Compilations(), m.decodeLatents.Compilations(), m.encode.Compilations())
	}
	x, _ := randomTensor(2, 1, 4, 3, 5)
	if _, err := m.DecodeLatents(x); err != nil {
		t.Fatal(err)
	}
	if m.decodeLatents.Compilations() != 1 {
		t.Errorf("DecodeLatents compiled again after Precompile")
	}
	if err := m.Precompile(shapeF32(1, 3, 4, 4), shapes.Shape{}, shapes.Shape{}); err == nil || !strings.Contains(err.Error(), "3 channels") {
		t.Errorf("bad decode shape: %v", err)
	}
	if err := m.Precompile(shapes.Shape{}, shapes.Shape{}, shapeF32(1, 3, 12, 8)); err == nil || !strings.Contains(err.Error(), "multiples of 8") {
		t.Errorf("bad encode shape: %v", err)
	}
}
