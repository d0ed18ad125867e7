package wire

import (
	"encoding/json"
	"math"
	"testing"
)

func TestFloatsRoundTrip(t *testing.T) {
	in := Floats{0, -1.5, float32(math.Inf(1)), math.SmallestNonzeroFloat32, 3.14159}
	data, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out Floats
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	if len(out) != len(in) {
		t.Fatalf("%d values back, want %d", len(out), len(in))
	}
	for i := range in {
		if math.Float32bits(out[i]) != math.Float32bits(in[i]) {
			t.Errorf("value %d: %v, want %v", i, out[i], in[i])
		}
	}
	var none Floats
	if err := json.Unmarshal([]byte("null"), &none); err != nil || none != nil {
		t.Errorf("null: %v, %v", none, err)
	}
	if err := json.Unmarshal([]byte(`"AAA="`), &none); err == nil {
		t.Error("two bytes decoded as floats")
	}
}

func TestArrayCheck(t *testing.T) {
	if err := (&Array{Shape: []int{2, 3}, Data: make(Floats, 6)}).Check(); err != nil {
		t.Error(err)
	}
	if err := (&Array{Shape: []int{2, 3}, Data: make(Floats, 5)}).Check(); err == nil {
		t.Error("5 values for shape [2 3] accepted")
	}
}
