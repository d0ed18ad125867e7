package convert

import (
	"encoding/binary"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/compute/dtypes"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"
)

// f32Source holds one float32 tensor "m" of the given shape with values
// 0, 1, 2, … in row-major order.
func f32Source(shape ...int) *infoSource {
	info := weights.Info{Name: "m", DType: dtypes.Float32, Shape: shape}
	s := newInfoSource(info)
	raw := make([]byte, info.ByteSize())
	for i := range info.NumElements() {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(float32(i)))
	}
	s.data["m"] = raw
	return s
}

func float32s(t *testing.T, v *View, name string) []float32 {
	t.Helper()
	raw, err := v.Bytes(name)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]float32, len(raw)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
	}
	return out
}

func TestViewTransforms(t *testing.T) {
	src := f32Source(6, 2)
	v, err := NewView(src, []TensorMap{
		{Name: "same", From: "m"},
		{Name: "rows", From: "m", Lo: 2, Hi: 4},
		{Name: "reshaped", From: "m", Shape: []int{3, 2, 2, 1}},
		{Name: "transposed", From: "m", Transpose: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := weights.Names(v); !slices.Equal(got, []string{"reshaped", "rows", "same", "transposed"}) {
		t.Errorf("names %v", got)
	}
	for name, want := range map[string]struct {
		shape  []int
		values []float32
	}{
		"same":       {[]int{6, 2}, []float32{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}},
		"rows":       {[]int{2, 2}, []float32{4, 5, 6, 7}},
		"reshaped":   {[]int{3, 2, 2, 1}, []float32{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}},
		"transposed": {[]int{2, 6}, []float32{0, 2, 4, 6, 8, 10, 1, 3, 5, 7, 9, 11}},
	} {
		info, ok := v.Info(name)
		if !ok || !slices.Equal(info.Shape, want.shape) || info.DType != dtypes.Float32 {
			t.Errorf("%s: info %v, want shape %v", name, info, want.shape)
		}
		if got := float32s(t, v, name); !slices.Equal(got, want.values) {
			t.Errorf("%s: %v, want %v", name, got, want.values)
		}
	}
	// Row ranges are views of the source's bytes, not copies.
	whole, _ := src.Bytes("m")
	rows, _ := v.Bytes("rows")
	if &rows[0] != &whole[16] {
		t.Error("a row range was copied")
	}
	if _, err := v.Bytes("nope"); err == nil {
		t.Error("Bytes of a missing name succeeded")
	}
	if _, ok := v.Info("nope"); ok {
		t.Error("Info of a missing name succeeded")
	}
}

func TestViewRejects(t *testing.T) {
	src := f32Source(6, 2)
	for _, c := range []struct {
		maps []TensorMap
		want string
	}{
		{[]TensorMap{{Name: "a", From: "absent"}}, `"absent" is missing`},
		{[]TensorMap{{Name: "a", From: "m"}, {Name: "a", From: "m", Lo: 0, Hi: 1}}, `two tensors map to "a"`},
		{[]TensorMap{{Name: "a", From: "m", Lo: 4, Hi: 7}}, "has no rows 4…6"},
		{[]TensorMap{{Name: "a", From: "m", Lo: 3, Hi: 3}}, "has no rows 3…2"},
		{[]TensorMap{{Name: "a", From: "m", Shape: []int{5, 2}}}, "element counts differ"},
		{[]TensorMap{{Name: "a", From: "m", Lo: 0, Hi: 2, Transpose: true}}, "only a whole 2-D tensor"},
	} {
		_, err := NewView(src, c.maps)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want one containing %q", c.maps, err, c.want)
		}
	}
	src3 := f32Source(2, 3, 1)
	if _, err := NewView(src3, []TensorMap{{Name: "a", From: "m", Transpose: true}}); err == nil {
		t.Error("a 3-D tensor was transposed")
	}
}
