package xla

import (
	"testing"

	"github.com/gomlx/compute/dtypes"
)

func TestParseDType(t *testing.T) {
	for in, want := range map[string]dtypes.DType{
		"f32": dtypes.Float32, "F16": dtypes.Float16, " bf16 ": dtypes.BFloat16,
		"float16": dtypes.Float16, "bfloat16": dtypes.BFloat16, "fp32": dtypes.Float32,
	} {
		if got, err := ParseDType(in); err != nil || got != want {
			t.Errorf("ParseDType(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
	if _, err := ParseDType("f64"); err == nil {
		t.Error("ParseDType(f64) should fail")
	}
}
