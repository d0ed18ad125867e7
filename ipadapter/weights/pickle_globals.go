package weights

import (
	"fmt"

	"github.com/gomlx/compute/dtypes"
	"github.com/nlpodyssey/gopickle/types"
)

// The allow-list: the only Python globals a PyTorch weights pickle may name,
// the same set torch.load(weights_only=True) accepts for plain tensors
// (rebuild functions, storage classes, dtypes, OrderedDict and a few inert
// builtins). Each resolves to a Go value; nothing is imported or run.
// Anything else (os.system, builtins.eval, a model class) is refused with
// ErrUnsafePickle naming it.

// pyFunc is an allowed Python callable implemented in Go.
type pyFunc struct {
	name string
	call func(args []any) (any, error)
}

func (f *pyFunc) Call(args ...any) (any, error) { return f.call(args) }

// storageClass is a torch storage type (torch.HalfStorage...), used only as
// the type field of a persistent id. untyped storages hold bytes; the tensor
// that views them brings its own dtype.
type storageClass struct {
	name    string
	dtype   dtypes.DType // InvalidDType for storage kinds this package does not read
	untyped bool
}

// torchDType is a torch dtype object (torch.float16...), as newer torch
// writes for tensors over untyped storages.
type torchDType struct {
	name  string
	dtype dtypes.DType // InvalidDType for dtypes this package does not read
}

// pyMarker is an allowed global that is only ever passed around as a value
// (torch.Tensor, torch.nn.parameter.Parameter, quantization schemes).
type pyMarker struct{ name string }

// nonTensor is the result of an inert builtin (a set, bytes, a device):
// kept only so that the surrounding structure loads, then ignored.
type nonTensor struct{ kind string }

// globalAllowed reports whether module.name is on the allow-list.
func globalAllowed(module, name string) bool {
	_, ok := allowedGlobals[qualifiedName(module, name)]
	return ok
}

// findGlobal is the unpickler's FindClass: allow-listed globals only.
func findGlobal(module, name string) (any, error) {
	v, ok := allowedGlobals[qualifiedName(module, name)]
	if !ok {
		return nil, unsafeGlobalError(module, name)
	}
	return v, nil
}

var allowedGlobals = buildAllowedGlobals()

func buildAllowedGlobals() map[string]any {
	g := map[string]any{
		// Resolved by gopickle itself; listed so the scan lets GLOBAL name it.
		"collections.OrderedDict": &types.OrderedDictClass{},
		"collections.Counter": &pyFunc{"collections.Counter", func(args []any) (any, error) {
			if len(args) == 1 {
				if d, ok := args[0].(*types.Dict); ok {
					return d, nil
				}
			}
			return types.NewDict(), nil
		}},
		"torch.Tensor":                 &pyMarker{"torch.Tensor"},
		"torch.nn.parameter.Parameter": &pyMarker{"torch.nn.parameter.Parameter"},
		"torch.Size": &pyFunc{"torch.Size", func(args []any) (any, error) {
			if len(args) == 1 {
				return args[0], nil
			}
			return nil, fmt.Errorf("torch.Size takes one tuple, got %d arguments", len(args))
		}},
		"torch.device":                               inert("device"),
		"_codecs.encode":                             inert("bytes"),
		"torch._utils._rebuild_tensor":               &pyFunc{"torch._utils._rebuild_tensor", rebuildTensor},
		"torch._utils._rebuild_tensor_v2":            &pyFunc{"torch._utils._rebuild_tensor_v2", rebuildTensorV2},
		"torch._utils._rebuild_tensor_v3":            &pyFunc{"torch._utils._rebuild_tensor_v3", rebuildTensorV3},
		"torch._utils._rebuild_parameter":            &pyFunc{"torch._utils._rebuild_parameter", rebuildParameter(3)},
		"torch._utils._rebuild_parameter_with_state": &pyFunc{"torch._utils._rebuild_parameter_with_state", rebuildParameter(4)},
		"torch._tensor._rebuild_from_type_v2":        &pyFunc{"torch._tensor._rebuild_from_type_v2", rebuildFromTypeV2},
	}
	for _, b := range []string{"set", "frozenset", "bytearray", "complex"} {
		g["builtins."+b] = inert(b)
		g["__builtin__."+b] = inert(b) // protocol 2 writes Python 2 module names
	}
	// Tensor kinds torch can save but this package does not read: allowed
	// (they are not dangerous), but using one is a clear ErrUnsupported.
	for _, f := range []string{
		"torch._utils._rebuild_qtensor", "torch._utils._rebuild_sparse_tensor",
		"torch._utils._rebuild_sparse_csr_tensor", "torch._utils._rebuild_meta_tensor_no_storage",
		"torch._utils._rebuild_wrapper_subclass", "torch._utils._rebuild_device_tensor_from_numpy",
		"torch._utils._rebuild_device_tensor_from_cpu_tensor", "torch._utils._rebuild_nested_tensor",
		"torch.serialization._get_layout",
	} {
		g[f] = unsupportedFunc(f)
	}
	for _, q := range []string{"per_tensor_affine", "per_tensor_symmetric", "per_channel_affine", "per_channel_symmetric", "per_channel_affine_float_qparams"} {
		g["torch."+q] = &pyMarker{"torch." + q}
	}
	for name, dt := range storageDTypes {
		for _, module := range []string{"torch", "torch.cuda"} {
			g[module+"."+name] = &storageClass{name: module + "." + name, dtype: dt}
		}
	}
	for _, name := range []string{"torch.UntypedStorage", "torch.storage.UntypedStorage", "torch.TypedStorage", "torch.storage.TypedStorage"} {
		g[name] = &storageClass{name: name, dtype: dtypes.Uint8, untyped: true}
	}
	for name, dt := range torchDTypes {
		g["torch."+name] = &torchDType{name: "torch." + name, dtype: dt}
	}
	return g
}

