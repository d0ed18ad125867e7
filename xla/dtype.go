package xla

import (
	"os"
	"strings"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/pkg/errors"
)

// DefaultDType is the compute dtype of a backend without override: F16 on a
// CUDA plugin (tensor cores, half the memory, and what cuDNN flash attention
// needs), F32 elsewhere (the pure-Go and XLA CPU backends are slower or
// incomplete in half precision, e.g. softmax).
func DefaultDType(b compute.Backend) dtypes.DType {
	if isCUDABackend(b) {
		return dtypes.Float16
	}
	return dtypes.Float32
}

// ComputeDType is the dtype models should compute in on b: IPADAPTER_DTYPE
// when set to a valid value, else DefaultDType. An invalid IPADAPTER_DTYPE is
// ignored here, since this is called deep inside graph code; [Describe] and
// [ComputeDTypeFrom] report it.
func ComputeDType(b compute.Backend) dtypes.DType {
	dt, err := ComputeDTypeFrom(b, os.LookupEnv)
	if err != nil {
		return DefaultDType(b)
	}
	return dt
}

// ComputeDTypeFrom is ComputeDType with an injected environment, returning an
// error for an invalid IPADAPTER_DTYPE.
func ComputeDTypeFrom(b compute.Backend, lookupEnv func(string) (string, bool)) (dtypes.DType, error) {
	if v, ok := lookupEnv(DTypeEnv); ok && v != "" {
		dt, err := ParseDType(v)
		if err != nil {
			return dtypes.InvalidDType, errors.WithMessagef(err, "%s", DTypeEnv)
		}
		return dt, nil
	}
	return DefaultDType(b), nil
}

// ParseDType accepts f32, f16 and bf16 (and their long names).
func ParseDType(s string) (dtypes.DType, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "f32", "fp32", "float32":
		return dtypes.Float32, nil
	case "f16", "fp16", "float16", "half":
		return dtypes.Float16, nil
	case "bf16", "bfloat16":
		return dtypes.BFloat16, nil
	}
	return dtypes.InvalidDType, errors.Errorf("unknown compute dtype %q: want f32, f16 or bf16", s)
}

// HasFlashAttention reports whether b lowers fused attention to cuDNN flash
// attention: only go-xla on a CUDA plugin does (and only for f16/bf16 with a
// head dim that is a multiple of 8; other cases fall back to the decomposed
// graph).
func HasFlashAttention(b compute.Backend) bool {
	return isCUDABackend(b)
}
