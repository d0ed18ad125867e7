package pyjson

import (
	"math"
	"testing"
)

func TestUnmarshalNonFinite(t *testing.T) {
	var v struct {
		A Float   `json:"a"`
		B Float   `json:"b"`
		C Float   `json:"c"`
		D float64 `json:"d"`
		S string  `json:"s"`
	}
	in := `{"a": -Infinity, "b": NaN, "c": Infinity, "d": 1.5, "s": "NaN and \"Infinity\" stay"}`
	if err := Unmarshal([]byte(in), &v); err != nil {
		t.Fatal(err)
	}
	if !math.IsInf(float64(v.A), -1) || !math.IsNaN(float64(v.B)) || !math.IsInf(float64(v.C), 1) || v.D != 1.5 {
		t.Errorf("got %+v", v)
	}
	if v.S != `NaN and "Infinity" stay` {
		t.Errorf("string changed: %q", v.S)
	}
}