// storageDTypes maps torch's typed storage classes to element dtypes.
var storageDTypes = map[string]dtypes.DType{
	"DoubleStorage":        dtypes.Float64,
	"FloatStorage":         dtypes.Float32,
	"HalfStorage":          dtypes.Float16,
	"BFloat16Storage":      dtypes.BFloat16,
	"LongStorage":          dtypes.Int64,
	"IntStorage":           dtypes.Int32,
	"ShortStorage":         dtypes.Int16,
	"CharStorage":          dtypes.Int8,
	"ByteStorage":          dtypes.Uint8,
	"BoolStorage":          dtypes.Bool,
	"ComplexFloatStorage":  dtypes.Complex64,
	"ComplexDoubleStorage": dtypes.Complex128,
	// Quantized storages: known, not read.
	"QInt8Storage":    dtypes.InvalidDType,
	"QUInt8Storage":   dtypes.InvalidDType,
	"QInt32Storage":   dtypes.InvalidDType,
	"QUInt4x2Storage": dtypes.InvalidDType,
	"QUInt2x4Storage": dtypes.InvalidDType,
}

// torchDTypes maps torch dtype names (as str(dtype) writes them, without
// "torch.") to GoMLX dtypes.
var torchDTypes = map[string]dtypes.DType{
	"float64":    dtypes.Float64,
	"float32":    dtypes.Float32,
	"float16":    dtypes.Float16,
	"bfloat16":   dtypes.BFloat16,
	"int64":      dtypes.Int64,
	"int32":      dtypes.Int32,
	"int16":      dtypes.Int16,
	"int8":       dtypes.Int8,
	"uint8":      dtypes.Uint8,
	"uint16":     dtypes.Uint16,
	"uint32":     dtypes.Uint32,
	"uint64":     dtypes.Uint64,
	"bool":       dtypes.Bool,
	"complex64":  dtypes.Complex64,
	"complex128": dtypes.Complex128,
	// Known, not read.
	"complex32":       dtypes.InvalidDType,
	"float8_e4m3fn":   dtypes.InvalidDType,
	"float8_e5m2":     dtypes.InvalidDType,
	"float8_e4m3fnuz": dtypes.InvalidDType,
	"float8_e5m2fnuz": dtypes.InvalidDType,
	"float8_e8m0fnu":  dtypes.InvalidDType,
	"qint8":           dtypes.InvalidDType,
	"quint8":          dtypes.InvalidDType,
	"qint32":          dtypes.InvalidDType,
	"quint4x2":        dtypes.InvalidDType,
	"quint2x4":        dtypes.InvalidDType,
}

// inert makes an allowed builtin whose result is never a tensor.
func inert(kind string) *pyFunc {
	return &pyFunc{kind, func([]any) (any, error) { return &nonTensor{kind}, nil }}
}

func unsupportedFunc(name string) *pyFunc {
	return &pyFunc{name, func([]any) (any, error) {
		return nil, errorf(ErrUnsupported, "the file holds a tensor rebuilt by %s (a sparse, quantized, meta or subclass tensor), which this package does not read", name)
	}}
}
