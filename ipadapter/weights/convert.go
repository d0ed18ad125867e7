package weights

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/dtypes/bfloat16"
	"github.com/gomlx/compute/dtypes/float16"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/tensors"
)

// Tensor reads one tensor as a GoMLX tensor.
//
// With backend nil the tensor is local (host memory). Otherwise the bytes go
// straight from the (memory-mapped) file to the backend's buffer, so no
// second host copy is made when no conversion is needed. dtype selects the
// result's dtype; dtypes.InvalidDType keeps the file's. Conversions between
// float types are done on the host, once, at load time.
func Tensor(src Source, name string, backend compute.Backend, dtype dtypes.DType) (*tensors.Tensor, error) {
	info, ok := src.Info(name)
	if !ok {
		return nil, fmt.Errorf("no tensor named %q", name)
	}
	raw, err := src.Bytes(name)
	if err != nil {
		return nil, err
	}
	if dtype == dtypes.InvalidDType {
		dtype = info.DType
	}
	if dtype != info.DType {
		if raw, err = ConvertBytes(raw, info.DType, dtype); err != nil {
			return nil, fmt.Errorf("tensor %q: %w", name, err)
		}
	}
	t, err := tensors.FromRaw(backend, 0, shapes.Make(dtype, info.Shape...), raw)
	if err != nil {
		return nil, fmt.Errorf("tensor %q: %w", name, err)
	}
	return t, nil
}

// Float32s reads a float tensor (F32, F16, BF16 or F64) as float32 values.
func Float32s(src Source, name string) ([]float32, Info, error) {
	info, ok := src.Info(name)
	if !ok {
		return nil, Info{}, fmt.Errorf("no tensor named %q", name)
	}
	raw, err := src.Bytes(name)
	if err != nil {
		return nil, info, err
	}
	if raw, err = ConvertBytes(raw, info.DType, dtypes.Float32); err != nil {
		return nil, info, fmt.Errorf("tensor %q: %w", name, err)
	}
	out := make([]float32, len(raw)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
	}
	return out, info, nil
}

// Float64s reads a float tensor as float64 values (exact for every float
// dtype, so float64 fixtures can be compared bit for bit).
func Float64s(src Source, name string) ([]float64, Info, error) {
	info, ok := src.Info(name)
	if !ok {
		return nil, Info{}, fmt.Errorf("no tensor named %q", name)
	}
	raw, err := src.Bytes(name)
	if err != nil {
		return nil, info, err
	}
	read, ok := floatReaders[info.DType]
	if !ok {
		return nil, info, fmt.Errorf("tensor %q: %s is not a float dtype", name, info.DType)
	}
	out := make([]float64, info.NumElements())
	for i := range out {
		out[i] = read(raw[i*info.DType.Size():])
	}
	return out, info, nil
}

// ConvertBytes converts little-endian tensor data between float dtypes
// (F64, F32, F16, BF16), rounding to nearest even as PyTorch's .to() does.
// Integer dtypes are only accepted unchanged.
func ConvertBytes(raw []byte, from, to dtypes.DType) ([]byte, error) {
	if from == to {
		return raw, nil
	}
	read, ok := floatReaders[from]
	if !ok {
		return nil, fmt.Errorf("cannot convert %s to %s", from, to)
	}
	write, ok := floatWriters[to]
	if !ok {
		return nil, fmt.Errorf("cannot convert %s to %s", from, to)
	}
	n := len(raw) / from.Size()
	out := make([]byte, n*to.Size())
	for i := range n {
		write(out[i*to.Size():], read(raw[i*from.Size():]))
	}
	return out, nil
}

var floatReaders = map[dtypes.DType]func([]byte) float64{
	dtypes.Float64: func(b []byte) float64 { return math.Float64frombits(binary.LittleEndian.Uint64(b)) },
	dtypes.Float32: func(b []byte) float64 { return float64(math.Float32frombits(binary.LittleEndian.Uint32(b))) },
	dtypes.Float16: func(b []byte) float64 { return float64(float16.FromBits(binary.LittleEndian.Uint16(b)).Float32()) },
	dtypes.BFloat16: func(b []byte) float64 {
		return float64(bfloat16.FromBits(binary.LittleEndian.Uint16(b)).Float32())
	},
}

// Writers go through float32 for the half types; a float64 value is first
// rounded to float32, which for values that came from float32 or a half type
// (every use here) is exact.
var floatWriters = map[dtypes.DType]func([]byte, float64){
	dtypes.Float64: func(b []byte, v float64) { binary.LittleEndian.PutUint64(b, math.Float64bits(v)) },
	dtypes.Float32: func(b []byte, v float64) { binary.LittleEndian.PutUint32(b, math.Float32bits(float32(v))) },
	dtypes.Float16: func(b []byte, v float64) {
		binary.LittleEndian.PutUint16(b, float16.FromFloat32(float32(v)).Bits())
	},
	dtypes.BFloat16: func(b []byte, v float64) {
		binary.LittleEndian.PutUint16(b, bfloat16.FromFloat32(float32(v)).Bits())
	},
}
