package weights

import (
	"fmt"

	"github.com/gomlx/compute/dtypes"
	"github.com/nlpodyssey/gopickle/types"
)

// torchStorage is a storage named by a persistent id. The pickle only
// declares it (key, element type, element count); its bytes are found
// afterwards, in the zip entry data/<key> or the legacy data section.
type torchStorage struct {
	key   string
	class string       // the storage class, for messages
	dtype dtypes.DType // element type; Uint8 for untyped storages
	numel int64        // element count the pickle declares
	// root is set for a legacy storage view: elements
	// [viewOffset, viewOffset+numel) of root.
	root       *torchStorage
	viewOffset int64
}

// torchTensor is what a rebuild function returns: a strided view of a
// storage, exactly as torch describes it (offsets and strides in elements of
// the tensor's dtype).
type torchTensor struct {
	storage *torchStorage
	dtype   dtypes.DType
	offset  int64
	size    []int64
	stride  []int64
}

// PySetState accepts and ignores BUILD state (a Parameter's attributes):
// it never holds tensor data.
func (t *torchTensor) PySetState(any) error { return nil }

// rebuildTensor is torch._utils._rebuild_tensor(storage, offset, size, stride).
func rebuildTensor(args []any) (any, error) {
	if len(args) != 4 {
		return nil, badArgs("_rebuild_tensor", "4", len(args))
	}
	return newTorchTensor(args[0], args[1], args[2], args[3], nil)
}

// rebuildTensorV2 is torch._utils._rebuild_tensor_v2(storage, offset, size,
// stride, requires_grad, backward_hooks[, metadata]); the tensor has its
// storage's dtype.
func rebuildTensorV2(args []any) (any, error) {
	if len(args) != 6 && len(args) != 7 {
		return nil, badArgs("_rebuild_tensor_v2", "6 or 7", len(args))
	}
	return newTorchTensor(args[0], args[1], args[2], args[3], nil)
}

// rebuildTensorV3 is torch._utils._rebuild_tensor_v3(storage, offset, size,
// stride, requires_grad, backward_hooks, dtype[, metadata]): newer torch
// stores some dtypes over an untyped (byte) storage and names the dtype.
func rebuildTensorV3(args []any) (any, error) {
	if len(args) != 7 && len(args) != 8 {
		return nil, badArgs("_rebuild_tensor_v3", "7 or 8", len(args))
	}
	dt, ok := args[6].(*torchDType)
	if !ok {
		return nil, errorf(ErrCorrupt, "corrupted pickle stream: _rebuild_tensor_v3 needs a torch dtype, got %T", args[6])
	}
	return newTorchTensor(args[0], args[1], args[2], args[3], dt)
}

// rebuildParameter is torch._utils._rebuild_parameter(data, requires_grad,
// backward_hooks) (n = 3) or _rebuild_parameter_with_state (n = 4): an
// nn.Parameter is its data tensor.
func rebuildParameter(n int) func([]any) (any, error) {
	return func(args []any) (any, error) {
		if len(args) != n {
			return nil, badArgs("_rebuild_parameter", fmt.Sprint(n), len(args))
		}
		t, ok := args[0].(*torchTensor)
		if !ok {
			return nil, errorf(ErrCorrupt, "corrupted pickle stream: _rebuild_parameter needs a tensor, got %T", args[0])
		}
		return t, nil
	}
}

// rebuildFromTypeV2 is torch._tensor._rebuild_from_type_v2(func, new_type,
// args, state): it calls func (which must itself be allowed, since it came
// out of the same allow-list) and keeps the result; the subclass type and
// its state are irrelevant to the data.
func rebuildFromTypeV2(args []any) (any, error) {
	if len(args) != 4 {
		return nil, badArgs("_rebuild_from_type_v2", "4", len(args))
	}
	f, ok := args[0].(*pyFunc)
	if !ok {
		return nil, errorf(ErrCorrupt, "corrupted pickle stream: _rebuild_from_type_v2 needs a rebuild function, got %T", args[0])
	}
	inner, ok := args[2].(*types.Tuple)
	if !ok {
		return nil, errorf(ErrCorrupt, "corrupted pickle stream: _rebuild_from_type_v2 needs an argument tuple, got %T", args[2])
	}
	return f.Call(*inner...)
}

func newTorchTensor(storage, offset, size, stride any, dt *torchDType) (*torchTensor, error) {
	s, ok := storage.(*torchStorage)
	if !ok {
		return nil, errorf(ErrCorrupt, "corrupted pickle stream: a tensor's storage is a %T, not a storage reference", storage)
	}
	t := &torchTensor{storage: s, dtype: s.dtype}
	if dt != nil {
		if dt.dtype == dtypes.InvalidDType {
			return nil, errorf(ErrUnsupported, "tensor dtype %s is not supported (this package reads float64/32/16, bfloat16, integer, bool and complex tensors)", dt.name)
		}
		t.dtype = dt.dtype
	}
	var err error
	if t.offset, err = pyInt(offset, "storage offset"); err != nil {
		return nil, err
	}
	if t.size, err = pyInts(size, "size"); err != nil {
		return nil, err
	}
	if t.stride, err = pyInts(stride, "stride"); err != nil {
		return nil, err
	}
	if len(t.size) != len(t.stride) {
		return nil, errorf(ErrCorrupt, "corrupted pickle stream: tensor size %v and stride %v differ in rank", t.size, t.stride)
	}
	return t, nil
}

// pyInt reads a Python int argument.
func pyInt(v any, what string) (int64, error) {
	i, ok := v.(int)
	if !ok {
		return 0, errorf(ErrCorrupt, "corrupted pickle stream: tensor %s is a %T, not an int", what, v)
	}
	return int64(i), nil
}

// pyInts reads a tuple (or list) of Python ints.
func pyInts(v any, what string) ([]int64, error) {
	var items []any
	switch x := v.(type) {
	case *types.Tuple:
		items = *x
	case *types.List:
		items = *x
	default:
		return nil, errorf(ErrCorrupt, "corrupted pickle stream: tensor %s is a %T, not a tuple", what, v)
	}
	out := make([]int64, len(items))
	for i, item := range items {
		n, err := pyInt(item, what)
		if err != nil {
			return nil, err
		}
		out[i] = n
	}
	return out, nil
}

func badArgs(fn, want string, got int) error {
	return errorf(ErrCorrupt, "corrupted pickle stream: %s takes %s arguments, got %d", fn, want, got)
}
